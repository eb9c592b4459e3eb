"""A real resource server for tests: it checks bearer JWTs from the test identity server against
its JWKS (signature, audience, expiry, scope) and answers 401/403 with a proper WWW-Authenticate
(RFC 6750 §3), as a well-behaved API does. Raw HTTP over asyncio on 127.0.0.1, in a thread.

It runs in a process of its own (as a real API would), so building a 50 MB answer never takes
the test process's GIL away from the window under test.

Endpoints: GET /public (no token), GET /orders (api:read), POST /orders (api:write),
GET /admin (admin:all, which no client has), GET /echo (what arrived), GET /big?mb=N (N MB of JSON),
POST /_control/reject-before-now (tokens issued until now count as expired server-side).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt


def big_json(megabytes: float) -> bytes:
    item = {
        "id": 0,
        "name": "Widget",
        "tags": ["a", "b", "c"],
        "price": {"amount": 12.5, "currency": "EUR"},
        "description": "x" * 60,
    }
    one = len(json.dumps(item)) + 2
    count = int(megabytes * 1024 * 1024 / one)
    items = ",".join(json.dumps({**item, "id": i}) for i in range(count))
    return f'{{"count": {count}, "items": [{items}]}}'.encode()


@dataclass
class _Server:
    issuer: str
    audience: str
    host: str = "127.0.0.1"
    port: int = 0
    seen_authorization: list[str | None] = field(default_factory=list)
    reject_before: float = 0.0
    _jwks: dict[str, Any] = field(default_factory=dict)
    _big: dict[float, bytes] = field(default_factory=dict)
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> _Server:
        self._jwks = httpx.get(f"{self.issuer}/jwks", timeout=10).json()
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self._loop = loop
            server = loop.run_until_complete(asyncio.start_server(self._handle, self.host, 0))
            self.port = server.sockets[0].getsockname()[1]
            ready.set()
            loop.run_forever()
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            server.close()
            loop.run_until_complete(server.wait_closed())
            loop.close()
            asyncio.set_event_loop(None)

        self._thread = threading.Thread(target=run, name="resource-server", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    # Checking tokens -----------------------------------------------------------------------

    def _challenge(self, error: str, description: str, scope: str = "") -> str:
        parts = [
            'Bearer realm="tokendesk-test-api"',
            f'error="{error}"',
            f'error_description="{description}"',
        ]
        if scope:
            parts.append(f'scope="{scope}"')
        return ", ".join(parts)

    def _check(self, authorization: str | None, scope: str) -> tuple[int, str] | None:
        """None when allowed, else (status, WWW-Authenticate)."""
        if not authorization or not authorization.lower().startswith("bearer "):
            return 401, 'Bearer realm="tokendesk-test-api"'
        token = authorization[7:].strip()
        try:
            header = jwt.get_unverified_header(token)
            key = next(k for k in self._jwks["keys"] if k.get("kid") == header.get("kid"))
            claims = jwt.decode(
                token,
                jwt.PyJWK(key),
                algorithms=["RS256"],
                audience=self.audience,
                issuer=self.issuer,
            )
        except (jwt.PyJWTError, StopIteration, ValueError):
            return 401, self._challenge("invalid_token", "The access token is invalid or expired")
        if claims.get("iat", 0) < self.reject_before:
            return 401, self._challenge("invalid_token", "The access token has been revoked")
        if scope and scope not in str(claims.get("scope", "")).split():
            return 403, self._challenge(
                "insufficient_scope", "The token lacks a required scope", scope
            )
        return None

    # HTTP ----------------------------------------------------------------------------------

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:  # keep-alive: clients reuse the connection
                line = (await reader.readline()).decode("latin-1").strip()
                if not line:
                    return
                method, target, _ = line.split(" ", 2)
                headers: dict[str, str] = {}
                while (raw := (await reader.readline()).decode("latin-1").strip()) != "":
                    name, _, value = raw.partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
                await self._route(writer, method, target, headers, body)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.close()

    async def _send(
        self,
        writer: asyncio.StreamWriter,
        status: str,
        body: bytes,
        *,
        ctype: str,
        extra: dict[str, str] | None = None,
    ) -> None:
        head = [f"HTTP/1.1 {status}", f"Content-Type: {ctype}", f"Content-Length: {len(body)}"]
        head += [f"{k}: {v}" for k, v in (extra or {}).items()]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode())
        for start in range(0, len(body), 1 << 20):
            writer.write(body[start : start + (1 << 20)])
            await writer.drain()

    async def _json(
        self,
        writer: asyncio.StreamWriter,
        status: str,
        data: Any,
        extra: dict[str, str] | None = None,
    ) -> None:
        await self._send(
            writer, status, json.dumps(data).encode(), ctype="application/json", extra=extra
        )

    async def _route(
        self,
        writer: asyncio.StreamWriter,
        method: str,
        target: str,
        headers: dict[str, str],
        body: bytes,
    ) -> None:
        split = urlsplit(target)
        query = parse_qs(split.query)
        authorization = headers.get("authorization")
        path = split.path
        if path == "/_control/reject-before-now":
            self.reject_before = int(time.time())
            await self._json(writer, "200 OK", {"ok": True})
            return
        if path == "/_control/seen":
            await self._json(writer, "200 OK", self.seen_authorization)
            return
        self.seen_authorization.append(authorization)
        if path == "/public":
            await self._json(writer, "200 OK", {"status": "open", "needs_token": False})
            return
        if path == "/echo":
            await self._json(
                writer,
                "200 OK",
                {
                    "method": method,
                    "path": path,
                    "query": query,
                    "headers": headers,
                    "body": body.decode("utf-8", "replace"),
                },
            )
            return
        needed = {
            ("GET", "/orders"): "api:read",
            ("POST", "/orders"): "api:write",
            ("GET", "/admin"): "admin:all",
            ("GET", "/big"): "api:read",
        }.get((method, path))
        if needed is None:
            await self._json(writer, "404 Not Found", {"error": "not_found"})
            return
        refused = self._check(authorization, needed)
        if refused is not None:
            status = "401 Unauthorized" if refused[0] == 401 else "403 Forbidden"
            await self._json(
                writer, status, {"error": "unauthorized"}, {"WWW-Authenticate": refused[1]}
            )
            return
        if path == "/orders" and method == "GET":
            await self._json(
                writer,
                "200 OK",
                {
                    "orders": [
                        {"id": 1, "item": "Widget", "qty": 3},
                        {"id": 2, "item": "Gadget", "qty": 1},
                    ]
                },
            )
        elif path == "/orders":
            await self._json(writer, "201 Created", {"created": json.loads(body or b"{}")})
        elif path == "/big":
            size = float(query.get("mb", ["1"])[0])
            if size not in self._big:
                self._big[size] = big_json(size)
            await self._send(writer, "200 OK", self._big[size], ctype="application/json")
        else:
            await self._json(writer, "200 OK", {"secret": "admin data"})


class ResourceServer:
    """The test's handle on the API process."""

    def __init__(self, issuer: str, audience: str) -> None:
        self.issuer = issuer
        self.audience = audience
        self.base = ""
        self._process: subprocess.Popen[str] | None = None

    def start(self) -> ResourceServer:
        root = Path(__file__).resolve().parents[2]
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.resource_server", self.issuer, self.audience],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=root,
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline().strip()
        if not line.startswith("READY "):
            self.stop()
            raise RuntimeError(f"the test API did not start: {line!r}")
        self.base = f"http://127.0.0.1:{line.split()[1]}"
        return self

    @property
    def seen_authorization(self) -> list[str | None]:
        """The Authorization header of every request so far (None where there was none)."""
        url = f"{self.base}/_control/seen"  # always http://127.0.0.1
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310
            seen: list[str | None] = json.loads(answer.read())
        return seen

    def stop(self) -> None:
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=5)
        if self._process.stdout is not None:
            self._process.stdout.close()


def serve(issuer: str, audience: str) -> None:
    server = _Server(issuer, audience).start()
    print(f"READY {server.port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        signal.sigwait({signal.SIGTERM, signal.SIGINT})
    server.stop()


if __name__ == "__main__":
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    serve(sys.argv[1], sys.argv[2])
