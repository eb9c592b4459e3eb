"""The OAuth client's wire format and error mapping, with httpx.MockTransport."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import parse_qs, unquote_plus

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import given
from hypothesis import strategies as st

from app.core import client_auth, oauth
from app.core.errors import DiscoveryError, OAuthServerError, ProfileError
from app.core.profiles import AuthMethod, Profile

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
TOKEN_URL = "https://idp.example/oauth2/token"


def mock(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


def ok(_request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"access_token": "T", "token_type": "Bearer", "expires_in": 60})


def capture(profile: Profile, creds: client_auth.Credentials) -> httpx.Request:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return ok(request)

    async def go() -> None:
        async with mock(handler) as client:
            await oauth.request_token(client, profile, creds, token_endpoint=TOKEN_URL, now=NOW)

    asyncio.run(go())
    return seen[0]


def form(request: httpx.Request) -> dict[str, list[str]]:
    return parse_qs(request.content.decode())


@given(st.text(min_size=1, max_size=30), st.text(min_size=1, max_size=30))
def test_basic_credentials_round_trip_any_characters(client_id: str, secret: str) -> None:
    raw = base64.b64decode(client_auth.basic_credentials(client_id, secret).removeprefix("Basic "))
    user, password = raw.decode().split(":")
    assert (unquote_plus(user), unquote_plus(password)) == (client_id, secret)


def test_client_secret_basic_request() -> None:
    profile = Profile(
        name="p",
        client_id="id",
        token_url=TOKEN_URL,
        scopes=("a", "b"),
        audience="aud",
        resources=("https://r1", "https://r2"),
        extra_params=(("tenant", "t1"),),
    )
    request = capture(profile, client_auth.Credentials(client_secret="s"))
    assert request.headers["authorization"] == client_auth.basic_credentials("id", "s")
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert form(request) == {
        "grant_type": ["client_credentials"],
        "scope": ["a b"],
        "audience": ["aud"],
        "resource": ["https://r1", "https://r2"],
        "tenant": ["t1"],
    }


def test_client_secret_post_request() -> None:
    profile = Profile(
        name="p", client_id="id", token_url=TOKEN_URL, auth_method=AuthMethod.CLIENT_SECRET_POST
    )
    request = capture(profile, client_auth.Credentials(client_secret="s+ &"))
    assert "authorization" not in request.headers
    assert form(request)["client_secret"] == ["s+ &"]
    assert form(request)["client_id"] == ["id"]


def test_private_key_jwt_assertion_per_rfc_7523() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key))
    jwk["kid"] = "my-key"
    profile = Profile(
        name="p", client_id="id", token_url=TOKEN_URL, auth_method=AuthMethod.PRIVATE_KEY_JWT
    )
    first = capture(profile, client_auth.Credentials(private_key=json.dumps(jwk)))
    second = capture(profile, client_auth.Credentials(private_key=json.dumps(jwk)))
    fields = form(first)
    assert fields["client_assertion_type"] == [client_auth.ASSERTION_TYPE]
    assertion = fields["client_assertion"][0]
    assert jwt.get_unverified_header(assertion)["kid"] == "my-key"
    claims = jwt.decode(
        assertion,
        key.public_key(),
        algorithms=["RS256"],
        audience=TOKEN_URL,
        options={"verify_exp": False, "verify_iat": False},
    )
    assert claims["iss"] == claims["sub"] == "id"
    assert claims["exp"] - claims["iat"] == 60
    other = jwt.decode(form(second)["client_assertion"][0], options={"verify_signature": False})
    assert other["jti"] != claims["jti"]


def test_client_secret_jwt_is_hmac_signed_with_the_secret() -> None:
    profile = Profile(
        name="p", client_id="id", token_url=TOKEN_URL, auth_method=AuthMethod.CLIENT_SECRET_JWT
    )
    request = capture(profile, client_auth.Credentials(client_secret="x" * 40))
    assertion = form(request)["client_assertion"][0]
    claims = jwt.decode(
        assertion,
        "x" * 40,
        algorithms=["HS256"],
        audience=TOKEN_URL,
        options={"verify_exp": False, "verify_iat": False},
    )
    assert claims["sub"] == "id"


def test_missing_secret_or_key_is_a_profile_error() -> None:
    with pytest.raises(ProfileError):
        capture(Profile(name="p", client_id="i", token_url=TOKEN_URL), client_auth.Credentials())
    with pytest.raises(ProfileError):
        capture(
            Profile(
                name="p", client_id="i", token_url=TOKEN_URL, auth_method=AuthMethod.PRIVATE_KEY_JWT
            ),
            client_auth.Credentials(private_key="-----BEGIN NONSENSE-----"),
        )


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("invalid_client", "client ID or secret"),
        ("invalid_scope", "scopes"),
        ("invalid_target", "resource"),
        ("unauthorized_client", "not allowed"),
        ("unsupported_grant_type", "client-credentials"),
        ("something_new", "something_new"),
    ],
)
def test_oauth_error_codes_in_plain_words(code: str, words: str) -> None:
    def handler(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"error": code, "error_uri": "https://docs/x"})

    async def go() -> None:
        async with mock(handler) as client:
            await oauth.request_token(
                client,
                Profile(name="p", client_id="i", token_url=TOKEN_URL),
                client_auth.Credentials(client_secret="s"),
                token_endpoint=TOKEN_URL,
                now=NOW,
            )

    with pytest.raises(OAuthServerError) as caught:
        asyncio.run(go())
    assert caught.value.error == code
    assert words in caught.value.message
    assert caught.value.error_uri == "https://docs/x"


def test_discovery_tries_rfc8414_then_openid() -> None:
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        if request.url.path.endswith("openid-configuration"):
            return httpx.Response(
                200, json={"issuer": "https://idp.example/realms/x", "token_endpoint": TOKEN_URL}
            )
        return httpx.Response(404)

    async def go() -> oauth.ServerMetadata:
        async with mock(handler) as client:
            return await oauth.discover(client, "https://idp.example/realms/x/")

    found = asyncio.run(go())
    assert found.token_endpoint == TOKEN_URL
    assert asked == [
        "/.well-known/oauth-authorization-server/realms/x",
        "/realms/x/.well-known/openid-configuration",
    ]


def test_discovery_refuses_a_different_issuer() -> None:
    def handler(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"issuer": "https://evil.example", "token_endpoint": "x"})

    async def go() -> None:
        async with mock(handler) as client:
            await oauth.discover(client, "https://idp.example")

    with pytest.raises(DiscoveryError) as caught:
        asyncio.run(go())
    assert "https://evil.example" in caught.value.message


def test_discovery_failure_lists_what_was_tried() -> None:
    async def go() -> None:
        async with mock(lambda _r: httpx.Response(404)) as client:
            await oauth.discover(client, "https://idp.example")

    with pytest.raises(DiscoveryError) as caught:
        asyncio.run(go())
    assert "openid-configuration → HTTP 404" in caught.value.details
