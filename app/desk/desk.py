"""`Desk`: every use case of Tokendesk, written once for the CLI and the window alike.

Each method raises `TokendeskError`s for what a person can meet and announces what changed
through `subscribe` (app/desk/events.py). Nothing here knows Qt exists.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.basic_fallback import apply_learned
from app.core.client_auth import Credentials, signing_key
from app.core.environments import effective_profile, environment_id
from app.core.errors import (
    HistoryError,
    KeychainError,
    ProfileChangedError,
    ProfileError,
    TokendeskError,
)
from app.core.fingerprint import fingerprint
from app.core.http_clients import HttpClients
from app.core.jwtinfo import DecodedJwt
from app.core.profiles import Profile, new_profile_id
from app.core.request_spec import RequestSpec
from app.core.secrets import SecretKind, SecretStore
from app.core.token_manager import TokenEvent, TokenManager
from app.core.tokens import Token
from app.desk import events
from app.desk.credentials import CredentialUseCases
from app.desk.history import HistoryUseCases
from app.desk.imports import ImportUseCases
from app.desk.known_secrets import KnownSecrets, Watched
from app.desk.lookup import find_profile, unique_name
from app.desk.profile_sync import ProfileSync
from app.desk.requests import RequestUseCases
from app.desk.views import TokenView
from app.storage.profile_store import ProfileStore, export_profiles, import_profiles

if TYPE_CHECKING:
    from app.core.certs import CertificateCredential
    from app.desk.api import ApiSender
    from app.sandbox.sandbox import Sandbox
    from app.storage.history_store import HistoryStore

log = logging.getLogger(__name__)

SANDBOX_ID = "sandbox"
USER_SECRETS = (SecretKind.CLIENT_SECRET, SecretKind.PRIVATE_KEY)


class Desk(HistoryUseCases, RequestUseCases, CredentialUseCases, ImportUseCases, ProfileSync):
    def __init__(
        self,
        *,
        store: ProfileStore,
        secrets: SecretStore,
        tokens: TokenManager,
        http: HttpClients,
        history: Callable[[], HistoryStore],
        response_dir: Path | None = None,
    ) -> None:
        self.store = store
        self._known_secrets = KnownSecrets(secrets)
        self._secrets: SecretStore = Watched(secrets, self._known_secrets)
        self._tokens = tokens
        self._http = http
        self._open_history = history
        self._history: HistoryStore | None = None
        self._history_trouble_said = False
        self._response_dir = response_dir
        self._owns_response_dir = response_dir is None
        self._api: ApiSender | None = None
        self._hub = events.Hub()
        self.keychain_error: KeychainError | None = None
        self.sandbox: Sandbox | None = None
        self._unsubscribe = tokens.subscribe(self._token_changed)

    def subscribe(self, listener: events.Listener) -> Callable[[], None]:
        return self._hub.subscribe(listener)

    def _token_changed(self, event: TokenEvent) -> None:
        """A fetch may have learned how the server wants the client to sign in (e.g. Basic
        credentials as typed): keep it on the profile, so the next fetch needs no retry."""
        token = event.token
        profile = self.store.get(event.profile_id)
        if event.reason == "fetched" and token is not None and token.learned and profile:
            learned = apply_learned(profile, token)
            if learned != profile:
                self.store.save(learned)
                log.info("Saved what the server taught about profile %s", profile.id)
                self._hub.emit(events.ProfilesChanged())
        self._hub.emit(event)

    # Keychain ------------------------------------------------------------------------------

    @property
    def secrets_in_memory(self) -> bool:
        return bool(getattr(self._secrets, "in_memory", False))

    async def check_keychain(self) -> KeychainError | None:
        check = getattr(self._secrets, "check", None)
        try:
            if check is not None:
                await check()
        except KeychainError as exc:
            self.keychain_error = exc
        else:
            self.keychain_error = None
        self._hub.emit(events.KeychainChecked(self.keychain_error, self.secrets_in_memory))
        return self.keychain_error

    async def save_secrets_to_keychain(self) -> int:
        """Move the secrets kept in memory for want of a keychain into the keychain."""
        save = getattr(self._secrets, "save_to_keychain", None)
        moved = int(await save()) if save is not None else 0
        self.keychain_error = None
        self._hub.emit(events.KeychainChecked(None, self.secrets_in_memory))
        return moved

    @staticmethod
    def check_private_key(text: str) -> None:
        """Raises a plain ProfileError when the key cannot sign client assertions."""
        signing_key(text)

    async def stored_secrets(self, profile: Profile) -> set[SecretKind]:
        return {kind for kind in USER_SECRETS if await self._secrets.get(profile.id, kind)}

    # Profiles ------------------------------------------------------------------------------

    def profiles(self) -> list[Profile]:
        return self.store.load()

    def profile(self, profile_id: str) -> Profile | None:
        return self.store.get(profile_id)

    def find(self, query: str) -> Profile:
        """A profile by exact name, id, or unique case-insensitive prefix."""
        return find_profile(self.store.load(), query)

    async def add_profile(
        self,
        profile: Profile,
        *,
        secret: str | None = None,
        private_key: str | None = None,
        certificates: Sequence[tuple[CertificateCredential, bool]] = (),
    ) -> Profile:
        """A new profile; its name must be free."""
        taken = {p.name.casefold() for p in self.store.load()}
        if profile.name.strip().casefold() in taken:
            raise ProfileError(
                f"A profile named “{profile.name}” already exists.",
                "Choose another name, or change the existing one with “profile edit”.",
            )
        return await self.save_profile(
            profile, secret=secret, private_key=private_key, certificates=certificates
        )

    async def save_profile(
        self,
        profile: Profile,
        *,
        secret: str | None = None,
        private_key: str | None = None,
        base: Profile | None = None,
        certificates: Sequence[tuple[CertificateCredential, bool]] = (),
    ) -> Profile:
        """Secrets go to the keychain first: if it refuses, nothing is saved anywhere. A change
        of the settings a token was obtained with drops the cached token. With `base` (the
        profile as loaded for editing), one changed or removed elsewhere meanwhile raises
        ProfileChangedError (`.current`) and nothing is written, the secret neither.
        `certificates`: (credential, tls) pairs, their PEMs into the profile and their keys into
        the keychain with the rest. A save the file refuses puts back the keys it replaced."""
        writes = {SecretKind.CLIENT_SECRET: secret, SecretKind.PRIVATE_KEY: private_key}
        if certificates:
            from app.core.senders import certificate_key_kind, with_certificate

            for credential, tls in certificates:
                profile = with_certificate(profile, credential, tls=tls)
                writes[certificate_key_kind(tls=tls)] = credential.private_key
        profile.check()
        previous = self.store.get(profile.id)
        if base is not None and previous != base:
            raise _changed(profile, previous)
        written = {kind: value for kind, value in writes.items() if value}
        earlier = {}
        if previous is not None:
            earlier = {kind: await self._secrets.get(profile.id, kind) for kind in written}
        for kind, value in written.items():
            await self._secrets.set(profile.id, kind, value)
        try:
            self.store.save(profile, base=base)
        except TokendeskError:
            if previous is None:
                await self._secrets.delete_all(profile.id)
            else:
                await self._put_back(profile.id, earlier)
            raise
        if written or (previous and fingerprint(previous) != fingerprint(profile)):
            # The fingerprint rule: a token obtained with other settings is not kept.
            await self._tokens.forget(profile)
        if previous is not None and previous.auto_refresh and not profile.auto_refresh:
            self._tokens.stop_auto_refresh(profile.id)
        if profile.auto_refresh:
            self._tokens.start_auto_refresh(profile)
        log.info("Saved profile %s", profile.id)
        self._hub.emit(events.ProfilesChanged())
        return profile

    async def _put_back(self, profile_id: str, earlier: Mapping[SecretKind, str | None]) -> None:
        for kind, value in earlier.items():
            if value is None:
                await self._secrets.delete(profile_id, kind)
            else:
                await self._secrets.set(profile_id, kind, value)

    async def set_secret(
        self, profile: Profile, *, secret: str | None = None, private_key: str | None = None
    ) -> None:
        """Replace the secret (or key) in the keychain; the cached token goes with it."""
        if secret:
            await self._secrets.set(profile.id, SecretKind.CLIENT_SECRET, secret)
        if private_key:
            await self._secrets.set(profile.id, SecretKind.PRIVATE_KEY, private_key)
        await self._tokens.forget(profile)

    async def duplicate_profile(self, profile: Profile) -> Profile:
        name = unique_name(profile.name, (p.name for p in self.store.load()))
        copy = profile.with_changes(id=new_profile_id(), name=name)
        for kind in USER_SECRETS:
            value = await self._secrets.get(profile.id, kind)
            if value:
                await self._secrets.set(copy.id, kind, value)
        self.store.save(copy)
        self._hub.emit(events.ProfilesChanged())
        return copy

    def rename_profile(self, profile: Profile, name: str) -> Profile:
        clash = [
            p
            for p in self.store.load()
            if p.id != profile.id and p.name.casefold() == name.strip().casefold()
        ]
        if clash:
            raise ProfileError(
                f"A profile named “{name.strip()}” already exists.", "Choose another name."
            )
        renamed = profile.with_changes(name=name.strip())
        renamed.check()
        self.store.save(renamed)
        self._hub.emit(events.ProfilesChanged())
        return renamed

    async def delete_profile(self, profile: Profile) -> None:
        """Keychain entries first, so a profile is never gone while its secrets linger; then its
        saved requests and history."""
        for env in profile.environments:
            await self._tokens.remove_profile(environment_id(profile.id, env.name))
        await self._tokens.remove_profile(profile.id)
        self.store.remove(profile.id)
        self.history.forget_profile(profile.id)
        log.info("Deleted profile %s", profile.id)
        self._hub.emit(events.ProfilesChanged())

    def export_profiles(self, ids: list[str] | None = None) -> str:
        chosen = [p for p in self.store.load() if ids is None or p.id in ids]
        return export_profiles(chosen)

    def import_profiles(self, text: str) -> list[Profile]:
        imported = import_profiles(text, self.store.load())
        self.store.add_all(imported)  # one write: all or nothing
        self._hub.emit(events.ProfilesChanged())
        return imported

    # Tokens --------------------------------------------------------------------------------

    def now(self) -> datetime:
        return self._tokens.now()

    def token_view(self, profile_id: str) -> TokenView:
        return TokenView(
            self._tokens.peek(profile_id),
            self._tokens.state(profile_id),
            self._tokens.last_error(profile_id),
        )

    def auto_refreshing(self, profile_id: str) -> bool:
        return self._tokens.auto_refreshing(profile_id)

    async def load_cached_tokens(self) -> None:
        """Start-up: read every profile's cached token from the keychain (concurrently)."""
        profiles = self.store.load()
        results = await asyncio.gather(
            *(self._tokens.cached(p) for p in profiles), return_exceptions=True
        )
        for profile, result in zip(profiles, results, strict=True):
            if isinstance(result, KeychainError) and self.keychain_error is None:
                self.keychain_error = result
                self._hub.emit(events.KeychainChecked(result, self.secrets_in_memory))
            if profile.auto_refresh:
                self._tokens.start_auto_refresh(profile)

    async def cached_token(self, profile: Profile) -> Token | None:
        return await self._tokens.cached(profile)

    def in_environment(self, profile: Profile, env: str | None) -> Profile:
        """The profile as used in environment `env` (its own id, so its own token and secret);
        an unknown name is a plain error."""
        if env and env not in {e.name for e in profile.environments}:
            names = ", ".join(e.name for e in profile.environments) or "none"
            raise ProfileError(
                f"“{profile.name}” has no environment named “{env}”.",
                f"Environments of this profile: {names}.",
            )
        return effective_profile(profile, env)

    async def get_token(
        self, profile: Profile, *, force: bool = False, env: str | None = None
    ) -> Token:
        return await self._tokens.get_token(self.in_environment(profile, env), force=force)

    async def paste_token(self, profile: Profile, text: str) -> Token:
        return await self._tokens.set_pasted(profile, text)

    async def forget_token(self, profile: Profile) -> None:
        await self._tokens.forget(profile)

    async def revoke(self, profile: Profile) -> None:
        await self._tokens.revoke(profile)

    async def introspect(self, profile: Profile) -> dict[str, Any]:
        return await self._tokens.introspect(profile)

    async def verify(self, profile: Profile) -> DecodedJwt:
        return await self._tokens.verify(profile)

    async def capabilities(self, profile: Profile) -> tuple[bool, bool]:
        return await self._tokens.capabilities(profile)

    async def test_connection(
        self, profile: Profile, *, secret: str = "", private_key: str = ""
    ) -> Token:
        """Ask for a token with the form's settings, saved or not; nothing is cached."""
        stored = await self._tokens.credentials(profile)
        credentials = Credentials(
            client_secret=secret or stored.client_secret,
            private_key=private_key or stored.private_key,
        )
        return await self._tokens.request(profile, credentials)

    # The sandbox ---------------------------------------------------------------------------

    def sandbox_running(self) -> bool:
        return self.sandbox is not None

    def sandbox_stopped(self, profile: Profile | None) -> bool:
        """`profile` is the Sandbox's, saved on an earlier day, and its servers are not running:
        its old addresses answer nothing until start_sandbox()."""
        return profile is not None and profile.id == SANDBOX_ID and not self.sandbox_running()

    async def start_sandbox(self) -> Profile:
        """Start the practice servers (once per run) and create or update the Sandbox profile.
        Its secret lives in memory only, like the sandbox itself."""
        from app.desk.sandbox import sandbox_profile, start

        if self.sandbox is None:
            self.sandbox = await start()
        existing = self.store.get(SANDBOX_ID)
        taken = [p.name for p in self.store.load() if p.id != SANDBOX_ID]
        profile = sandbox_profile(self.sandbox, existing, taken, SANDBOX_ID)
        await self._tokens.forget(profile)
        await self.save_profile(profile, secret=self.sandbox.info.client_secret)
        from app.sandbox.sandbox import example_requests

        try:  # the examples are a help, not the sandbox: a history that cannot keep them is said
            saved = {s.name for s in self.history.saved(SANDBOX_ID)}
            for title, spec in example_requests():
                if title not in saved:
                    self.history.save_request(SANDBOX_ID, title, RequestSpec.from_dict(spec))
        except HistoryError as exc:
            self._history_trouble(exc)
        self._hub.emit(events.SandboxStarted(SANDBOX_ID))
        return profile

    async def shutdown(self) -> None:
        self._unsubscribe()
        await self._known_secrets.aclose()
        await self._tokens.aclose()
        if self.sandbox is not None:
            await self.sandbox.stop()
        await self._http.aclose()
        if self._history is not None:
            self._history.close()
        if self._owns_response_dir and self._response_dir is not None:
            shutil.rmtree(self._response_dir, ignore_errors=True)


def _changed(profile: Profile, current: Profile | None) -> ProfileChangedError:
    return ProfileChangedError(
        f"The profile “{profile.name}” was changed or removed elsewhere (another window or the "
        "command line) while you edited it.",
        "Choose whose version to keep.",
        current=current,
    )
