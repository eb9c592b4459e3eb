"""The token manager: one place that knows each profile's current token.

- a valid cached token is reused, across restarts too (it is kept in the keychain);
- concurrent callers share one in-flight fetch (single flight), so 100 requests that find the
  token expired cause exactly one token request;
- a token pasted from elsewhere is accepted, its expiry read from the JWT when it is one;
- optional auto-refresh fetches the next token as the current one enters its expiring window;
- revocation and introspection are offered when the server advertises their endpoints.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from app.core import client_auth, oauth
from app.core.auth_choice import AuthChoice, choose_auth_method
from app.core.basic_fallback import apply_learned
from app.core.errors import KeychainError, ProfileError, TokendeskError
from app.core.fingerprint import fingerprint
from app.core.http_clients import HttpClients
from app.core.jwtinfo import DecodedJwt, verify
from app.core.profiles import Profile
from app.core.secrets import SecretKind, SecretStore
from app.core.senders import Senders
from app.core.tokens import ExpiryPolicy, Token, TokenState, token_from_pasted

Clock = Callable[[], datetime]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TokenEvent:
    """What happened to a profile's token. `reason`: loaded, fetched, pasted, forgotten, revoked,
    failed. `token` is the current token (None when there is none); `error` is set on failure."""

    profile_id: str
    reason: str
    token: Token | None
    error: TokendeskError | None = None


Listener = Callable[[TokenEvent], None]


class TokenManager:
    def __init__(
        self,
        http: HttpClients,
        secrets: SecretStore,
        *,
        clock: Clock,
        policy: ExpiryPolicy = ExpiryPolicy(),
        timeouts: oauth.Timeouts = oauth.Timeouts(),
        metadata_ttl: timedelta = timedelta(hours=1),
    ) -> None:
        self._http = http
        self._secrets = secrets
        self.senders = Senders(http, secrets, clock)  # mTLS client, mTLS aliases, DPoP proofs
        self._clock = clock
        self.policy = policy
        self._timeouts = timeouts
        self._metadata_ttl = metadata_ttl
        self._tokens: dict[str, Token | None] = {}
        self._errors: dict[str, TokendeskError] = {}
        self._loading: dict[str, asyncio.Task[Token | None]] = {}
        self._fetching: dict[str, asyncio.Task[Token]] = {}
        self._metadata: dict[str, tuple[oauth.ServerMetadata | None, datetime]] = {}
        self._refreshers: dict[str, asyncio.Task[None]] = {}
        self._listeners: list[Listener] = []

    # Observing -----------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _emit(self, event: TokenEvent) -> None:
        for listener in list(self._listeners):
            listener(event)

    def now(self) -> datetime:
        return self._clock()

    def peek(self, profile_id: str) -> Token | None:
        """The token in memory, without touching the keychain."""
        return self._tokens.get(profile_id)

    def last_error(self, profile_id: str) -> TokendeskError | None:
        return self._errors.get(profile_id)

    def state(self, profile_id: str) -> TokenState:
        token = self._tokens.get(profile_id)
        if profile_id in self._errors and (
            token is None or token.state(self.now(), self.policy) is TokenState.EXPIRED
        ):
            return TokenState.FAILED
        if token is None:
            return TokenState.NONE
        return token.state(self.now(), self.policy)

    # The cache -----------------------------------------------------------------------------

    async def cached(self, profile: Profile) -> Token | None:
        """The current token: from memory, else from the keychain (loaded once, single flight)."""
        if profile.id in self._tokens:
            return self._tokens[profile.id]
        task = self._loading.get(profile.id)
        if task is None:
            task = asyncio.ensure_future(self._load(profile))
            self._loading[profile.id] = task
            task.add_done_callback(lambda _t: self._loading.pop(profile.id, None))
        return await asyncio.shield(task)

    async def _load(self, profile: Profile) -> Token | None:
        raw = await self._secrets.get(profile.id, SecretKind.TOKEN)
        token = None
        if raw:
            with contextlib.suppress(ValueError, TypeError):
                entry = json.loads(raw)
                if isinstance(entry, dict) and entry.get("fingerprint") == fingerprint(profile):
                    token = Token.from_json(json.dumps(entry.get("token")))
        if profile.id not in self._tokens:
            self._tokens[profile.id] = token
            if token is not None:
                self._emit(TokenEvent(profile.id, "loaded", token))
        return self._tokens[profile.id]

    async def _store(self, profile: Profile, token: Token) -> Token:
        entry = json.dumps(
            {"fingerprint": fingerprint(profile), "token": json.loads(token.to_json())}
        )
        try:
            await self._secrets.set(profile.id, SecretKind.TOKEN, entry)
        except KeychainError as exc:
            # The token is good; it just will not survive a restart. Say so, don't fail.
            return replace(
                token, warnings=(*token.warnings, f"Not kept in the keychain: {exc.message}")
            )
        return token

    def _usable(self, token: Token) -> bool:
        return token.state(self.now(), self.policy) is TokenState.VALID

    # Getting tokens ------------------------------------------------------------------------

    async def get_token(self, profile: Profile, *, force: bool = False) -> Token:
        """A valid access token: the cached one while it is valid, else a fresh one."""
        if not force:
            token = await self.cached(profile)
            if token is not None and self._usable(token):
                return token
        task = self._fetching.get(profile.id)
        if task is None:
            task = asyncio.ensure_future(self._fetch(profile))
            self._fetching[profile.id] = task
            task.add_done_callback(lambda _t: self._fetching.pop(profile.id, None))
        return await asyncio.shield(task)

    async def request(
        self, profile: Profile, credentials: client_auth.Credentials | None = None
    ) -> Token:
        """One token request with these settings; nothing is cached or announced. The window's
        *Test connection* passes the form's unsaved credentials."""
        profile.check()
        choice = await self._discovered_method(profile)
        if choice is not None:
            profile = profile.with_changes(auth_method=choice.method)
        credentials = credentials or await self.credentials(profile)
        endpoint = await self.token_endpoint(profile)
        client = await self.senders.client(profile)
        token = await oauth.request_token(
            client,
            profile,
            credentials,
            token_endpoint=endpoint,
            now=self.now(),
            timeouts=self._timeouts,
            advertised_methods=self._advertised_methods(profile),
            proof=await self.senders.signer(profile),
        )
        if choice is not None:
            token = replace(
                token,
                learned={**token.learned, "auth_method": choice.method.value},
                warnings=(*token.warnings, choice.note),
            )
        return token

    async def _discovered_method(self, profile: Profile) -> AuthChoice | None:
        """For a profile whose method nobody chose: the one the server's metadata points to
        (RFC 8414 `token_endpoint_auth_methods_supported`), when it differs from the default."""
        if profile.auth_method_chosen:
            return None
        try:
            found = await self.metadata(profile)
        except TokendeskError:
            return None
        if found is None:
            return None
        secret = await self._secrets.get(profile.id, SecretKind.CLIENT_SECRET)
        key = await self._secrets.get(profile.id, SecretKind.PRIVATE_KEY)
        choice = choose_auth_method(
            profile, found.auth_methods, has_private_key=bool(key), has_secret=bool(secret)
        )
        return choice if choice.method is not profile.auth_method and choice.note else None

    async def _fetch(self, profile: Profile) -> Token:
        try:
            token = await self.request(profile)
        except TokendeskError as exc:
            log.info("Token request for profile %s failed: %s", profile.id, exc.message)
            log.debug("Details: %s", exc.details)
            self._errors[profile.id] = exc
            self._emit(TokenEvent(profile.id, "failed", self._tokens.get(profile.id), exc))
            raise
        # Cached under the settings the profile will have once what was learned is saved.
        token = await self._store(apply_learned(profile, token), token)
        self._tokens[profile.id] = token
        self._errors.pop(profile.id, None)
        log.info("Fetched a token for profile %s (%s)", profile.id, token.token_type)
        self._emit(TokenEvent(profile.id, "fetched", token))
        return token

    async def set_pasted(self, profile: Profile, text: str) -> Token:
        """Adopt a token obtained elsewhere ("load an existing token")."""
        token = await self._store(profile, token_from_pasted(text, self.now()))
        self._tokens[profile.id] = token
        self._errors.pop(profile.id, None)
        self._emit(TokenEvent(profile.id, "pasted", token))
        return token

    async def forget(self, profile: Profile) -> None:
        """Drop the cached token (memory and keychain); the next use fetches a fresh one."""
        await self._secrets.delete(profile.id, SecretKind.TOKEN)
        self._tokens[profile.id] = None
        self._errors.pop(profile.id, None)
        self._emit(TokenEvent(profile.id, "forgotten", None))

    async def remove_profile(self, profile_id: str) -> None:
        """Forget everything about a deleted profile, its keychain entries included."""
        self.stop_auto_refresh(profile_id)
        await self._secrets.delete_all(profile_id)
        self._tokens.pop(profile_id, None)
        self._errors.pop(profile_id, None)

    async def credentials(self, profile: Profile) -> client_auth.Credentials:
        secret = key = None
        if profile.auth_method.needs_secret:
            secret = await self._secrets.get(profile.id, SecretKind.CLIENT_SECRET)
        if profile.auth_method.needs_private_key:
            key = await self._secrets.get(profile.id, SecretKind.PRIVATE_KEY)
        return client_auth.Credentials(client_secret=secret, private_key=key)

    # The server ----------------------------------------------------------------------------

    async def metadata(self, profile: Profile) -> oauth.ServerMetadata | None:
        """The server's metadata: required for issuer profiles; for token-URL profiles a
        best-effort look at the token URL's origin (it tells whether revoke/introspect exist)."""
        key = profile.issuer_url or profile.token_url
        cached = self._metadata.get(key)
        if cached is not None and self.now() - cached[1] < self._metadata_ttl:
            return cached[0]
        client = self._http.get(profile.verify_tls, profile.ca_bundle)
        found: oauth.ServerMetadata | None
        if profile.issuer_url:
            found = await oauth.discover(client, profile.issuer_url, self._timeouts)
        else:
            found = await self._guess_metadata(client, profile.token_url)
        self._metadata[key] = (found, self.now())
        return found

    async def _guess_metadata(self, client: Any, token_url: str) -> oauth.ServerMetadata | None:
        split = urlsplit(token_url)
        candidates = [f"{split.scheme}://{split.netloc}"]
        path = split.path.rsplit("/", 1)[0]
        # Keycloak-style issuers sit above /protocol/openid-connect/token.
        for suffix in ("/protocol/openid-connect", "/oauth2", "/oauth", "/connect"):
            if path.endswith(suffix):
                candidates.insert(0, f"{split.scheme}://{split.netloc}{path[: -len(suffix)]}")
        for issuer in candidates:
            try:
                found = await oauth.discover(client, issuer, self._timeouts)
            except TokendeskError:
                continue
            if found.token_endpoint == token_url:
                return found
        return None

    def _advertised_methods(self, profile: Profile) -> tuple[str, ...]:
        """The server's auth methods when its metadata is already known (no request for it)."""
        cached = self._metadata.get(profile.issuer_url or profile.token_url)
        return cached[0].auth_methods if cached and cached[0] else ()

    async def token_endpoint(self, profile: Profile) -> str:
        if profile.token_url:
            return profile.token_url
        found = await self.metadata(profile)
        if found is None:  # pragma: no cover - discover() raises for issuer profiles
            raise ProfileError("The profile has no token URL.", "Enter the token URL.")
        return self.senders.endpoint(profile, found, "token_endpoint")

    async def capabilities(self, profile: Profile) -> tuple[bool, bool]:
        """(can revoke, can introspect) as advertised by the server."""
        try:
            found = await self.metadata(profile)
        except TokendeskError:
            return False, False
        if found is None:
            return False, False
        return bool(found.revocation_endpoint), bool(found.introspection_endpoint)

    async def revoke(self, profile: Profile) -> None:
        token = await self.cached(profile)
        found = await self.metadata(profile)
        if token is None:
            raise ProfileError("There is no token to revoke.", "Get a token first.")
        if found is None or not found.revocation_endpoint:
            raise ProfileError(
                "This identity server does not offer token revocation.",
                "The token stays valid until it expires; you can forget it locally.",
            )
        client = await self.senders.client(profile)
        await oauth.revoke(
            client,
            profile,
            await self.credentials(profile),
            endpoint=self.senders.endpoint(profile, found, "revocation_endpoint"),
            token=token.access_token,
            now=self.now(),
            timeouts=self._timeouts,
        )
        await self._secrets.delete(profile.id, SecretKind.TOKEN)
        self._tokens[profile.id] = None
        self._emit(TokenEvent(profile.id, "revoked", None))

    async def introspect(self, profile: Profile) -> dict[str, Any]:
        token = await self.cached(profile)
        found = await self.metadata(profile)
        if token is None:
            raise ProfileError("There is no token to inspect.", "Get a token first.")
        if found is None or not found.introspection_endpoint:
            raise ProfileError(
                "This identity server does not offer token introspection.",
                "Use the decoded claims instead (for JWT tokens).",
            )
        client = await self.senders.client(profile)
        return await oauth.introspect(
            client,
            profile,
            await self.credentials(profile),
            endpoint=self.senders.endpoint(profile, found, "introspection_endpoint"),
            token=token.access_token,
            now=self.now(),
            timeouts=self._timeouts,
        )

    async def verify(self, profile: Profile, token: Token | None = None) -> DecodedJwt:
        """Check a JWT access token's signature, iss, aud, exp and nbf against the issuer."""
        token = token or await self.cached(profile)
        if token is None:
            raise ProfileError("There is no token to verify.", "Get a token first.")
        found = await self.metadata(profile)
        if found is None or not found.jwks_uri:
            raise ProfileError(
                "The identity server's signing keys could not be found.",
                "Use the issuer URL in the profile so Tokendesk can find them.",
            )
        client = self._http.get(profile.verify_tls, profile.ca_bundle)
        jwks = await oauth.fetch_jwks(client, found.jwks_uri, self._timeouts)
        audience: str | list[str] | None = profile.audience or list(profile.resources) or None
        return verify(
            token.access_token, jwks, issuer=found.issuer, audience=audience, now=self.now()
        )

    # Auto-refresh --------------------------------------------------------------------------

    def start_auto_refresh(self, profile: Profile) -> None:
        self.stop_auto_refresh(profile.id)
        self._refreshers[profile.id] = asyncio.ensure_future(self._refresh_loop(profile))

    def stop_auto_refresh(self, profile_id: str) -> None:
        task = self._refreshers.pop(profile_id, None)
        if task is not None:
            task.cancel()

    def auto_refreshing(self, profile_id: str) -> bool:
        return profile_id in self._refreshers

    async def _refresh_loop(self, profile: Profile) -> None:
        failures = 0
        while True:
            token = await self._safe_cached(profile)
            due = token.refresh_at(self.policy) if token else None
            if token is None or due is None:
                delay = 0.0 if token is None else None
            else:
                delay = max(0.0, (due - self.now()).total_seconds())
            if delay is None:
                return  # unknown expiry: nothing to schedule
            if failures:
                delay = max(delay, min(300.0, 15.0 * 2**failures))
            delay = max(delay, 1.0) if token is not None else delay
            await asyncio.sleep(delay)
            try:
                await self.get_token(profile, force=True)
                failures = 0
            except TokendeskError:
                failures += 1  # already reported through a "failed" event

    async def _safe_cached(self, profile: Profile) -> Token | None:
        try:
            return await self.cached(profile)
        except TokendeskError:
            return None

    async def aclose(self) -> None:
        for profile_id in list(self._refreshers):
            self.stop_auto_refresh(profile_id)
