"""A local API on 127.0.0.1 that answers 200 to anything and records what reached it, byte for
byte: the common ground on which the peers' runners (newman, bru) and Tokendesk are compared."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

# Headers a client adds on its own (connection handling, its name, runner bookkeeping) or that
# carry auth: not part of what the collection asked for.
NOT_COMPARED = frozenset(
    {
        "authorization",
        "user-agent",
        "host",
        "connection",
        "keep-alive",
        "content-length",
        "accept-encoding",
        "transfer-encoding",
        "postman-token",  # newman marks each request with a random one
        "cache-control",  # newman adds no-cache to each request
        "request-start-time",  # bru times each request with it
    }
)
# What each runner sends as Accept when the request names none.
DEFAULT_ACCEPT = frozenset({"*/*", "application/json, text/plain, */*"})


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def comparable(self) -> tuple[object, ...]:
        headers = sorted(
            (k.lower(), v)
            for k, v in self.headers
            if k.lower() not in NOT_COMPARED and not (k.lower() == "accept" and v in DEFAULT_ACCEPT)
        )
        body: object = self.body
        if ("content-type", "application/x-www-form-urlencoded") in headers:
            # "+" and "%20" are the same space in a form body (newman writes %20, httpx +).
            body = parse_qsl(self.body.decode(), keep_blank_values=True)
        return (self.method, self.path, self.query, tuple(headers), body)


class RecordingApi:
    def __init__(self) -> None:
        self.seen: list[Recorded] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _record(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                split = urlsplit(self.path)
                api.seen.append(
                    Recorded(
                        self.command,
                        split.path,
                        tuple(parse_qsl(split.query, keep_blank_values=True)),
                        tuple(self.headers.items()),
                        body,
                    )
                )
                payload = b'{"ok": true}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _record

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> RecordingApi:
        self._thread.start()
        return self

    def take(self) -> list[Recorded]:
        seen, self.seen = self.seen, []
        return seen

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
