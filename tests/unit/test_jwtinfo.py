from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from app.core.errors import TokenVerificationError
from app.core.jwtinfo import decode_unverified, verify

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwks(key: rsa.RSAPrivateKey = KEY, kid: str = "k1") -> dict[str, Any]:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return {"keys": [public | {"kid": kid, "use": "sig"}]}


def issue(**claims: Any) -> str:
    base = {
        "iss": "https://idp",
        "aud": "api",
        "iat": int(NOW.timestamp()),
        "exp": int((NOW + timedelta(minutes=5)).timestamp()),
    }
    return jwt.encode(base | claims, KEY, algorithm="RS256", headers={"kid": "k1"})


def test_decode_unverified_reads_header_and_claims() -> None:
    decoded = decode_unverified(issue(scope="a b"))
    assert decoded is not None
    assert not decoded.verified
    assert decoded.header["kid"] == "k1"
    assert decoded.scopes == ("a", "b")
    assert decoded.time_claim("exp") == NOW + timedelta(minutes=5)


@pytest.mark.parametrize("token", ["opaque", "a.b.c", "", "x.y", "e30.e30.sig"])
def test_non_jwts_are_none(token: str) -> None:
    assert decode_unverified(token) is None


def test_verify_good_token() -> None:
    result = verify(issue(), jwks(), issuer="https://idp", audience="api", now=NOW)
    assert result.verified
    assert result.claims["aud"] == "api"


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"audience": "other"}, "different audience"),
        ({"issuer": "https://elsewhere"}, "issued by"),
        ({"now": NOW + timedelta(hours=1)}, "expired"),
        (
            {"now": NOW - timedelta(hours=1), "token": issue(nbf=int(NOW.timestamp()))},
            "not valid yet",
        ),
        ({"keys": jwks(OTHER)}, "signature does not match"),
        ({"keys": jwks(kid="rotated")}, "rotated"),
        ({"token": "opaque-token"}, "not a JWT"),
        ({"token": jwt.encode({"a": 1}, "s" * 32, algorithm="HS256")}, "HS256"),
    ],
)
def test_verify_failures_are_plain(kwargs: dict[str, Any], words: str) -> None:
    args: dict[str, Any] = {"issuer": "https://idp", "audience": "api", "now": NOW}
    token = kwargs.pop("token", issue())
    keys = kwargs.pop("keys", jwks())
    with pytest.raises(TokenVerificationError) as caught:
        verify(token, keys, **(args | kwargs))
    assert words in caught.value.message + caught.value.hint
