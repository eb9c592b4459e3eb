"""Sending one composed request for a profile: binding check, token, call. The history entry is
returned for the caller to write, so this module holds no store."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from app.core import api_call, binding, request_spec
from app.core.api_call import ApiResponse, Limits, StaticTokenAuth
from app.core.errors import ConsentNeeded, ProfileError
from app.core.http_clients import HttpClients
from app.core.profiles import Profile
from app.core.request_spec import AuthMode, RequestSpec
from app.core.token_manager import TokenManager

KEEP_BODIES = 20


class ApiSender:
    def __init__(
        self,
        http: HttpClients,
        tokens: TokenManager,
        *,
        response_dir: Path,
    ) -> None:
        self._http = http
        self._tokens = tokens
        self._response_dir = response_dir
        response_dir.mkdir(parents=True, exist_ok=True)
        self._consented: dict[str, set[str]] = {}
        self._count = 0

    def consent(self, profile: Profile, origin: str) -> None:
        self._consented.setdefault(profile.id, set()).add(origin)

    def withdraw_consent(self, profile: Profile, origin: str) -> None:
        self._consented.get(profile.id, set()).discard(origin)

    def _auth(
        self, profile: Profile | None, spec: RequestSpec, url: str
    ) -> tuple[httpx.Auth | None, tuple[str, ...]]:
        if spec.auth is AuthMode.PROFILE:
            if profile is None:
                raise ProfileError(
                    "No profile is selected.", "Choose a profile, or send without a token."
                )
            decision = binding.check(url, profile, frozenset(self._consented.get(profile.id, ())))
            if not decision.allowed:
                raise ConsentNeeded(
                    decision.reason,
                    "Send it anyway only if you trust that server.",
                    origin=binding.origin(url),
                )
            chosen = profile
            source = lambda force: self._tokens.get_token(chosen, force=force)  # noqa: E731
            return self._tokens.senders.token_auth(chosen, source), ()
        if spec.auth is AuthMode.PASTED:
            token = spec.pasted_token.strip()
            if not token:
                raise ProfileError(
                    "No token was pasted.", "Paste the token, or choose another authentication."
                )
            return StaticTokenAuth(token), (token,)
        return None, ()

    async def send(
        self,
        profile: Profile | None,
        spec: RequestSpec,
        *,
        progress: Callable[[int], None] | None = None,
        max_bytes: int | None = None,
    ) -> tuple[ApiResponse, dict[str, Any]]:
        """The profile's token is attached only where it is bound (or the person consented);
        a refused token is refreshed and the request retried once. A body past `max_bytes`
        (decoded; default 1 GiB) is cut there and the response says so (`stopped`)."""
        # A profile that presents a client certificate presents it to its API too (RFC 8705 §3).
        client = await self._tokens.senders.client(profile) if profile else self._http.get()
        request = request_spec.build(
            spec,
            api_base=profile.api_base_url if profile else "",
            variables=profile.variable_map if profile else {},
            client=client,
        )
        url = str(request.url)
        auth, secrets = self._auth(profile, spec, url)
        self._count += 1
        body_path = self._response_dir / f"response-{self._count}.body"
        (self._response_dir / f"response-{self._count - KEEP_BODIES}.body").unlink(missing_ok=True)
        response = await api_call.call(
            client,
            request,
            auth=auth,
            seconds=spec.timeout,
            body_path=body_path,
            progress=progress,
            limits=Limits(max_bytes=max_bytes) if max_bytes else Limits(),
        )
        token = self._tokens.peek(profile.id) if profile else None
        if token is not None:
            secrets = (*secrets, token.access_token)
        record = {
            "profile_id": profile.id if profile else "",
            "profile_name": profile.name if profile else "",
            "spec": spec,
            "url": url,
            "status": response.status,
            "elapsed_ms": response.timing.total * 1000,
            "size": response.size,
            "secrets": secrets,
        }
        return response, record
