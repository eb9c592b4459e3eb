"""Client authentication at the token endpoint as a table of strategies (Authlib's
`ClientAuth` table is the model). Each method turns the profile's credentials into headers and
form fields; the token, revocation and introspection requests all use the same table, so a new
method (raw Basic, JWT bearer, mTLS, DPoP) plugs in here once."""

from __future__ import annotations

import base64
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote_plus

from app.core import safe_json
from app.core.errors import ProfileError
from app.core.profiles import AuthMethod, BasicEncoding, Profile

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_LIFETIME = timedelta(seconds=60)
# RFC 7518 §3.2: an HS256 key must hold at least 256 bits.
MIN_HMAC_KEY_BYTES = 32
SHORT_SECRET_NOTE = (
    "The client secret is shorter than 32 bytes, weaker than RFC 7518 §3.2 asks for when it "
    "signs an assertion (client_secret_jwt); ask the server admin for a longer one."
)


@dataclass(frozen=True)
class Credentials:
    """What the client proves itself with; comes from the keychain, never from a file."""

    client_secret: str | None = field(default=None, repr=False)
    private_key: str | None = field(default=None, repr=False)

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(v for v in (self.client_secret, self.private_key) if v)


def basic_credentials(client_id: str, secret: str, *, raw: bool = False) -> str:
    """RFC 6749 §2.3.1: id and secret are form-urlencoded *before* base64, so a secret holding
    `:` `+` `%` `&` or a space survives the trip. `raw` sends them as typed, for the servers that
    compare without decoding."""
    pair = f"{client_id}:{secret}" if raw else f"{quote_plus(client_id)}:{quote_plus(secret)}"
    return "Basic " + base64.b64encode(pair.encode()).decode("ascii")


def form_encoding_changes(client_id: str, secret: str) -> bool:
    """Whether the RFC's form-encoding alters the id or the secret (only then can a server that
    compares raw values refuse the encoded ones)."""
    return quote_plus(client_id) != client_id or quote_plus(secret) != secret


def signing_key(private_key: str) -> tuple[Any, str, dict[str, Any]]:
    """(key, alg, extra JOSE header) from a PEM private key or a private JWK (JSON)."""
    import jwt  # on first use: not needed before the window's first paint
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    text = private_key.strip()
    if text.startswith("{"):
        try:
            jwk = jwt.PyJWK(safe_json.loads(text))
        except (ValueError, jwt.PyJWTError) as exc:
            raise ProfileError(
                "The private key (JWK) could not be read.",
                "Paste the private JWK as JSON, or use a PEM file.",
                details=f"{type(exc).__name__}: {exc}",
            ) from exc
        header = {"kid": jwk.key_id} if jwk.key_id else {}
        return jwk.key, str(jwk.algorithm_name), header
    try:
        key = load_pem_private_key(text.encode(), password=None)
    except (ValueError, TypeError) as exc:
        raise ProfileError(
            "The private key could not be read.",
            "Use an unencrypted PEM private key (“-----BEGIN PRIVATE KEY-----”) or a private JWK.",
            details=f"{type(exc).__name__}: {exc}",
        ) from exc
    if isinstance(key, rsa.RSAPrivateKey):
        return key, "RS256", {}
    if isinstance(key, ec.EllipticCurvePrivateKey):
        alg = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}.get(key.curve.name)
        if alg:
            return key, alg, {}
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key, "EdDSA", {}
    raise ProfileError(
        "This kind of private key cannot sign client assertions.",
        "Use an RSA, P-256/384/521 or Ed25519 key.",
    )


def sign_with_key(
    claims: dict[str, Any], private_key: str, key_id: str = "", certificate: str = ""
) -> str:
    """A JWT signed with a PEM key or a private JWK; `key_id`, when given, is the header's kid.
    With a certificate the header names it by x5t and x5t#S256 (Microsoft Entra ID selects the
    key that way)."""
    import jwt

    key, alg, header = signing_key(private_key)
    if certificate:
        from app.core import certs

        header = {**header, "x5t": certs.x5t(certificate), "x5t#S256": certs.x5t_s256(certificate)}
    if key_id:
        header = {**header, "kid": key_id}
    return jwt.encode(claims, key, algorithm=alg, headers=header or None)


def sign_with_secret(claims: dict[str, Any], secret: str) -> str:
    """An HS256 JWT. PyJWT warns about short keys on stderr; the caller says it in plain words
    (SHORT_SECRET_NOTE) instead, so the library's warning is silenced here."""
    import jwt

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", jwt.InsecureKeyLengthWarning)
        return jwt.encode(claims, secret, algorithm="HS256")


