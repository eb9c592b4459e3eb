"""A real resource server for tests: it checks bearer JWTs from the test identity server against
its JWKS (signature, audience, expiry, scope) and answers 401/403 with a proper WWW-Authenticate
(RFC 6750 §3), as a well-behaved API does. It speaks HTTP through the sandbox's small server
(app/sandbox/http_server.py) on 127.0.0.1.

It runs in a process of its own (as a real API would), so building a 50 MB answer never takes
the test process's GIL away from the window under test.

Endpoints: GET /public (no token), GET /orders (api:read), POST /orders (api:write),
GET /admin (admin:all, which no client has), GET /echo (what arrived), GET /big?mb=N (N MB of JSON),
POST /_control/reject-before-now (tokens issued until now count as expired server-side).

Sender-constrained tokens are checked as RFC 8705 §3 and RFC 9449 §7 ask: a token with
`cnf.x5t#S256` only with that client certificate in TLS (the https listener asks for one), a token
with `cnf.jkt` only as `Authorization: DPoP` with a valid proof (htm, htu, iat, ath, a jti never
seen before, the server's nonce, signed by the key the token is bound to).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import secrets
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt

from app.sandbox.http_server import HttpServer, Request, Response


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
class _Api:
    issuer: str
    audience: str
    seen_authorization: list[str | None] = field(default_factory=list)
    reject_before: float = 0.0
    base: str = ""
    nonce: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    seen_jti: set[str] = field(default_factory=set)
    _jwks: dict[str, Any] = field(default_factory=dict)
    _big: dict[float, bytes] = field(default_factory=dict)

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

    def _check(self, request: Request, scope: str) -> tuple[int, str, dict[str, str]] | None:
        """None when allowed, else (status, WWW-Authenticate, more headers)."""
        authorization = request.headers.get("authorization") or ""
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() not in {"bearer", "dpop"} or not token.strip():
            return 401, 'Bearer realm="tokendesk-test-api"', {}
        token = token.strip()
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
            return (
                401,
                self._challenge("invalid_token", "The access token is invalid or expired"),
                {},
            )
        if claims.get("iat", 0) < self.reject_before:
            return 401, self._challenge("invalid_token", "The access token has been revoked"), {}
        refused = self._check_binding(request, scheme.lower(), token, claims.get("cnf") or {})
        if refused is not None:
            return refused
        if scope and scope not in str(claims.get("scope", "")).split():
            return (
                403,
                self._challenge("insufficient_scope", "The token lacks a required scope", scope),
                {},
            )
        return None

    def _check_binding(
        self, request: Request, scheme: str, token: str, cnf: dict[str, Any]
    ) -> tuple[int, str, dict[str, str]] | None:
        bound_cert = cnf.get("x5t#S256")
        if bound_cert:
            presented = (
                _b64url(hashlib.sha256(request.peer_cert).digest()) if request.peer_cert else None
            )
            if presented != bound_cert:
                return (
                    401,
                    self._challenge(
                        "invalid_token", "The token is bound to another client certificate"
                    ),
                    {},
                )
        jkt = cnf.get("jkt")
        if jkt and scheme != "dpop":
            return 401, self._challenge("invalid_token", "A DPoP-bound token needs a proof"), {}
        if scheme == "dpop":
            problem = self._dpop_problem(request, token, jkt)
            if problem == "use_dpop_nonce":
                challenge = 'DPoP error="use_dpop_nonce", error_description="Use the nonce"'
                return 401, challenge, {"DPoP-Nonce": self.nonce}
            if problem:
                return 401, f'DPoP error="invalid_dpop_proof", error_description="{problem}"', {}
        return None

    def _dpop_problem(self, request: Request, token: str, jkt: str | None) -> str:
        proof = request.headers.get("dpop", "")
        try:
            header = jwt.get_unverified_header(proof)
            if header.get("typ") != "dpop+jwt" or header.get("alg") not in {"ES256", "RS256"}:
                return "wrong typ or alg"
            public = header["jwk"]
            claims = jwt.decode(proof, jwt.PyJWK(public), algorithms=[header["alg"]])
        except (jwt.PyJWTError, KeyError, ValueError) as exc:
            return f"unreadable proof: {exc}"
        checks = {
            "htm": claims.get("htm") == request.method,
            "htu": claims.get("htu") == self.base + request.path,
            "iat": abs(time.time() - float(claims.get("iat", 0))) < 60,
            "ath": claims.get("ath") == _b64url(hashlib.sha256(token.encode()).digest()),
            "jkt": jkt is None or _jkt(public) == jkt,
            "jti": bool(claims.get("jti")) and claims["jti"] not in self.seen_jti,
        }
        failed = [name for name, ok in checks.items() if not ok]
        if failed:
            return "proof check failed: " + " ".join(failed)
        if claims.get("nonce") != self.nonce:
            return "use_dpop_nonce"
        self.seen_jti.add(claims["jti"])
        return ""

    # Endpoints -----------------------------------------------------------------------------

    async def route(self, request: Request) -> Response:  # noqa: PLR0911 - one per endpoint
        path, method = request.path, request.method
        authorization = request.headers.get("authorization")
        if path == "/_control/reject-before-now":
            self.reject_before = int(time.time())
            return Response.json(200, {"ok": True})
        if path == "/_control/seen":
            return Response.json(200, self.seen_authorization)
        self.seen_authorization.append(authorization)
        if path == "/public":
            return Response.json(200, {"status": "open", "needs_token": False})
        if path == "/echo":
            return Response.json(
                200,
                {
                    "method": method,
                    "path": path,
                    "query": request.query,
                    "headers": request.headers,
                    "body": request.body.decode("utf-8", "replace"),
                },
            )
        if method == "HEAD":  # as GET, without the body (which the server leaves out)
            method = "GET"
        needed = {
            ("GET", "/orders"): "api:read",
            ("POST", "/orders"): "api:write",
            ("GET", "/admin"): "admin:all",
            ("GET", "/big"): "api:read",
        }.get((method, path))
        if needed is None:
            return Response.json(404, {"error": "not_found"})
        refused = self._check(request, needed)
        if refused is not None:
            return Response.json(
                refused[0],
                {"error": "unauthorized"},
                {"WWW-Authenticate": refused[1], **refused[2]},
            )
        if path == "/orders" and method == "GET":
            return Response.json(
                200,
                {
                    "orders": [
                        {"id": 1, "item": "Widget", "qty": 3},
                        {"id": 2, "item": "Gadget", "qty": 1},
                    ]
                },
            )
        if path == "/orders":
            return Response.json(201, {"created": json.loads(request.body or b"{}")})
        if path == "/big":
            size = float(request.query.get("mb", ["1"])[0])
            if size not in self._big:
                self._big[size] = big_json(size)
            return Response(200, self._big[size])
        return Response.json(200, {"secret": "admin data"})


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _jkt(jwk: dict[str, Any]) -> str:
    members = {"EC": ("crv", "kty", "x", "y"), "RSA": ("e", "kty", "n")}[jwk["kty"]]
    canonical = json.dumps({m: jwk[m] for m in members}, separators=(",", ":"))
    return _b64url(hashlib.sha256(canonical.encode()).digest())


class ResourceServer:
    """The test's handle on the API process. With `tls` (certificate file, key file, client CA
    file) it listens on https and asks clients for a certificate."""

    def __init__(self, issuer: str, audience: str, tls: tuple[str, str, str] | None = None) -> None:
        self.issuer = issuer
        self.audience = audience
        self.base = ""
        self._tls = tls
        self._process: subprocess.Popen[str] | None = None

    def start(self) -> ResourceServer:
        root = Path(__file__).resolve().parents[2]
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.support.resource_server",
                self.issuer,
                self.audience,
                *(self._tls or ()),
            ],
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
        self.base = f"{'https' if self._tls else 'http'}://127.0.0.1:{line.split()[1]}"
        return self

    @property
    def seen_authorization(self) -> list[str | None]:
        """The Authorization header of every request so far (None where there was none)."""
        url = f"{self.base}/_control/seen"  # always 127.0.0.1
        context = ssl.create_default_context(cafile=self._tls[2]) if self._tls else None
        with urllib.request.urlopen(url, timeout=10, context=context) as answer:  # noqa: S310
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


async def serve(api: _Api, tls: ssl.SSLContext | None = None) -> None:
    server = HttpServer(api.route, tls)
    await server.start()
    api.base = server.base
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    print(f"READY {server.port}", flush=True)
    await stop.wait()
    await server.stop()


if __name__ == "__main__":
    issuer, audience = sys.argv[1], sys.argv[2]
    jwks = httpx.get(f"{issuer}/jwks", timeout=10).json()
    server_tls = None
    if len(sys.argv) > 3:
        cert_file, key_file, ca_file = sys.argv[3:6]
        server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=ca_file)
        server_tls.load_cert_chain(cert_file, key_file)
        # Optional: self-signed client certificates (RFC 8705 §2.2) chain to no CA, and the
        # binding check compares thumbprints, not chains.
        server_tls.verify_mode = ssl.CERT_OPTIONAL
    asyncio.run(serve(_Api(issuer, audience, _jwks=jwks), server_tls))
