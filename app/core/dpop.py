"""DPoP (RFC 9449): proving possession of a per-profile key on every token request and API call.

- the key pair is made once per profile (ES256 by default, RS256 when the server wants RSA); its
  private half is kept in the keychain as a private JWK, never in a file;
- each proof is a fresh JWT (`typ: dpop+jwt`, the public `jwk` in the header) naming the request's
  method (`htm`) and URL without query or fragment (`htu`), with `iat`, a new `jti`, the access
  token's hash (`ath`) for resource requests, and the server's latest nonce when it gave one;
- servers hand out nonces in a `DPoP-Nonce` header; the newest one is kept per origin (scheme,
  host, port), so the token endpoint and the API each get their own.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from app.core.binding import origin
from app.core.errors import ProfileError

NONCE_HEADER = "DPoP-Nonce"
USE_NONCE = "use_dpop_nonce"
# RFC 7638 §3.2: the members of the thumbprint's JSON, per key type.
_THUMBPRINT_MEMBERS = {
    "EC": ("crv", "kty", "x", "y"),
    "RSA": ("e", "kty", "n"),
    "OKP": ("crv", "kty", "x"),
}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def generate_key(alg: str = "ES256") -> str:
    """A new private JWK (JSON text) for `alg`; it goes straight to the keychain."""
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from jwt.algorithms import ECAlgorithm, RSAAlgorithm

    if alg == "ES256":
        jwk = json.loads(ECAlgorithm.to_jwk(ec.generate_private_key(ec.SECP256R1())))
    elif alg == "RS256":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(RSAAlgorithm.to_jwk(key))
    else:
        raise ProfileError(
            f"“{alg}” cannot be used for DPoP keys.", "Choose ES256 or RS256 in the profile."
        )
    jwk["alg"] = alg
    return json.dumps(jwk)


def thumbprint(public_jwk: Mapping[str, Any]) -> str:
    """RFC 7638 JWK thumbprint (SHA-256): what a DPoP-bound token carries as `cnf.jkt`."""
    members = _THUMBPRINT_MEMBERS[str(public_jwk["kty"])]
    canonical = json.dumps({m: public_jwk[m] for m in members}, separators=(",", ":"))
    return b64url(hashlib.sha256(canonical.encode()).digest())


def htu(url: str) -> str:
    """RFC 9449 §4.2: the target URI without query and fragment."""
    split = urlsplit(url)
    return urlunsplit((split.scheme, split.netloc, split.path or "/", "", ""))


def ath(access_token: str) -> str:
    """RFC 9449 §4.2: base64url SHA-256 of the access token's ASCII bytes."""
    return b64url(hashlib.sha256(access_token.encode("ascii")).digest())


@dataclass(frozen=True)
class DpopKey:
    """A profile's DPoP key pair, read from its private JWK."""

    private_jwk: str = field(repr=False)

    def _parsed(self) -> tuple[Any, str, dict[str, Any]]:
        import jwt

        try:
            data = json.loads(self.private_jwk)
            key = jwt.PyJWK(data)
        except (ValueError, jwt.PyJWTError) as exc:
            raise ProfileError(
                "The profile's DPoP key in the keychain could not be read.",
                "Turn DPoP off and on again in the profile to make a new key.",
                details=f"{type(exc).__name__}: {exc}",
            ) from exc
        public = {k: v for k, v in data.items() if k in _THUMBPRINT_MEMBERS.get(data["kty"], ())}
        return key.key, str(data.get("alg") or key.algorithm_name), public

    @property
    def alg(self) -> str:
        return self._parsed()[1]

    @property
    def public_jwk(self) -> dict[str, Any]:
        return self._parsed()[2]

    @property
    def thumbprint(self) -> str:
        return thumbprint(self.public_jwk)

    def proof(
        self,
        method: str,
        url: str,
        now: datetime,
        *,
        nonce: str | None = None,
        access_token: str | None = None,
    ) -> str:
        import jwt

        key, alg, public = self._parsed()
        claims: dict[str, Any] = {
            "jti": uuid.uuid4().hex,
            "htm": method.upper(),
            "htu": htu(url),
            "iat": int(now.timestamp()),
        }
        if nonce:
            claims["nonce"] = nonce
        if access_token:
            claims["ath"] = ath(access_token)
        return jwt.encode(claims, key, algorithm=alg, headers={"typ": "dpop+jwt", "jwk": public})


class NonceBook:
    """The newest DPoP nonce each server (origin) handed out."""

    def __init__(self) -> None:
        self._nonces: dict[str, str] = {}

    def get(self, url: str) -> str | None:
        return self._nonces.get(origin(url))

    def remember(self, url: str, headers: Mapping[str, str]) -> bool:
        """Keep the nonce of a response; True when it was a new one."""
        nonce = headers.get(NONCE_HEADER) or headers.get(NONCE_HEADER.lower())
        if not nonce or self._nonces.get(origin(url)) == nonce:
            return False
        self._nonces[origin(url)] = nonce
        return True


class DpopSigner:
    """Proofs for one profile: its key, the shared nonce book and the clock."""

    def __init__(self, key: DpopKey, nonces: NonceBook, clock: Callable[[], datetime]) -> None:
        self.key = key
        self.nonces = nonces
        self._clock = clock

    def header(self, method: str, url: str, access_token: str | None = None) -> str:
        """The value of the `DPoP` header for one request."""
        return self.key.proof(
            method, url, self._clock(), nonce=self.nonces.get(url), access_token=access_token
        )

    def remember(self, url: str, headers: Mapping[str, str]) -> bool:
        return self.nonces.remember(url, headers)
