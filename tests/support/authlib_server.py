"""A real OAuth server library on 127.0.0.1: Authlib's `AuthorizationServer` (the field's standard
Python server library) behind the standard library's threading HTTP server.

Authlib reads Basic credentials by splitting on `:` and percent-decoding (`unquote`) but not
form-decoding (`+` stays a plus), like several popular server libraries: a secret holding a space,
sent form-encoded as RFC 6749 §2.3.1 asks, is refused; sent as typed, accepted. It also serves
the JWT-bearer grant (RFC 7523 §2.1) and private_key_jwt client assertions, checked against the
client's public JWK (selected by `kid`).

`checks` put a provider's documented request shape in front of the library (Auth0 wants an
`audience`, Entra a `…/.default` scope...): each sees (path, form, headers) and may answer first.
"""

from __future__ import annotations

import hmac
import json
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

from authlib.oauth2.rfc6749 import AuthorizationServer, ClientMixin, OAuth2Request
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion, JWTBearerGrant
from joserfc import jwk

ASSERTION_AUTH = JWTBearerClientAssertion.CLIENT_AUTH_METHOD  # Authlib's name for *_jwt auth
Answer = tuple[int, dict[str, Any]]
Check = Callable[[str, dict[str, str], Mapping[str, str]], Answer | None]


@dataclass
class RegisteredClient(ClientMixin):  # type: ignore[misc]
    client_id: str
    secret: str | None = None
    auth_methods: tuple[str, ...] = ("client_secret_basic", "client_secret_post")
    grant_types: tuple[str, ...] = ("client_credentials",)
    public_jwk: dict[str, Any] | None = None
    scope: str = ""

    def get_client_id(self) -> str:
        return self.client_id

    def check_client_secret(self, client_secret: str) -> bool:
        return self.secret is not None and hmac.compare_digest(client_secret, self.secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in self.auth_methods

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.grant_types

    def get_allowed_scope(self, scope: str | None) -> str:
        if not scope:
            return ""
        allowed = set(self.scope.split())
        return " ".join(s for s in scope.split() if s in allowed)

    def keys(self) -> jwk.KeySet:
        assert self.public_jwk is not None, f"{self.client_id} has no public key"
        return jwk.KeySet.import_key_set({"keys": [self.public_jwk]})


class _Request(OAuth2Request):  # type: ignore[misc]
    def __init__(self, path: str, headers: Mapping[str, str], form: dict[str, str]) -> None:
        # Authlib refuses plain http; the listener is loopback-only, so the check is moot here.
        super().__init__("POST", f"https://127.0.0.1{path}", headers=headers)
        self.payload = BasicOAuth2Payload(form)
        self._form = form

    @property
    def form(self) -> dict[str, str]:
        return self._form

    @property
    def args(self) -> dict[str, str]:
        return {}


class _ClientCredentials(ClientCredentialsGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = [
        "client_secret_basic",
        "client_secret_post",
        ASSERTION_AUTH,
    ]


@dataclass
class AuthlibServer:
    clients: list[RegisteredClient]
    checks: list[Check] = field(default_factory=list)
    metadata: dict[str, Any] | None = None  # served at /.well-known/oauth-authorization-server
    requests: list[tuple[str, dict[str, str], dict[str, str]]] = field(default_factory=list)
    _http: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def base(self) -> str:
        assert self._http is not None
        return f"http://127.0.0.1:{self._http.server_address[1]}"

    def start(self) -> AuthlibServer:
        owner = self
        library = self._library()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/.well-known/oauth-authorization-server" and owner.metadata:
                    self._send(200, {"issuer": owner.base, **owner.metadata}, {})
                else:
                    self._send(404, {"error": "not_found"}, {})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8", "replace")
                form = dict(parse_qsl(body, keep_blank_values=True))
                path = urlsplit(self.path).path
                owner.requests.append((path, dict(self.headers.items()), form))
                for check in owner.checks:
                    answer = check(path, form, self.headers)
                    if answer is not None:
                        self._send(*answer, {})
                        return
                status, payload, headers = library.create_token_response(
                    _Request(path, self.headers, form)
                )
                self._send(status, payload, dict(headers))

            def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                for name, value in headers.items():
                    if name.lower() != "content-type":
                        self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the suite's output stays the suite's

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
        if self._thread is not None:
            self._thread.join(10)

    def _library(self) -> AuthorizationServer:
        owner = self
        by_id = {c.client_id: c for c in self.clients}

        class Server(AuthorizationServer):  # type: ignore[misc]
            def query_client(self, client_id: str) -> RegisteredClient | None:
                return by_id.get(client_id)

            def save_token(self, token: dict[str, Any], request: Any) -> None:
                pass

            def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
                pass

            def create_oauth2_request(self, request: _Request) -> _Request:
                return request

            def handle_response(
                self, status: int, body: dict[str, Any], headers: list[tuple[str, str]]
            ) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
                return status, body, headers

        def audiences() -> list[str]:
            # Assertions are addressed to the token URL the client was given.
            return [f"{owner.base}{path}" for path, _, _ in owner.requests[-1:]]

        class Assertion(JWTBearerClientAssertion):  # type: ignore[misc]
            seen: ClassVar[set[str]] = set()

            def validate_jti(self, claims: Any, jti: str) -> bool:
                if jti in self.seen:
                    return False
                self.seen.add(jti)
                return True

            def resolve_client_public_key(self, client: RegisteredClient) -> jwk.KeySet:
                return client.keys()

            def get_audiences(self) -> list[str]:
                return audiences()

        class Bearer(JWTBearerGrant):  # type: ignore[misc]
            def resolve_issuer_client(self, issuer: str) -> RegisteredClient | None:
                return by_id.get(issuer)

            def resolve_client_public_key(self, client: RegisteredClient) -> jwk.KeySet:
                return client.keys()

            def get_audiences(self) -> list[str]:
                return audiences()

            def authenticate_user(self, subject: str) -> None:
                return None

            def has_granted_permission(self, client: Any, user: Any) -> bool:
                return True

        server = Server()
        server.register_token_generator(
            "default", BearerTokenGenerator(lambda **_: secrets.token_urlsafe(24))
        )
        server.register_client_auth_method(ASSERTION_AUTH, Assertion())
        server.register_grant(_ClientCredentials)
        server.register_grant(Bearer)
        return server
