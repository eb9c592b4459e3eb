"""The real identity server for tests: npm `oidc-provider` (pinned under tests/idp) on 127.0.0.1.

Keys and client secrets are made here, per test session, and handed to the server in a config
file; tests read them back from `IdentityServer.clients`.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

IDP_DIR = Path(__file__).resolve().parents[1] / "idp"
JWT_API = "https://api.tokendesk.test"
OPAQUE_API = "urn:tokendesk:opaque-api"
SCOPES = ["api:read", "api:write", "orders:read"]
WEIRD_SECRET = "p@ss:w+rd/%&= x"


@dataclass(frozen=True)
class TestClient:
    client_id: str
    auth_method: str
    secret: str | None = None
    private_key_pem: str | None = None
    scope: str = "api:read api:write"


@dataclass
class IdentityServer:
    issuer: str
    clients: dict[str, TestClient]
    signing_jwk: dict[str, Any]
    process: subprocess.Popen[str]
    log: list[str] = field(default_factory=list)

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


def make_clients() -> tuple[dict[str, TestClient], list[dict[str, Any]]]:
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
        metadata.append(entry)
    return clients, metadata


def start(workdir: Path, *, jwt_ttl: int = 120) -> IdentityServer:
    if not (IDP_DIR / "node_modules" / "oidc-provider").exists():
        raise RuntimeError("oidc-provider is not installed: run `make test` (it runs npm ci).")
    signing = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signing_jwk = json.loads(RSAAlgorithm.to_jwk(signing))
    signing_jwk.update(kid="idp-key-1", use="sig", alg="RS256")
    clients, metadata = make_clients()
    config = {
        "jwks": {"keys": [signing_jwk]},
        "clients": metadata,
        "scopes": SCOPES,
        "resources": {
            JWT_API: {"scope": " ".join(SCOPES), "ttl": jwt_ttl, "format": "jwt"},
            OPAQUE_API: {"scope": " ".join(SCOPES), "ttl": 600, "format": "opaque"},
        },
        "defaultResource": JWT_API,
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
    ready = threading.Event()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            log.append(line.rstrip())
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
    return IdentityServer(issuer[0], clients, public, process, log)
