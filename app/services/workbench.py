"""The workbench service: profiles, their secrets and their tokens, for the window."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from app.core import client_auth, oauth
from app.core.api_response import ApiResponse
from app.core.errors import KeychainError
from app.core.http_clients import HttpClients
from app.core.jwtinfo import DecodedJwt
from app.core.profiles import Profile
from app.core.request_spec import RequestSpec
from app.core.secrets import SecretKind, SecretStore
from app.core.token_manager import TokenManager
from app.core.tokens import Token
from app.storage.history_store import HistoryStore
from app.storage.profile_store import ProfileStore, export_profiles, import_profiles

if TYPE_CHECKING:
    from app.core.api_sender import ApiSender
    from app.sandbox.sandbox import Sandbox

SANDBOX_ID = "sandbox"


class Workbench(QObject):
    """Profiles + keychain + token manager, with Qt signals for the widgets.

    Signals:
        profiles_changed(): the list of profiles or one of them changed.
        token_event(TokenEvent): a profile's token was loaded, fetched, pasted, forgotten,
            revoked, or a fetch failed (see core.token_manager.TokenEvent).
        keychain_checked(object): None when the OS keychain works, else the KeychainError.
        history_changed(): a sent request was added to the history.
    """

    profiles_changed = Signal()
    history_changed = Signal()
    token_event = Signal(object)
    keychain_checked = Signal(object)

    def __init__(
        self,
        store: ProfileStore,
        secrets: SecretStore,
        tokens: TokenManager,
        http: HttpClients,
        *,
        history: HistoryStore | None = None,
        response_dir: Path | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.http = http
        self.store = store
        self.secrets = secrets
        self.tokens = tokens
        self.keychain_error: KeychainError | None = None
        self.history = history
        self.sandbox: Sandbox | None = None
        self._response_dir = response_dir or Path(tempfile.mkdtemp(prefix="tokendesk-"))
        self._api: ApiSender | None = None
        self._unsubscribe = tokens.subscribe(self.token_event.emit)

    # Keychain ------------------------------------------------------------------------------

    async def check_keychain(self) -> KeychainError | None:
        check = getattr(self.secrets, "check", None)
        try:
            if check is not None:
                await check()
        except KeychainError as exc:
            self.keychain_error = exc
        else:
            self.keychain_error = None
        self.keychain_checked.emit(self.keychain_error)
        return self.keychain_error

    async def stored_secrets(self, profile: Profile) -> set[SecretKind]:
        found = set()
        for kind in (SecretKind.CLIENT_SECRET, SecretKind.PRIVATE_KEY):
            if await self.secrets.get(profile.id, kind):
                found.add(kind)
        return found

    # Profiles ------------------------------------------------------------------------------

    def profiles(self) -> list[Profile]:
        return self.store.load()

    async def save_profile(
        self, profile: Profile, *, secret: str | None = None, private_key: str | None = None
    ) -> Profile:
        """Secrets go to the keychain first: if it refuses, nothing is saved anywhere."""
        profile.check()
        if secret:
            await self.secrets.set(profile.id, SecretKind.CLIENT_SECRET, secret)
        if private_key:
            await self.secrets.set(profile.id, SecretKind.PRIVATE_KEY, private_key)
        previous = self.store.get(profile.id)
        self.store.save(profile)
        if previous is not None and previous.auto_refresh and not profile.auto_refresh:
            self.tokens.stop_auto_refresh(profile.id)
        if profile.auto_refresh:
            self.tokens.start_auto_refresh(profile)
        self.profiles_changed.emit()
        return profile

    async def duplicate_profile(self, profile: Profile) -> Profile:
        names = {p.name.casefold() for p in self.store.load()}
        name, n = f"{profile.name} (copy)", 2
        while name.casefold() in names:
            name, n = f"{profile.name} (copy {n})", n + 1
        copy = Profile.from_dict({**profile.to_dict(), "id": Profile(name="", client_id="").id})
        copy = copy.with_changes(name=name)
        for kind in (SecretKind.CLIENT_SECRET, SecretKind.PRIVATE_KEY):
            value = await self.secrets.get(profile.id, kind)
            if value:
                await self.secrets.set(copy.id, kind, value)
        self.store.save(copy)
        self.profiles_changed.emit()
        return copy

    def rename_profile(self, profile: Profile, name: str) -> Profile:
        renamed = profile.with_changes(name=name.strip())
        renamed.check()
        self.store.save(renamed)
        self.profiles_changed.emit()
        return renamed

    async def delete_profile(self, profile: Profile) -> None:
        """Keychain entries first, so a profile is never gone while its secrets linger."""
        await self.tokens.remove_profile(profile.id)
        self.store.remove(profile.id)
        if self.history is not None:
            self.history.forget_profile(profile.id)
        self.profiles_changed.emit()

    def export_profiles(self, ids: list[str] | None = None) -> str:
        chosen = [p for p in self.store.load() if ids is None or p.id in ids]
        return export_profiles(chosen)

    def import_profiles(self, text: str) -> list[Profile]:
        imported = import_profiles(text, self.store.load())
        for profile in imported:
            self.store.save(profile)
        self.profiles_changed.emit()
        return imported

    # Tokens --------------------------------------------------------------------------------

    async def load_cached_tokens(self) -> None:
        """Start-up: read every profile's cached token from the keychain (concurrently)."""
        profiles = self.store.load()
        results = await asyncio.gather(
            *(self.tokens.cached(p) for p in profiles), return_exceptions=True
        )
        for profile, result in zip(profiles, results, strict=True):
            if isinstance(result, KeychainError) and self.keychain_error is None:
                self.keychain_error = result
                self.keychain_checked.emit(result)
            if profile.auto_refresh:
                self.tokens.start_auto_refresh(profile)

    async def get_token(self, profile: Profile, *, force: bool = False) -> Token:
        return await self.tokens.get_token(profile, force=force)

    async def paste_token(self, profile: Profile, text: str) -> Token:
        return await self.tokens.set_pasted(profile, text)

    async def forget_token(self, profile: Profile) -> None:
        await self.tokens.forget(profile)

    async def revoke(self, profile: Profile) -> None:
        await self.tokens.revoke(profile)

    async def introspect(self, profile: Profile) -> dict[str, Any]:
        return await self.tokens.introspect(profile)

    async def verify(self, profile: Profile) -> DecodedJwt:
        return await self.tokens.verify(profile)

    async def test_connection(
        self, profile: Profile, *, secret: str = "", private_key: str = ""
    ) -> Token:
        """Ask for a token with the form's settings, saved or not; nothing is cached."""
        profile.check()
        stored = await self.tokens.credentials(profile)
        credentials = client_auth.Credentials(
            client_secret=secret or stored.client_secret,
            private_key=private_key or stored.private_key,
        )
        endpoint = await self.tokens.token_endpoint(profile)
        return await oauth.request_token(
            self.http.get(profile.verify_tls, profile.ca_bundle),
            profile,
            credentials,
            token_endpoint=endpoint,
            now=self.tokens.now(),
        )

    async def capabilities(self, profile: Profile) -> tuple[bool, bool]:
        return await self.tokens.capabilities(profile)

    # Calling the API ---------------------------------------------------------------------

    @property
    def api(self) -> ApiSender:
        if self._api is None:
            # Loaded on first use: the HTTP stack is not needed for the window's first paint.
            from app.core.api_sender import ApiSender

            self._api = ApiSender(
                self.http, self.tokens, history=self.history, response_dir=self._response_dir
            )
        return self._api

    def consent(self, profile: Profile, origin: str) -> None:
        """The person said yes: this profile's token may go to `origin` for this session."""
        self.api.consent(profile, origin)

    async def send(
        self,
        profile: Profile | None,
        spec: RequestSpec,
        *,
        progress: Callable[[int], None] | None = None,
    ) -> ApiResponse:
        response = await self.api.send(profile, spec, progress=progress)
        self.history_changed.emit()
        return response

    # The sandbox ---------------------------------------------------------------------------

    async def start_sandbox(self) -> Profile:
        """Start the practice servers (once per run) and create or update the Sandbox profile;
        its secret goes to the keychain like any other."""
        from app.sandbox.sandbox import Sandbox, example_requests

        stored = await self.secrets.get(SANDBOX_ID, SecretKind.CLIENT_SECRET)
        if self.sandbox is None:
            sandbox = Sandbox(stored)
            await sandbox.start()
            self.sandbox = sandbox
        info = self.sandbox.info
        existing = self.store.get(SANDBOX_ID)
        taken = {p.name.casefold() for p in self.store.load() if p.id != SANDBOX_ID}
        name = existing.name if existing else "Sandbox"
        if name.casefold() in taken:
            name = "Sandbox (practice)"
        profile = Profile(
            id=SANDBOX_ID,
            name=name,
            client_id=info.client_id,
            token_url=info.token_url,
            scopes=("items:read",),
            api_base_url=info.api_base,
            auto_refresh=existing.auto_refresh if existing else False,
            notes="Sandbox: a practice identity server and API inside Tokendesk, on this "
            "computer only. Its addresses change every time it starts.",
        )
        await self.save_profile(profile, secret=info.client_secret if stored is None else None)
        if self.history is not None:
            for title, spec in example_requests():
                self.history.save_request(SANDBOX_ID, title, RequestSpec.from_dict(spec))
        return profile

    async def shutdown(self) -> None:
        self._unsubscribe()
        await self.tokens.aclose()
        if self.sandbox is not None:
            await self.sandbox.stop()
        await self.http.aclose()
        if self.history is not None:
            self.history.close()
        shutil.rmtree(self._response_dir, ignore_errors=True)
