"""Stage 2: calling the API with the token.

- ProfileTokenAuth (an httpx.Auth with async_auth_flow, httpx's hook for auth that does I/O)
  attaches the profile's token and, on a 401 whose WWW-Authenticate says invalid_token
  (RFC 6750 §3), fetches a fresh token once and retries once;
- DpopTokenAuth does the same for DPoP-bound tokens (RFC 9449 §7): `Authorization: DPoP …` and a
  fresh proof with the token's hash on every request, retried once with the API's nonce;
- call() keeps a body of up to IN_MEMORY bytes in memory and streams a larger one to a file
  (a 50 MB answer never sits in a widget or in memory twice; a small one costs no file
  created, written and unlinked per request), and times the phases httpx exposes through its
  trace extension.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import httpx

from app.core.api_response import IN_MEMORY, ApiResponse, Timing, explain, parse_challenges
from app.core.decoding import ContentDecodingError
from app.core.dpop import USE_NONCE, DpopSigner
from app.core.errors import NetworkError, ProfileError
from app.core.redact import redact_headers
from app.core.tokens import B64TOKEN, Token
from app.core.transport import decoded_body, decoding_error, network_error

TokenSource = Callable[[bool], Awaitable[Token]]  # force_fresh -> token
SignerSource = Callable[[], Awaitable[DpopSigner | None]]
GIB = 1024**3
FREE_SPACE_CHECK_EVERY = 64 * 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How far one API response may go: bytes written to disk (after decompression), seconds
    from send to the last byte (the read timeout alone lets a slow drip run for ever), and the
    free disk space always left over."""

    max_bytes: int = GIB
    deadline: float = 300.0
    min_free_bytes: int = 256 * 1024 * 1024


def human_bytes(size: int) -> str:
    for unit, scale in (("GiB", GIB), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= scale:
            value = size / scale
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} bytes"


def _free_space(folder: Path) -> int:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return 2**62  # unknown: do not stop for it


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
        bare = token.split(" ", 1)[1].strip() if " " in token.strip() else token.strip()
        if not B64TOKEN.fullmatch(bare):
            raise ProfileError(
                "The pasted token contains characters a token may not have.",
                "Paste just the token: letters, digits and - . _ ~ + / (RFC 6750).",
            )
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
    limits: Limits = Limits(),
) -> ApiResponse:
    """Send and stream the body to `body_path`. A response that reaches a limit is not an
    error: it is the response so far, with `stopped` saying where and why it was cut."""
    trace = _Trace()
    request.extensions["trace"] = trace
    request.extensions["timeout"] = httpx.Timeout(seconds).as_dict()
    started = time.monotonic()
    stopped = ""
    response: httpx.Response | None = None
    written = _Written(progress)
    sink = _Sink(body_path)
    if _free_space(body_path.parent) < limits.min_free_bytes:
        raise NetworkError(
            f"Not sent: the disk holding {body_path.parent} is almost full.",
            f"Free some space (Tokendesk keeps {human_bytes(limits.min_free_bytes)} free).",
            kind="disk",
        )
    try:
        async with asyncio.timeout(limits.deadline):
            response = await client.send(request, auth=auth, stream=True, follow_redirects=True)
            try:
                stopped = await _stream(response, sink, body_path, limits, written)
            finally:
                sink.close()
                await response.aclose()
    except TimeoutError as exc:
        if response is None:
            error = network_error(exc, request, ())
            raise NetworkError(
                error.message, error.hint, kind=error.kind, details=error.details
            ) from exc
        stopped = (
            f"Stopped after {limits.deadline:.0f} seconds with {human_bytes(written.size)} "
            "received: the answer was still coming. What arrived is shown below."
        )
    except httpx.TransportError as exc:
        error = network_error(exc, request, ())
        raise NetworkError(
            error.message, error.hint, kind=error.kind, details=error.details
        ) from exc
    except ContentDecodingError as exc:
        raise decoding_error(exc, request) from exc
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
        content=sink.content(),
        size=written.size,
        timing=timing,
        retried=retried,
        first_challenge=auth.first_challenge if isinstance(auth, ProfileTokenAuth) else {},
        challenge=bearer_error(response),
        stopped=stopped,
    )


async def _stream(
    response: httpx.Response,
    sink: _Sink,
    body_path: Path,
    limits: Limits,
    written: _Written,
) -> str:
    """Write the decoded body; why it stopped early, or "" when it arrived whole."""
    next_check = FREE_SPACE_CHECK_EVERY
    # aclosing: leaving the loop early must close the body's generators on this loop, not
    # leave them to the garbage collector (where httpcore's cleanup cannot await).
    async with contextlib.aclosing(decoded_body(response)) as body:
        async for chunk in body:
            if written.size + len(chunk) > limits.max_bytes:
                sink.write(chunk[: limits.max_bytes - written.size])
                written.add(limits.max_bytes - written.size)
                return (
                    f"Stopped at {human_bytes(limits.max_bytes)}: the answer is larger than the "
                    "size limit. The first part is shown below; raise the limit to get more."
                )
            sink.write(chunk)
            written.add(len(chunk))
            if written.size >= next_check:
                next_check += FREE_SPACE_CHECK_EVERY
                if _free_space(body_path.parent) < limits.min_free_bytes:
                    return (
                        f"Stopped at {human_bytes(written.size)}: the disk is almost full. The "
                        "first part is shown below."
                    )
    return ""


class _Sink:
    """The body as it streams in: in memory up to IN_MEMORY bytes; past that, everything so
    far and the rest in `path`. A small body costs no file created, written and unlinked."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._chunks: list[bytes] = []
        self._size = 0
        self._file: BinaryIO | None = None

    def write(self, chunk: bytes) -> None:
        if self._file is None:
            if self._size + len(chunk) <= IN_MEMORY:
                self._chunks.append(chunk)
                self._size += len(chunk)
                return
            self._file = self._path.open("wb")
            self._file.writelines(self._chunks)
            self._chunks = []
        self._file.write(chunk)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()

    def content(self) -> bytes | None:
        return b"".join(self._chunks) if self._file is None else None


class _Written:
    def __init__(self, progress: Callable[[int], None] | None) -> None:
        self.size = 0
        self._progress = progress

    def add(self, count: int) -> None:
        self.size += count
        if self._progress is not None:
            self._progress(self.size)


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
