"""A minimal HTTP/1.1 server on asyncio streams, enough for the sandbox's few endpoints."""

from __future__ import annotations

import asyncio
import contextlib
import json
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

MAX_BODY = 1024 * 1024


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    peer_cert: bytes | None = None  # the client's TLS certificate (DER), when it sent one

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode("utf-8", "replace")).items()}


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, data: Any, headers: dict[str, str] | None = None) -> Response:
        return cls(status, json.dumps(data, indent=1).encode(), "application/json", headers or {})


REASONS = {
    200: "OK",
    201: "Created",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Payload Too Large",
}
Handler = Callable[[Request], Awaitable[Response]]


class HttpServer:
    def __init__(self, handler: Handler, tls: ssl.SSLContext | None = None) -> None:
        self._handler = handler
        self._tls = tls
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self._tls)
        self.port = self._server.sockets[0].getsockname()[1]

    @property
    def base(self) -> str:
        return f"{'https' if self._tls else 'http'}://127.0.0.1:{self.port}"

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for task in list(self._connections):
                task.cancel()
            await asyncio.gather(*self._connections, return_exceptions=True)
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
        tls_object = writer.get_extra_info("ssl_object")
        peer = tls_object.getpeercert(binary_form=True) if tls_object is not None else None
        try:
            while True:
                line = (await reader.readline()).decode("latin-1").strip()
                if not line:
                    return
                method, target, _ = line.split(" ", 2)
                headers: dict[str, str] = {}
                while (raw := (await reader.readline()).decode("latin-1").strip()) != "":
                    name, _, value = raw.partition(":")
                    headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0") or 0)
                if length > MAX_BODY:
                    await self._write(writer, Response.json(413, {"error": "too_large"}))
                    return
                body = await reader.readexactly(length)
                split = urlsplit(target)
                request = Request(
                    method.upper(), split.path, parse_qs(split.query), headers, body, peer
                )
                # HEAD is answered as GET without the body (RFC 9110 §9.3.2).
                answer = await self._handler(request)
                await self._write(writer, answer, body=request.method != "HEAD")
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        except asyncio.CancelledError:
            # Stopping the server cancels its connections; ending quietly keeps asyncio's
            # stream callback from logging the cancellation as an error at quit.
            return
        finally:
            if task is not None:
                self._connections.discard(task)
            with contextlib.suppress(Exception):
                writer.close()

    @staticmethod
    async def _write(
        writer: asyncio.StreamWriter, response: Response, *, body: bool = True
    ) -> None:
        head = [
            f"HTTP/1.1 {response.status} {REASONS.get(response.status, 'OK')}",
            f"Content-Type: {response.content_type}",
            f"Content-Length: {len(response.body)}",
            "Cache-Control: no-store",
            *(f"{k}: {v}" for k, v in response.headers.items()),
        ]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        for start in range(0, len(response.body) if body else 0, 256 * 1024):
            writer.write(response.body[start : start + 256 * 1024])
            await writer.drain()
