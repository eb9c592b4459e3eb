"""Stage 2: calling the API with the token.

- ProfileTokenAuth (an httpx.Auth with async_auth_flow, httpx's hook for auth that does I/O)
  attaches the profile's token and, on a 401 whose WWW-Authenticate says invalid_token
  (RFC 6750 §3), fetches a fresh token once and retries once;
- DpopTokenAuth does the same for DPoP-bound tokens (RFC 9449 §7): `Authorization: DPoP …` and a
  fresh proof with the token's hash on every request, retried once with the API's nonce;
- call() streams the body to a file (a 50 MB answer never sits in a widget or in memory twice)
  and times the phases httpx exposes through its trace extension.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from app.core.api_response import ApiResponse, Timing, explain, parse_challenges
from app.core.dpop import USE_NONCE, DpopSigner
from app.core.errors import NetworkError
from app.core.redact import redact_headers
from app.core.tokens import Token
from app.core.transport import network_error

TokenSource = Callable[[bool], Awaitable[Token]]  # force_fresh -> token
SignerSource = Callable[[], Awaitable[DpopSigner | None]]


def bearer_error(response: httpx.Response) -> dict[str, str]:
    return parse_challenges(response.headers.get("www-authenticate", "")).get("bearer", {})


class ProfileTokenAuth(httpx.Auth):
    def __init__(self, token: TokenSource) -> None:
        self._token = token
        self.retried = False
        self.first_challenge: dict[str, str] = {}

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self._token(False)
        request.headers["Authorization"] = token.authorization_header
        response = yield request
        challenge = bearer_error(response)
        if response.status_code == 401 and challenge.get("error") == "invalid_token":
            # The server no longer takes this token (revoked, rotated keys, clock skew):
            # one fresh token, one retry; never a loop.
            self.first_challenge = challenge
            self.retried = True
            token = await self._token(True)
            request.headers["Authorization"] = token.authorization_header
            yield request


def dpop_error(response: httpx.Response) -> dict[str, str]:
    return parse_challenges(response.headers.get("www-authenticate", "")).get("dpop", {})


class DpopTokenAuth(ProfileTokenAuth):
    def __init__(self, token: TokenSource, signer: SignerSource) -> None:
        super().__init__(token)
        self._signer = signer

    async def _attach(self, request: httpx.Request, force: bool) -> tuple[Token, DpopSigner | None]:
        token = await self._token(force)
        signer = await self._signer() if token.header_scheme == "DPoP" else None
        request.headers["Authorization"] = token.authorization_header
        if signer is not None:
            request.headers["DPoP"] = signer.header(
                request.method, str(request.url), token.access_token
            )
        return token, signer

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token, signer = await self._attach(request, False)
        response = yield request
        url = str(request.url)
        fresh_nonce = signer is not None and signer.remember(url, response.headers)
        if (
            fresh_nonce
            and response.status_code == 401
            and dpop_error(response).get("error") == USE_NONCE
        ):
            # RFC 9449 §9: the API wants its nonce in the proof; one retry with it.
            assert signer is not None
            request.headers["DPoP"] = signer.header(request.method, url, token.access_token)
            response = yield request
        challenge = dpop_error(response) or bearer_error(response)
        if response.status_code == 401 and challenge.get("error") == "invalid_token":
            self.first_challenge = challenge
            self.retried = True
            await self._attach(request, True)
            yield request


class StaticTokenAuth(httpx.Auth):
    """A token pasted for one request."""

    def __init__(self, token: str) -> None:
        self._header = (
            token if token.lower().startswith(("bearer ", "dpop ")) else f"Bearer {token}"
        )

    def auth_flow(self, request: httpx.Request) -> Any:
        request.headers["Authorization"] = self._header
        yield request


class _Trace:
    def __init__(self) -> None:
        self.marks: dict[str, float] = {}

    async def __call__(self, name: str, _info: dict[str, Any]) -> None:
        self.marks[name] = time.monotonic()

    def span(self, start: str, end: str) -> float | None:
        # httpcore names events "<phase>.started" / "<phase>.complete"; the http11/http2 prefix
        # depends on the protocol, so match on the suffix.
        begin = next((v for k, v in self.marks.items() if k.endswith(start)), None)
        finish = next((v for k, v in self.marks.items() if k.endswith(end)), None)
        return finish - begin if begin is not None and finish is not None else None


async def call(
    client: httpx.AsyncClient,
    request: httpx.Request,
    *,
    auth: httpx.Auth | None,
    seconds: float,
    body_path: Path,
    progress: Callable[[int], None] | None = None,
) -> ApiResponse:
    trace = _Trace()
    request.extensions["trace"] = trace
    request.extensions["timeout"] = httpx.Timeout(seconds).as_dict()
    started = time.monotonic()
    size = 0
    try:
        response = await client.send(request, auth=auth, stream=True, follow_redirects=True)
        try:
            with body_path.open("wb") as sink:
                async for chunk in response.aiter_bytes():
                    sink.write(chunk)
                    size += len(chunk)
                    if progress is not None:
                        progress(size)
        finally:
            await response.aclose()
    except httpx.TransportError as exc:
        error = network_error(exc, request, ())
        raise NetworkError(
            error.message, error.hint, kind=error.kind, details=error.details
        ) from exc
    finished = time.monotonic()
    timing = Timing(
        total=finished - started,
        connect=trace.span("connect_tcp.started", "connect_tcp.complete"),
        tls=trace.span("start_tls.started", "start_tls.complete"),
        send=trace.span("send_request_headers.started", "send_request_body.complete"),
        wait=trace.span("send_request_body.complete", "receive_response_headers.complete"),
        download=trace.span("receive_response_body.started", "receive_response_body.complete"),
    )
    final_request = response.request
    retried = isinstance(auth, ProfileTokenAuth) and auth.retried
    return ApiResponse(
        status=response.status_code,
        reason=response.reason_phrase,
        http_version=response.http_version,
        url=str(response.url),
        headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw],
        request_headers=list(
            redact_headers(
                (k.decode("latin-1"), v.decode("latin-1")) for k, v in final_request.headers.raw
            )
        ),
        body_path=body_path,
        size=size,
        timing=timing,
        retried=retried,
        first_challenge=auth.first_challenge if isinstance(auth, ProfileTokenAuth) else {},
        challenge=bearer_error(response),
    )


__all__ = [
    "ApiResponse",
    "DpopTokenAuth",
    "ProfileTokenAuth",
    "StaticTokenAuth",
    "Timing",
    "bearer_error",
    "call",
    "explain",
    "parse_challenges",
]
