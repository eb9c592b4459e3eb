"""A local HTTP server that misbehaves on purpose: the bad-response corpus for the token engine.

It speaks raw HTTP/1.1 over asyncio streams so it can also do what a framework would not let it:
drip a byte at a time, reset the connection, or never answer. Runs on 127.0.0.1 in a thread.
Every wait is bounded so the server always stops by itself.
"""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import struct
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


def fake_jwt(claims: dict[str, object]) -> str:
    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256', 'typ': 'at+jwt'})}.{part(claims)}.c2lnbmF0dXJl"


def _response(status: str, body: bytes, content_type: str, extra: str = "") -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n{extra}Connection: close\r\n\r\n"
    )
    return head.encode() + body


@dataclass
class FaultServer:
    host: str = "127.0.0.1"
    port: int = 0
    seen: list[Seen] = field(default_factory=list)
    token_requests: int = 0
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _server: asyncio.Server | None = None

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    # Lifecycle -----------------------------------------------------------------------------

    def start(self) -> FaultServer:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self._loop = loop
            self._server = loop.run_until_complete(asyncio.start_server(self._handle, self.host, 0))
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            loop.run_forever()
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self._server.close()
            loop.run_until_complete(self._server.wait_closed())
            loop.close()
            asyncio.set_event_loop(None)

        self._thread = threading.Thread(target=run, name="fault-server", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    # Handling ------------------------------------------------------------------------------

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = (await reader.readline()).decode("latin-1").strip()
            if not request_line:
                return
            method, target, _ = request_line.split(" ", 2)
            headers: dict[str, str] = {}
            while (line := (await reader.readline()).decode("latin-1").strip()) != "":
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
            split = urlsplit(target)
            self.seen.append(Seen(method, split.path, headers, body))
            handler = ROUTES.get(split.path)
            if handler is None:
                writer.write(_response("404 Not Found", b"no such route", "text/plain"))
            else:
                await handler(self, writer, parse_qs(split.query))
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()


Handler = Callable[[FaultServer, asyncio.StreamWriter, dict[str, list[str]]], Awaitable[None]]


def _token_body(**fields: object) -> bytes:
    return json.dumps({"token_type": "Bearer", **fields}).encode()


async def _html(_s: FaultServer, w: asyncio.StreamWriter, _q: dict[str, list[str]]) -> None:
    page = b"<!DOCTYPE html><html><body><h1>Sign in</h1><form></form></body></html>"
    w.write(_response("200 OK", page, "text/html; charset=utf-8"))


async def _truncated(_s: FaultServer, w: asyncio.StreamWriter, _q: dict[str, list[str]]) -> None:
    w.write(
        _response("200 OK", b'{"access_token": "abc123", "token_type": "Bea', "application/json")
    )


async def _empty(_s: FaultServer, w: asyncio.StreamWriter, _q: dict[str, list[str]]) -> None:
    w.write(_response("200 OK", b"", "application/json"))


async def _string_expires(
    _s: FaultServer, w: asyncio.StreamWriter, _q: dict[str, list[str]]
) -> None:
    body = _token_body(access_token="opaque-string-expiry", expires_in="3600", scope="a b")
    w.write(_response("200 OK", body, "application/json"))


async def _no_expires(_s: FaultServer, w: asyncio.StreamWriter, _q: dict[str, list[str]]) -> None:
    exp = int(time.time()) + 900
    body = _token_body(access_token=fake_jwt({"exp": exp, "iat": exp - 900, "scope": "x y"}))
    w.write(_response("200 OK", body, "application/json"))


async def _no_expires_opaque(
    _s: FaultServer, w: asyncio.StreamWriter, _q: dict[str, list[str]]
) -> None:
    w.write(_response("200 OK", _token_body(access_token="opaque-forever"), "application/json"))


async def _plain_token(_s: FaultServer, w: asyncio.StreamWriter, _q: dict[str, list[str]]) -> None:
    body = _token_body(access_token="labelled-text-plain", expires_in=60)
    w.write(_response("200 OK", body, "text/plain"))


async def _json_array(_s: FaultServer, w: asyncio.StreamWriter, _q: dict[str, list[str]]) -> None:
    w.write(_response("200 OK", b"[1, 2, 3]", "application/json"))


async def _no_token(_s: FaultServer, w: asyncio.StreamWriter, _q: dict[str, list[str]]) -> None:
    w.write(_response("200 OK", b'{"status": "ok"}', "application/json"))


async def _huge(_s: FaultServer, w: asyncio.StreamWriter, _q: dict[str, list[str]]) -> None:
    size = 20 * 1024 * 1024
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {size}\r\n\r\n"
    w.write(head.encode())
    chunk = b" " * 65536
    try:
        for _ in range(size // len(chunk)):
            w.write(chunk)
            await w.drain()
    except ConnectionError:
        pass


async def _drip(_s: FaultServer, w: asyncio.StreamWriter, _q: dict[str, list[str]]) -> None:
    body = _token_body(access_token="too-slow", expires_in=60)
    head = (
        f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    w.write(head.encode())
    try:
        for byte in body:  # one byte every 0.3 s: each read is quick, the whole is not
            w.write(bytes([byte]))
            await w.drain()
            await asyncio.sleep(0.3)
    except ConnectionError:
        pass


async def _gzip_bomb(_s: FaultServer, w: asyncio.StreamWriter, _q: dict[str, list[str]]) -> None:
    body = _GZIP_BOMB()
    w.write(_response("200 OK", body, "application/json", "Content-Encoding: gzip, gzip\r\n"))


def _GZIP_BOMB() -> bytes:
    global _BOMB  # noqa: PLW0603
    if _BOMB is None:
        import gzip

        _BOMB = gzip.compress(gzip.compress(b"\0" * (256 * 1024 * 1024), 9), 9)
    return _BOMB


_BOMB: bytes | None = None


async def _not_gzip(_s: FaultServer, w: asyncio.StreamWriter, _q: dict[str, list[str]]) -> None:
    body = _token_body(access_token="abc", expires_in=60)
    w.write(_response("200 OK", body, "application/json", "Content-Encoding: gzip\r\n"))


async def _endless(_s: FaultServer, w: asyncio.StreamWriter, _q: dict[str, list[str]]) -> None:
    w.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"x" * 65536
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    try:
        for _ in range(100_000):  # bounded: 6 GB at most, never reached by a test
            w.write(frame)
            await w.drain()
    except ConnectionError:
        pass


async def _hang(_s: FaultServer, _w: asyncio.StreamWriter, _q: dict[str, list[str]]) -> None:
    await asyncio.sleep(60)


async def _reset(_s: FaultServer, w: asyncio.StreamWriter, _q: dict[str, list[str]]) -> None:
    sock = w.get_extra_info("socket")
    # SO_LINGER 0 makes close() send RST instead of FIN: a real "connection reset by peer".
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    w.transport.abort()


async def _status_500(_s: FaultServer, w: asyncio.StreamWriter, _q: dict[str, list[str]]) -> None:
    w.write(_response("500 Internal Server Error", b"Internal Server Error", "text/plain"))


async def _status_503(_s: FaultServer, w: asyncio.StreamWriter, _q: dict[str, list[str]]) -> None:
    page = b"<html><body>Down for maintenance</body></html>"
    w.write(_response("503 Service Unavailable", page, "text/html", "Retry-After: 7\r\n"))


async def _invalid_client(
    _s: FaultServer, w: asyncio.StreamWriter, _q: dict[str, list[str]]
) -> None:
    body = json.dumps(
        {"error": "invalid_client", "error_description": "client authentication failed"}
    ).encode()
    w.write(
        _response(
            "401 Unauthorized",
            body,
            "application/json",
            'WWW-Authenticate: Basic realm="token", error="invalid_client"\r\n',
        )
    )


async def _redirect(_s: FaultServer, w: asyncio.StreamWriter, _q: dict[str, list[str]]) -> None:
    w.write(_response("302 Found", b"", "text/html", "Location: https://login.example/\r\n"))


async def _counted(s: FaultServer, w: asyncio.StreamWriter, q: dict[str, list[str]]) -> None:
    s.token_requests += 1
    await asyncio.sleep(float(q.get("delay", ["0"])[0]))
    ttl = int(q.get("ttl", ["3600"])[0])
    body = _token_body(access_token=f"counted-{s.token_requests}", expires_in=ttl)
    w.write(_response("200 OK", body, "application/json"))


async def _echo(_s: FaultServer, w: asyncio.StreamWriter, _q: dict[str, list[str]]) -> None:
    body = _token_body(access_token="echo-token", expires_in=300)
    w.write(_response("200 OK", body, "application/json; charset=utf-8"))


ROUTES: dict[str, Handler] = {
    "/html": _html,
    "/truncated": _truncated,
    "/empty": _empty,
    "/string-expires": _string_expires,
    "/no-expires": _no_expires,
    "/no-expires-opaque": _no_expires_opaque,
    "/text-plain-token": _plain_token,
    "/json-array": _json_array,
    "/no-token": _no_token,
    "/huge": _huge,
    "/drip": _drip,
    "/hang": _hang,
    "/gzip-bomb": _gzip_bomb,
    "/not-gzip": _not_gzip,
    "/endless": _endless,
    "/reset": _reset,
    "/500": _status_500,
    "/503": _status_503,
    "/invalid-client": _invalid_client,
    "/redirect": _redirect,
    "/counted": _counted,
    "/echo": _echo,
}
