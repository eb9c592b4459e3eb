"""Stage 2: calling the API with the token.

- ProfileTokenAuth (an httpx.Auth with async_auth_flow, httpx's hook for auth that does I/O)
  attaches the profile's token and, on a 401 whose WWW-Authenticate says invalid_token
  (RFC 6750 §3), fetches a fresh token once and retries once;
- call() streams the body to a file (a 50 MB answer never sits in a widget or in memory twice)
  and times the phases httpx exposes through its trace extension.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.request import parse_http_list

import httpx

from app.core.errors import NetworkError
from app.core.redact import redact_headers
from app.core.tokens import Token
from app.core.transport import network_error

TokenSource = Callable[[bool], Awaitable[Token]]  # force_fresh -> token


def parse_challenges(value: str) -> dict[str, dict[str, str]]:
    """WWW-Authenticate challenges by scheme (lower-case): {"bearer": {"error": ..., ...}}."""
    found: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for item in parse_http_list(value):
        first, _, rest = item.strip().partition(" ")
        if first and "=" not in first:  # "Bearer realm=…" or a bare "Bearer" starts a challenge
            current = found.setdefault(first.lower(), {})
            param = rest.strip()
        else:
            param = item.strip()
        if current is not None and "=" in param:
            name, _, raw = param.partition("=")
            current[name.strip().lower()] = raw.strip().strip('"')
    return found


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


class StaticTokenAuth(httpx.Auth):
    """A token pasted for one request."""

    def __init__(self, token: str) -> None:
        self._header = (
            token if token.lower().startswith(("bearer ", "dpop ")) else f"Bearer {token}"
        )

    def auth_flow(self, request: httpx.Request) -> Any:
        request.headers["Authorization"] = self._header
        yield request


@dataclass
class Timing:
    """Seconds per phase; None where httpx did not report it (a reused connection has no
    connect or TLS phase)."""

    total: float = 0.0
    connect: float | None = None
    tls: float | None = None
    send: float | None = None
    wait: float | None = None
    download: float | None = None

    def breakdown(self) -> list[tuple[str, float]]:
        phases = [
            ("Connect (incl. DNS)", self.connect),
            ("TLS handshake", self.tls),
            ("Send request", self.send),
            ("Wait for first byte", self.wait),
            ("Download", self.download),
        ]
        return [(name, value) for name, value in phases if value is not None]


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


@dataclass
class ApiResponse:
    status: int
    reason: str
    http_version: str
    url: str
    headers: list[tuple[str, str]]
    request_headers: list[tuple[str, str]]  # as sent, secrets redacted
    body_path: Path
    size: int
    timing: Timing
    retried: bool = False
    first_challenge: dict[str, str] = field(default_factory=dict)
    challenge: dict[str, str] = field(default_factory=dict)

    @property
    def content_type(self) -> str:
        for name, value in self.headers:
            if name.lower() == "content-type":
                return value.split(";")[0].strip().lower()
        return ""

    def head(self, limit: int = 64 * 1024) -> bytes:
        with self.body_path.open("rb") as handle:
            return handle.read(limit)


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


def explain(response: ApiResponse, *, token_scopes: tuple[str, ...], sent_token: bool) -> list[str]:
    """What the response means for the token, in plain words (shown above the body)."""
    notes: list[str] = []
    if response.retried:
        notes.append(
            "The API said the token was no longer valid (invalid_token), so Tokendesk fetched a "
            "new token and sent the request once more."
        )
    challenge = response.challenge
    error = challenge.get("error", "")
    if error == "insufficient_scope":
        needed = challenge.get("scope", "")
        has = " ".join(token_scopes) or "none"
        what = f"the scope “{needed}”" if needed else "a scope"
        notes.append(
            f"The API needs {what}, which this token does not have (it has: {has}). Add it to "
            "the profile's scopes; the identity server must also allow it for this client."
        )
    elif response.status == 401 and error == "invalid_token" and response.retried:
        notes.append(
            "The API refused even the fresh token. The token may be for another API (audience) "
            "or the API may not trust this identity server."
        )
    elif response.status == 401 and not sent_token:
        notes.append(
            "The API wants a token, and none was sent. Choose “Profile's token” as authentication."
        )
    elif response.status == 401 and error:
        description = challenge.get("error_description", "")
        notes.append(
            f"The API refused the token ({error}{': ' + description if description else ''})."
        )
    return notes