def client_assertion(
    client_id: str,
    audience: str,
    now: datetime,
    *,
    secret: str | None,
    private_key: str | None,
    key_id: str = "",
    certificate: str = "",
) -> str:
    """RFC 7523 §3: iss = sub = client id, aud = token endpoint, a fresh jti, a short exp."""
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "jti": uuid.uuid4().hex,
        "iat": int(now.timestamp()),
        "exp": int((now + ASSERTION_LIFETIME).timestamp()),
    }
    if private_key is not None:
        return sign_with_key(claims, private_key, key_id, certificate)
    if secret is None:
        raise ProfileError("The client secret is missing.", "Enter the client secret.")
    return sign_with_secret(claims, secret)


@dataclass(frozen=True)
class ClientAuth:
    """What one authentication method adds to a request to the token endpoint."""

    headers: dict[str, str] = field(default_factory=dict)
    form: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class AuthInput:
    client_id: str
    credentials: Credentials
    endpoint: str  # the audience of client assertions (RFC 7523 §3)
    now: datetime
    basic_encoding: BasicEncoding = BasicEncoding.AUTO
    key_id: str = ""
    assertion_cert: str = ""  # private_key_jwt's certificate: x5t and x5t#S256 in the header


def _secret(data: AuthInput) -> str:
    assert data.credentials.client_secret is not None  # checked by authenticate()
    return data.credentials.client_secret


def _basic(data: AuthInput) -> ClientAuth:
    raw = data.basic_encoding is BasicEncoding.RAW
    return ClientAuth(
        headers={"Authorization": basic_credentials(data.client_id, _secret(data), raw=raw)}
    )


def _post(data: AuthInput) -> ClientAuth:
    return ClientAuth(form=(("client_id", data.client_id), ("client_secret", _secret(data))))


def _assertion(assertion: str, data: AuthInput) -> ClientAuth:
    return ClientAuth(
        form=(
            ("client_id", data.client_id),
            ("client_assertion_type", ASSERTION_TYPE),
            ("client_assertion", assertion),
        )
    )


def _secret_jwt(data: AuthInput) -> ClientAuth:
    assertion = client_assertion(
        data.client_id, data.endpoint, data.now, secret=_secret(data), private_key=None
    )
    return _assertion(assertion, data)


def _private_key_jwt(data: AuthInput) -> ClientAuth:
    key = data.credentials.private_key or ""
    if data.assertion_cert and key.lstrip().startswith("-----"):
        from app.core import certs

        # A key that is not the certificate's, or an expired certificate, would be refused as
        # "invalid_client"; name the real cause first.
        certs.check_pair(data.assertion_cert, key, data.now)
    assertion = client_assertion(
        data.client_id,
        data.endpoint,
        data.now,
        secret=None,
        private_key=data.credentials.private_key,
        certificate=data.assertion_cert,
        key_id=data.key_id,
    )
    return _assertion(assertion, data)


def _none(data: AuthInput) -> ClientAuth:
    # The JWT-bearer grant's assertion is both grant and proof (app/core/grants.py).
    return ClientAuth()


def _tls(data: AuthInput) -> ClientAuth:
    # RFC 8705 §2: the certificate in the TLS handshake authenticates; the form names the client.
    return ClientAuth(form=(("client_id", data.client_id),))


STRATEGIES: dict[AuthMethod, Callable[[AuthInput], ClientAuth]] = {
    AuthMethod.CLIENT_SECRET_BASIC: _basic,
    AuthMethod.CLIENT_SECRET_POST: _post,
    AuthMethod.CLIENT_SECRET_JWT: _secret_jwt,
    AuthMethod.PRIVATE_KEY_JWT: _private_key_jwt,
    AuthMethod.JWT_BEARER: _none,
    AuthMethod.TLS_CLIENT_AUTH: _tls,
    AuthMethod.SELF_SIGNED_TLS_CLIENT_AUTH: _tls,
}


def authenticate(
    profile: Profile, credentials: Credentials, endpoint: str, now: datetime
) -> ClientAuth:
    """The headers and form fields that authenticate `profile` at `endpoint`."""
    method = profile.auth_method
    if method.needs_secret and not credentials.client_secret:
        raise ProfileError(
            f"The profile “{profile.name}” has no client secret.",
            "Enter the client secret in the profile (it is kept in the OS keychain).",
        )
    if method.needs_private_key and not credentials.private_key:
        raise ProfileError(
            f"The profile “{profile.name}” has no private key.",
            "Choose the private key file in the profile (it is kept in the OS keychain).",
        )
    data = AuthInput(
        profile.client_id,
        credentials,
        endpoint,
        now,
        profile.basic_encoding,
        profile.key_id,
        profile.assertion_cert,
    )
    return STRATEGIES[method](data)


def auth_notes(profile: Profile, credentials: Credentials) -> tuple[str, ...]:
    """Plain sentences about the credentials themselves, shown with the token they obtained."""
    secret = credentials.client_secret or ""
    if profile.auth_method is AuthMethod.CLIENT_SECRET_JWT and (
        0 < len(secret.encode()) < MIN_HMAC_KEY_BYTES
    ):
        return (SHORT_SECRET_NOTE,)
    return ()
