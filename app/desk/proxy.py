"""A local authenticating reverse proxy: tools that cannot do OAuth call 127.0.0.1 and the
profile's API answers, with the profile's token attached.

- Listens on 127.0.0.1 only. The base URL carries a random access key
  (`http://127.0.0.1:N/<key>/`): other local users can connect to the port but not borrow the
  token; a request without the key gets 403 and is never forwarded.
- Forwards only under the profile's API base URL, checked by the same binding rule as the
  composer (app/core/binding.py); the client cannot name another host.
- The token comes from the token manager (renewed before expiry) and is attached by the
  composer's `ProfileTokenAuth`, which renews it once on `401 invalid_token` and retries. A body
  too large to replay (over REPLAY_LIMIT) is streamed once, with the token attached but no retry.
- Bodies stream both ways in chunks: a 50 MB answer never sits in memory whole.
- One connection carries one request (`Connection: close`): simple, and every tool copes.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import secrets
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from app.core import binding
from app.core.errors import ProfileError, TokendeskError

if TYPE_CHECKING:
    import httpx

    from app.core.profiles import Profile
    from app.desk.desk import Desk

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
CHUNK = 64 * 1024
REPLAY_LIMIT = 1024 * 1024
HEAD_LIMIT = 64 * 1024
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "authorization",
    }
)


@dataclass(frozen=True)
class ProxyRequest:
    """One line of the request log. `path` never holds the access key; nothing holds a token."""

    method: str
    path: str
    status: int
    seconds: float

    def line(self) -> str:
        return f"{self.method} {self.path} {self.status} {self.seconds * 1000:.0f} ms"


class _BadRequest(Exception):
    pass


async def _read_head(reader: asyncio.StreamReader) -> tuple[str, str, list[tuple[str, str]]]:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
        raise _BadRequest from exc
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise _BadRequest
    headers = []
    for line in lines[1:]:
        if line:
            name, sep, value = line.partition(":")
            if not sep:
                raise _BadRequest
            headers.append((name.strip(), value.strip()))
    return parts[0], parts[1], headers


async def _chunked(reader: asyncio.StreamReader) -> AsyncIterator[bytes]:
    while True:
        size_line = await reader.readline()
        size = int(size_line.split(b";")[0].strip() or b"0", 16)
        if size == 0:
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass  # trailers are dropped
            return
        yield await reader.readexactly(size)
        await reader.readexactly(2)


async def _sized(reader: asyncio.StreamReader, length: int) -> AsyncIterator[bytes]:
    left = length
    while left > 0:
        chunk = await reader.read(min(CHUNK, left))
        if not chunk:
            raise _BadRequest
        left -= len(chunk)
        yield chunk


class _StreamedTokenAuth:
    """For a body that can be sent only once: the current token, no retry. Built lazily so the
    class can subclass httpx.Auth without importing httpx at module load."""

    @staticmethod
    def make(get_token: Callable[[bool], Any]) -> httpx.Auth:
        import httpx

        class Auth(httpx.Auth):
            async def async_auth_flow(
                self, request: httpx.Request
            ) -> Any:  # AsyncGenerator[httpx.Request, httpx.Response]
                token = await get_token(False)
                request.headers["Authorization"] = token.authorization_header
                yield request

        return Auth()


class Proxy:
    def __init__(
        self,
        desk: Desk,
        profile: Profile,
        *,
        port: int = 0,
        on_request: Callable[[ProxyRequest], None] | None = None,
        key: str | None = None,
    ) -> None:
        if not profile.api_base_url:
            raise ProfileError(
                f"The profile “{profile.name}” has no API base URL to serve.",
                "Set one first: tokendesk profile edit NAME --api-base URL.",
            )
        self._desk = desk
        self._profile = profile
        self._port = port
        self._on_request = on_request or (lambda _r: None)
        self.key = key or secrets.token_urlsafe(18)
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self._port}/{self.key}/"

    async def start(self) -> str:
        self._server = await asyncio.start_server(self._accept, HOST, self._port, limit=HEAD_LIMIT)
        self._port = self._server.sockets[0].getsockname()[1]
        return self.base_url

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for task in list(self._handlers):
                task.cancel()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
        try:
            await self._serve(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            if task is not None:
                self._handlers.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    def _target(self, raw_path: str) -> str | None:
        """The upstream URL for a request path, or None without the right access key."""
        _, _, rest = raw_path.partition("/")
        key, _, tail = rest.partition("/")
        if not hmac.compare_digest(key.encode(), self.key.encode()):
            return None
        return self._profile.api_base_url.rstrip("/") + "/" + tail

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        started = time.monotonic()
        try:
            method, raw_path, headers = await _read_head(reader)
        except _BadRequest:
            await _plain(writer, 400, "Bad Request", "This proxy speaks HTTP/1.1.")
            return
        target = self._target(raw_path)
        if target is None:
            await _plain(writer, 403, "Forbidden", "This address needs the access key.\n")
            self._log(method, "(without the access key)", 403, started)
            return
        shown = "/" + raw_path.partition("/")[2].partition("/")[2]
        status = await self._forward(method, target, headers, reader, writer)
        self._log(method, shown, status, started)

    def _log(self, method: str, path: str, status: int, started: float) -> None:
        self._on_request(ProxyRequest(method, path, status, time.monotonic() - started))

    async def _body(
        self, headers: list[tuple[str, str]], reader: asyncio.StreamReader
    ) -> bytes | AsyncIterator[bytes] | None:
        lowered = {k.lower(): v for k, v in headers}
        if "chunked" in lowered.get("transfer-encoding", "").lower():
            return _chunked(reader)
        length = int(lowered.get("content-length", "0") or 0)
        if length <= 0:
            return None
        if length <= REPLAY_LIMIT:
            return await reader.readexactly(length)  # small: kept so a retry can resend it
        return _sized(reader, length)

    async def _forward(
        self,
        method: str,
        target: str,
        headers: list[tuple[str, str]],
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> int:
        import httpx

        decision = binding.check(target, self._profile)
        if not decision.allowed or urlsplit(target).scheme not in {"http", "https"}:
            await _plain(writer, 403, "Forbidden", decision.reason or "Not the profile's API.")
            return 403
        profile = self._profile
        body = await self._body(headers, reader)
        # A chunked body goes on chunked (httpx decides); a sized one keeps its Content-Length.
        forwarded = [(k, v) for k, v in headers if k.lower() not in HOP_BY_HOP]
        try:
            client, auth = await self._desk.api_auth(profile)
        except TokendeskError as exc:
            await _plain(writer, 502, "Bad Gateway", f"Tokendesk: {exc.message} {exc.hint}\n")
            return 502
        if body is not None and not isinstance(body, bytes) and not profile.dpop:
            # Streamed once: it cannot be replayed, so no renewal-and-retry on this request.
            auth = _StreamedTokenAuth.make(lambda force: self._desk.get_token(profile, force=force))
        request = client.build_request(method, target, headers=forwarded, content=body)
        try:
            response = await client.send(request, auth=auth, stream=True)
        except TokendeskError as exc:
            await _plain(writer, 502, "Bad Gateway", f"Tokendesk: {exc.message} {exc.hint}\n")
            return 502
        except httpx.HTTPError as exc:
            await _plain(writer, 502, "Bad Gateway", f"Tokendesk: the API did not answer ({exc}).")
            return 502
        try:
            head = [f"HTTP/1.1 {response.status_code} {response.reason_phrase}"]
            head += [
                f"{k.decode('latin-1')}: {v.decode('latin-1')}"
                for k, v in response.headers.raw
                if k.decode("latin-1").lower() not in HOP_BY_HOP
            ]
            head.append("Connection: close")
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
            async for chunk in response.aiter_raw(CHUNK):
                writer.write(chunk)
                await writer.drain()
            await writer.drain()
        finally:
            await response.aclose()
        return int(response.status_code)


async def _plain(writer: asyncio.StreamWriter, status: int, reason: str, text: str) -> None:
    body = text.encode()
    writer.write(
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        + body
    )
    with contextlib.suppress(ConnectionError):
        await writer.drain()
