"""The real identity server for tests: npm `oidc-provider` (pinned under tests/idp) on 127.0.0.1.

Keys and client secrets are made here, per test session, and handed to the server in a config
file; tests read them back from `IdentityServer.clients`. A test CA (trustme) issues the server
certificate of the mutual-TLS listener and the clients' certificates (RFC 8705).
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trustme
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from tests.support import test_certs

IDP_DIR = Path(__file__).resolve().parents[1] / "idp"
JWT_API = "https://api.tokendesk.test"
OPAQUE_API = "urn:tokendesk:opaque-api"
SCOPES = ["api:read", "api:write", "orders:read"]
WEIRD_SECRET = "p@ss:w+rd/%&= x"
CLIENT_DNS = "client.tokendesk.test"
CERT_KEY_ID = "okta-key-7"


@dataclass(frozen=True)
class TestClient:
    client_id: str
    auth_method: str
    secret: str | None = None
    private_key_pem: str | None = None
    scope: str = "api:read api:write"
    # The client's certificate (PEM): for mutual TLS, or for private_key_jwt's x5t.
    cert_pem: str | None = None
    cert_key_pem: str | None = None


@dataclass
class IdentityServer:
    issuer: str
    clients: dict[str, TestClient]
    signing_jwk: dict[str, Any]
    process: subprocess.Popen[str]
    log: list[str] = field(default_factory=list)
    mtls_base: str = ""  # the https listener that asks for client certificates
    ca: trustme.CA | None = None
    ca_bundle: str = ""  # PEM file of the test CA, for profiles' `ca_bundle`

    @property
    def token_endpoint(self) -> str:
        return f"{self.issuer}/token"

    @property
    def jwks_uri(self) -> str:
        return f"{self.issuer}/jwks"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self.process.stdout is not None:
            self.process.stdout.close()


def _pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def make_clients(
    ca: trustme.CA | None = None,
) -> tuple[dict[str, TestClient], list[dict[str, Any]]]:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    clients = {
        "basic": TestClient("m2m-basic", "client_secret_basic", secret="basic-secret-0123456789"),
        "post": TestClient("m2m-post", "client_secret_post", secret="post-secret-0123456789"),
        "weird": TestClient("m2m-weird", "client_secret_basic", secret=WEIRD_SECRET),
        "weird-post": TestClient("m2m-weird-post", "client_secret_post", secret=WEIRD_SECRET),
        "jwt-secret": TestClient(
            "m2m-secret-jwt", "client_secret_jwt", secret="hmac-secret-" + "x" * 40
        ),
        "pkjwt": TestClient("m2m-pkjwt", "private_key_jwt", private_key_pem=_pem(rsa_key)),
        "pkjwt-ec": TestClient("m2m-pkjwt-ec", "private_key_jwt", private_key_pem=_pem(ec_key)),
        "narrow": TestClient(
            "m2m-narrow",
            "client_secret_basic",
            secret="narrow-secret-0123456789",
            scope="orders:read",
        ),
    }
    public_keys = {
        "pkjwt": json.loads(RSAAlgorithm.to_jwk(rsa_key.public_key())),
        "pkjwt-ec": json.loads(ECAlgorithm.to_jwk(ec_key.public_key())),
    }
    extra: dict[str, dict[str, Any]] = {}
    if ca is not None:
        extra = _sender_clients(ca, clients, public_keys)
    metadata = []
    for name, client in clients.items():
        entry: dict[str, Any] = {
            "client_id": client.client_id,
            "grant_types": ["client_credentials"],
            "redirect_uris": [],
            "response_types": [],
            "token_endpoint_auth_method": client.auth_method,
            "scope": client.scope,
        }
        if client.secret is not None:
            entry["client_secret"] = client.secret
        if name in public_keys:
            entry["jwks"] = {"keys": [public_keys[name]]}
        entry.update(extra.get(name, {}))
        metadata.append(entry)
    return clients, metadata


def _sender_clients(
    ca: trustme.CA, clients: dict[str, TestClient], public_keys: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Clients for sender-constrained tokens (RFC 8705, RFC 9449); returns their extra metadata."""
    issued = ca.issue_cert(CLIENT_DNS)
    ca_cert, ca_key = (
        issued.cert_chain_pems[0].bytes().decode(),
        issued.private_key_pem.bytes().decode(),
    )
    self_cert, self_key = test_certs.self_signed("self-signed.tokendesk.test")
    cert_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signing_cert = test_certs.self_signed_for(cert_key, "assertion.tokendesk.test")
    bound = {"tls_client_certificate_bound_access_tokens": True}
    clients["tls"] = TestClient("m2m-tls", "tls_client_auth", cert_pem=ca_cert, cert_key_pem=ca_key)
    clients["self-signed"] = TestClient(
        "m2m-self-signed",
        "self_signed_tls_client_auth",
        cert_pem=self_cert,
        cert_key_pem=self_key,
    )
    clients["bound-secret"] = TestClient(
        "m2m-bound-secret",
        "client_secret_basic",
        secret="bound-secret-0123456789",
        cert_pem=ca_cert,
        cert_key_pem=ca_key,
    )
    clients["dpop"] = TestClient("m2m-dpop", "client_secret_basic", secret="dpop-secret-0123456789")
    clients["pkjwt-cert"] = TestClient(
        "m2m-pkjwt-cert",
        "private_key_jwt",
        private_key_pem=_pem(cert_key),
        cert_pem=signing_cert,
    )
    signing_jwk = json.loads(RSAAlgorithm.to_jwk(cert_key.public_key()))
    signing_jwk["x5c"] = [test_certs.der_b64(signing_cert)]
    signing_jwk["kid"] = CERT_KEY_ID  # the server selects the key by the assertion's kid
    public_keys["pkjwt-cert"] = signing_jwk
    self_jwk = test_certs.public_jwk(self_cert)
    self_jwk["x5c"] = [test_certs.der_b64(self_cert)]
    public_keys["self-signed"] = self_jwk
    return {
        "tls": {"tls_client_auth_san_dns": CLIENT_DNS, **bound},
        "self-signed": bound,
        "bound-secret": bound,
        "dpop": {"dpop_bound_access_tokens": True},
    }


