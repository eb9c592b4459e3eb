"""The sandbox's identity server and demo API.

Identity: RFC 8414 / OpenID discovery, a JWKS, and a token endpoint doing the client-credentials
grant with client_secret_basic (form-encoded, RFC 6749 §2.3.1) or client_secret_post, issuing
RS256 JWT access tokens (RFC 9068) that live two minutes.
Demo API: /api/items (needs items:read), /api/admin (needs admin:all, which the sandbox client
does not have: insufficient_scope), /api/large (a large JSON document), /api/public (no token).
"""

from __future__ import annotations

import asyncio
import base64
import hmac
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from app.sandbox.http_server import HttpServer, Request, Response

CLIENT_ID = "sandbox-client"
CLIENT_SCOPES = ("items:read", "items:write")
TOKEN_LIFETIME = 120
AUDIENCE = "urn:tokendesk:sandbox-api"
LARGE_ITEMS = 20_000


@dataclass(frozen=True)
class SandboxInfo:
    issuer: str
    token_url: str
    api_base: str
    client_id: str
    client_secret: str


class Sandbox:
    def __init__(self, client_secret: str | None = None) -> None:
        self.client_secret = client_secret or secrets.token_urlsafe(24)
        self._key: rsa.RSAPrivateKey | None = None
        self._kid = uuid.uuid4().hex[:8]
        self.identity = HttpServer(self._identity)
        self.api = HttpServer(self._api)
        self._large: bytes | None = None

    async def start(self) -> SandboxInfo:
        # Generating an RSA key takes a moment of CPU: not on the window's thread.
        self._key = await asyncio.to_thread(
            rsa.generate_private_key, public_exponent=65537, key_size=2048
        )
        await self.identity.start()
        await self.api.start()
        return self.info

    @property
    def info(self) -> SandboxInfo:
        return SandboxInfo(
            issuer=self.identity.base,
            token_url=f"{self.identity.base}/token",
            api_base=f"{self.api.base}/api",
            client_id=CLIENT_ID,
            client_secret=self.client_secret,
        )

    async def stop(self) -> None:
        await self.identity.stop()
        await self.api.stop()

    # Identity ------------------------------------------------------------------------------

    async def _identity(self, request: Request) -> Response:
        base = self.identity.base
        if request.path in (
            "/.well-known/oauth-authorization-server",
            "/.well-known/openid-configuration",
        ):
            return Response.json(
                200,
                {
                    "issuer": base,
                    "token_endpoint": f"{base}/token",
                    "jwks_uri": f"{base}/jwks",
                    "grant_types_supported": ["client_credentials"],
                    "token_endpoint_auth_methods_supported": [
                        "client_secret_basic",
                        "client_secret_post",
                    ],
                    "scopes_supported": [*CLIENT_SCOPES, "admin:all"],
                },
            )
        if request.path == "/jwks":
            assert self._key is not None
            public = json.loads(RSAAlgorithm.to_jwk(self._key.public_key()))
            return Response.json(
                200, {"keys": [public | {"kid": self._kid, "use": "sig", "alg": "RS256"}]}
            )
        if request.path == "/token":
            if request.method != "POST":
                return Response.json(
                    405, {"error": "invalid_request", "error_description": "use POST"}
                )
            return self._token(request)
        return Response.json(404, {"error": "not_found"})

    def _client_authenticated(self, request: Request, form: dict[str, str]) -> bool:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("basic "):
            try:
                raw = base64.b64decode(header[6:].strip()).decode()
            except ValueError:
                return False
            user, _, password = raw.partition(":")
            client_id, secret = unquote_plus(user), unquote_plus(password)
        else:
            client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        return client_id == CLIENT_ID and hmac.compare_digest(secret, self.client_secret)

    def _token(self, request: Request) -> Response:
        form = request.form()
        if form.get("grant_type") != "client_credentials":
            return Response.json(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "the sandbox does client_credentials",
                },
            )
        if not self._client_authenticated(request, form):
            return Response.json(
                401,
                {"error": "invalid_client", "error_description": "wrong client id or secret"},
                {"WWW-Authenticate": 'Basic realm="sandbox", error="invalid_client"'},
            )
        asked = form.get("scope", "").split() or list(CLIENT_SCOPES)
        refused = [s for s in asked if s not in CLIENT_SCOPES]
        if refused:
            return Response.json(
                400,
                {
                    "error": "invalid_scope",
                    "error_description": f"the sandbox client may not have: {' '.join(refused)}",
                },
            )
        assert self._key is not None
        now = int(time.time())
        claims = {
            "iss": self.identity.base,
            "sub": CLIENT_ID,
            "client_id": CLIENT_ID,
            "aud": AUDIENCE,
            "iat": now,
            "exp": now + TOKEN_LIFETIME,
            "jti": uuid.uuid4().hex,
            "scope": " ".join(asked),
        }
        token = jwt.encode(
            claims, self._key, algorithm="RS256", headers={"kid": self._kid, "typ": "at+jwt"}
        )
        return Response.json(
            200,
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": TOKEN_LIFETIME,
                "scope": " ".join(asked),
            },
        )

    # Demo API ------------------------------------------------------------------------------

    def _challenge(self, error: str, description: str, scope: str = "") -> dict[str, str]:
        value = f'Bearer realm="sandbox-api", error="{error}", error_description="{description}"'
        if scope:
            value += f', scope="{scope}"'
        return {"WWW-Authenticate": value}

    def _check(self, request: Request, scope: str) -> Response | None:
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("bearer "):
            return Response.json(
                401, {"error": "no token"}, {"WWW-Authenticate": 'Bearer realm="sandbox-api"'}
            )
        assert self._key is not None
        try:
            claims = jwt.decode(
                header[7:].strip(),
                self._key.public_key(),
                algorithms=["RS256"],
                audience=AUDIENCE,
                issuer=self.identity.base,
            )
        except jwt.PyJWTError as exc:
            return Response.json(
                401,
                {"error": "invalid_token"},
                self._challenge("invalid_token", str(exc).replace('"', "'")),
            )
        if scope not in str(claims.get("scope", "")).split():
            return Response.json(
                403,
                {"error": "insufficient_scope"},
                self._challenge("insufficient_scope", f"this needs the scope {scope}", scope),
            )
        return None

    async def _api(self, request: Request) -> Response:
        if request.path == "/api/public":
            return Response.json(
                200,
                {
                    "message": (
                        "This endpoint needs no token. Some APIs answer certain calls (often "
                        "read-only queries) without a token; their docs call them public. For "
                        "those, choose Authentication → “No token (public API)”."
                    ),
                    "server_time": int(time.time()),
                },
            )
        needed = {
            "/api/items": "items:read",
            "/api/admin": "admin:all",
            "/api/large": "items:read",
        }.get(request.path)
        if needed is None:
            return Response.json(
                404,
                {
                    "error": "not_found",
                    "try": ["/api/items", "/api/admin", "/api/large", "/api/public"],
                },
            )
        refused = self._check(request, needed)
        if refused is not None:
            return refused
        if request.path == "/api/items":
            return Response.json(
                200,
                {
                    "items": [
                        {"id": 1, "name": "Blue widget", "in_stock": 12},
                        {"id": 2, "name": "Red gadget", "in_stock": 0},
                        {"id": 3, "name": "Green gizmo", "in_stock": 5},
                    ],
                    "note": "Sandbox data: nothing here is real.",
                },
            )
        if request.path == "/api/large":
            return Response(200, await self._large_document())
        return Response.json(200, {"secret": "you will not see this"})

    async def _large_document(self) -> bytes:
        if self._large is None:
            parts = []
            for start in range(0, LARGE_ITEMS, 2000):  # in slices, yielding between them
                parts.append(
                    ",".join(
                        json.dumps(
                            {
                                "id": i,
                                "name": f"Item {i}",
                                "price": round(i * 0.37, 2),
                                "tags": ["sandbox", "large"],
                                "description": "x" * 120,
                            }
                        )
                        for i in range(start, min(start + 2000, LARGE_ITEMS))
                    )
                )
                await asyncio.sleep(0)
            self._large = ('{"items": [' + ",".join(parts) + "]}").encode()
        return self._large


def example_requests() -> list[tuple[str, dict[str, Any]]]:
    """Saved requests for the Sandbox profile, so Send works at once."""
    return [
        ("1. List items", {"method": "GET", "url": "/items"}),
        ("2. Needs a scope you lack", {"method": "GET", "url": "/admin"}),
        ("3. A large document", {"method": "GET", "url": "/large"}),
        ("4. Public, no token", {"method": "GET", "url": "/public", "auth": "none"}),
    ]
