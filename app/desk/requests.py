"""Desk's use cases around one API request: send it (history written with every secret
removed), consent for a foreign host, a DPoP proof for it, and copying it as curl. A mixin so
`Desk` stays one small class per concern."""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.environments import secret_variables
from app.core.errors import HistoryError
from app.core.request_spec import AuthMode, BodyKind, RequestSpec
from app.desk import events
from app.desk.views import CurlCopy

if TYPE_CHECKING:
    import httpx

    from app.core.api_response import ApiResponse
    from app.core.http_clients import HttpClients
    from app.core.profiles import Profile
    from app.core.secrets import SecretStore
    from app.core.token_manager import TokenManager
    from app.desk.api import ApiSender
    from app.desk.known_secrets import KnownSecrets
    from app.storage.history_store import HistoryStore

log = logging.getLogger(__name__)


class RequestUseCases:
    _tokens: TokenManager
    _hub: events.Hub
    _secrets: SecretStore
    _http: HttpClients
    _api: ApiSender | None
    _response_dir: Path | None
    _known_secrets: KnownSecrets

    if TYPE_CHECKING:  # provided by Desk and the history mixin; absent at run time, so the
        # order of Desk's bases never lets a stub hide the real method

        @property
        def history(self) -> HistoryStore: ...

        def in_environment(self, profile: Profile, env: str | None) -> Profile: ...

        def _history_trouble(self, error: HistoryError) -> None: ...

        async def api_auth(self, profile: Profile) -> tuple[httpx.AsyncClient, httpx.Auth]: ...

    @property
    def api(self) -> ApiSender:
        if self._api is None:
            # Loaded on first use: the HTTP stack is not needed for the window's first paint.
            from app.desk.api import ApiSender

            if self._response_dir is None:
                self._response_dir = Path(tempfile.mkdtemp(prefix="tokendesk-"))
            self._api = ApiSender(self._http, self._tokens, response_dir=self._response_dir)
        return self._api

    def consent(self, profile: Profile, origin: str) -> None:
        """The person said yes: this profile's token may go to `origin` for this session."""
        self.api.consent(profile, origin)

    def withdraw_consent(self, profile: Profile, origin: str) -> None:
        """Undo consent(): the token no longer goes to `origin` without asking."""
        self.api.withdraw_consent(profile, origin)

    async def dpop_proof(
        self, profile: Profile, method: str, url: str, *, env: str | None = None
    ) -> str:
        """A fresh `DPoP` proof for one request with the profile's current token (RFC 9449)."""
        used = self.in_environment(profile, env)
        token = await self._tokens.get_token(used)
        return await self._tokens.senders.proof(used, method.upper(), url, token)

    async def send(
        self,
        profile: Profile | None,
        spec: RequestSpec,
        *,
        progress: Callable[[int], None] | None = None,
        env: str | None = None,
        variables: Mapping[str, str] | None = None,
        max_bytes: int | None = None,
    ) -> ApiResponse:
        """Send `spec` for `profile` (in environment `env`). {{variables}} come from the profile,
        then the environment, then the secret ones an import put in the keychain, then
        `variables` (a script's --var). The history entry is written with every secret removed.
        The body stops at `max_bytes` (default 1 GiB): `ApiResponse.stopped` says so."""
        sending = profile
        hidden: dict[str, str] = {}
        if profile is not None:
            sending = self.in_environment(profile, env)
            # Only imports keep secret {{variables}} in the keychain: skip the read otherwise.
            if profile.import_source:
                hidden = await secret_variables(self._secrets, profile, env or "")
            if hidden or variables:
                merged = {**sending.variable_map, **hidden, **(variables or {})}
                sending = sending.with_changes(variables=tuple(merged.items()))
        from app.storage.history_store import redact_url

        # The profile's secrets, for redaction by value: remembered, or else read alongside the
        # request, not before it (a keychain round trip must not delay the send).
        own: asyncio.Future[tuple[str, ...]] | None = None
        remembered: tuple[str, ...] = ()
        if profile is not None and sending is not None:
            ids = (profile.id, sending.id)
            known = self._known_secrets.remembered(*ids)
            if known is not None:
                remembered = known
            else:
                own = asyncio.ensure_future(self._known_secrets.values(*ids))
        try:
            response, record = await self.api.send(
                sending, spec, progress=progress, max_bytes=max_bytes
            )
        except BaseException:
            if own is not None:
                own.cancel()
            raise
        log.debug("%s %s → %s", spec.method, redact_url(record["url"]), response.status)
        if profile is not None:
            record["profile_id"] = profile.id
        stored = await own if own is not None else remembered
        record["secrets"] = (*record["secrets"], *hidden.values(), *stored)
        self._write_history(record)
        return response

    def _write_history(self, record: dict[str, Any]) -> None:
        """The person gets the response whatever becomes of its history entry: a history that
        cannot be written is said once (HistoryTrouble), never a failed send. HistoryChanged
        only once the entry is written, so the window never shows an older one as the new."""
        try:
            written = asyncio.wrap_future(self.history.record(**record))
        except HistoryError:
            return  # said by `history`

        def landed(done: asyncio.Future[int]) -> None:
            error = None if done.cancelled() else done.exception()
            if isinstance(error, HistoryError):
                self._history_trouble(error)
            elif error is None:
                self._hub.emit(events.HistoryChanged())

        written.add_done_callback(landed)

    async def curl_command(
        self,
        profile: Profile | None,
        spec: RequestSpec,
        *,
        real_token: bool = False,
        env: str | None = None,
    ) -> CurlCopy:
        """`spec` as a curl command that does what Tokendesk's send does: the token as $TOKEN
        (or the real one with `real_token`), a DPoP proof made now for exactly this request, the
        profile's CA bundle or its choice not to verify TLS. One rule for every copy."""
        from app.core import request_spec
        from app.core.curl import TOKEN_PLACEHOLDER, to_curl

        sending = self.in_environment(profile, env) if profile is not None else None
        request = request_spec.build(
            spec,
            api_base=sending.api_base_url if sending else "",
            variables=sending.variable_map if sending else {},
        )
        notes: list[str] = []
        authorization: str | None = None
        proof = ""
        if spec.auth is AuthMode.PROFILE and sending is not None and profile is not None:
            if sending.dpop:
                await self._learn_dpop_nonce(sending, str(request.url))
                # Bound to one method and URL, alive about a minute (RFC 9449 §11.1).
                proof = await self.dpop_proof(profile, request.method, str(request.url), env=env)
                where = request.url.copy_with(query=None)
                notes.append(
                    f"The DPoP proof in it is valid for this one request ({request.method} "
                    f"{where}) for about a minute."
                )
            token = self._tokens.peek(sending.id)
            if real_token and token is not None:
                authorization = token.authorization_header
            else:
                scheme = "DPoP" if sending.dpop else "Bearer"
                authorization = f"{scheme} {TOKEN_PLACEHOLDER}"
                if real_token:
                    notes.append("There is no token yet; $TOKEN stands in for it.")
        elif spec.auth is AuthMode.PASTED:
            authorization = f"Bearer {spec.pasted_token if real_token else TOKEN_PLACEHOLDER}"
        if sending is not None and sending.presents_certificate:
            notes.append(
                "This profile presents a client certificate: add curl's --cert and --key with "
                "your certificate and key files (the key stays in the keychain)."
            )
        text = to_curl(
            request,
            authorization=authorization,
            file=spec.body.file if spec.body.kind is BodyKind.FILE else "",
            dpop=proof,
            ca_bundle=sending.ca_bundle if sending else "",
            insecure=sending is not None and not sending.verify_tls,
        )
        sensitive = real_token and authorization is not None
        what = "curl command with the token" if sensitive else "curl command"
        return CurlCopy(text, what, sensitive, tuple(notes))

    async def _learn_dpop_nonce(self, profile: Profile, url: str) -> None:
        """An API that wants a DPoP nonce refuses a proof without one (RFC 9449 §9), and a
        copied command cannot retry: when none is known yet for the profile's own API, ask
        with a HEAD of the URL (no side effects), whose auth flow learns the nonce."""
        import httpx

        from app.core.binding import origin

        signer = await self._tokens.senders.signer(profile)
        own = origin(url) in {origin(profile.api_base_url), *profile.allowed_origins}
        if signer is None or not own or signer.nonces.get(url) is not None:
            return
        client, auth = await self.api_auth(profile)
        try:
            await client.head(url, auth=auth, timeout=10)
        except httpx.HTTPError as exc:  # the copy goes on; the command may then be refused
            log.debug("no DPoP nonce learned from %s: %s", origin(url), exc)