def start(workdir: Path, *, jwt_ttl: int = 120, ca: trustme.CA | None = None) -> IdentityServer:
    if not (IDP_DIR / "node_modules" / "oidc-provider").exists():
        raise RuntimeError("oidc-provider is not installed: run `make test` (it runs npm ci).")
    signing = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signing_jwk = json.loads(RSAAlgorithm.to_jwk(signing))
    signing_jwk.update(kid="idp-key-1", use="sig", alg="RS256")
    ca = ca or trustme.CA()
    clients, metadata = make_clients(ca)
    server_cert = ca.issue_cert("127.0.0.1")
    ca_bundle = workdir / "test-ca.pem"
    ca_bundle.write_bytes(ca.cert_pem.bytes())
    config: dict[str, Any] = {
        "jwks": {"keys": [signing_jwk]},
        "clients": metadata,
        "scopes": SCOPES,
        "resources": {
            JWT_API: {"scope": " ".join(SCOPES), "ttl": jwt_ttl, "format": "jwt"},
            OPAQUE_API: {"scope": " ".join(SCOPES), "ttl": 600, "format": "opaque"},
        },
        "defaultResource": JWT_API,
        "tls": {
            "cert": "".join(p.bytes().decode() for p in server_cert.cert_chain_pems),
            "key": server_cert.private_key_pem.bytes().decode(),
            "ca": ca.cert_pem.bytes().decode(),
        },
    }
    config_path = workdir / "idp-config.json"
    config_path.write_text(json.dumps(config))
    process = subprocess.Popen(
        ["node", str(IDP_DIR / "server.mjs"), str(config_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=IDP_DIR,
    )
    assert process.stdout is not None
    log: list[str] = []
    issuer: list[str] = []
    mtls: list[str] = []
    ready = threading.Event()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            log.append(line.rstrip())
            if line.startswith("MTLS "):
                mtls.append(line.split()[1])
            if line.startswith("READY "):
                issuer.append(line.split()[1])
                ready.set()
        ready.set()

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + 30
    while not ready.wait(0.1):
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("oidc-provider did not start:\n" + "\n".join(log))
    if not issuer:
        raise RuntimeError("oidc-provider exited:\n" + "\n".join(log))
    public = {k: v for k, v in signing_jwk.items() if k in {"kty", "n", "e", "kid", "use", "alg"}}
    return IdentityServer(
        issuer[0],
        clients,
        public,
        process,
        log,
        mtls_base=mtls[0] if mtls else "",
        ca=ca,
        ca_bundle=str(ca_bundle),
    )
