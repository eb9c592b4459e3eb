"""Basic credentials and service-account keys against servers written by others, on 127.0.0.1:
Authlib (compares Basic credentials without form-decoding) and oidc-provider (decodes them),
both holding the secret `p@ss:w+rd/%&= x`; Authlib's JWT-bearer grant for service-account keys.
The token engine runs as the app runs it: TokenManager over the real keychain."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from typing import TypeVar

import httpx
import keyring
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from app.core.basic_fallback import LEARNED_RAW_NOTE, apply_learned
from app.core.errors import OAuthServerError
from app.core.http_clients import HttpClients
from app.core.jwtinfo import decode_unverified
from app.core.profiles import AuthMethod, BasicEncoding, Profile
from app.core.secrets import SecretKind
from app.core.service_account import parse_service_account
from app.core.token_manager import TokenManager
from app.core.tokens import Token
from app.storage.secrets import KeyringSecretStore
from tests.support.authlib_server import AuthlibServer, RegisteredClient
from tests.support.idp import WEIRD_SECRET, IdentityServer

T = TypeVar("T")
pytestmark = pytest.mark.keychain


def _rsa() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _public_jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, object]:
    data: dict[str, object] = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    return {**data, "kid": kid, "alg": "RS256", "use": "sig"}


SA_KEY = _rsa()
SA_KID = "0123456789abcdef0123456789abcdef01234567"
SA_EMAIL = "reporter@tokendesk-test.iam.gserviceaccount.com"


@pytest.fixture(scope="module")
def authlib() -> Iterator[AuthlibServer]:
    server = AuthlibServer(
        clients=[
            RegisteredClient("raw-weird", WEIRD_SECRET, scope="api:read"),
            RegisteredClient("raw-plain", "plain-secret-0123456789", scope="api:read"),
            RegisteredClient(
                "post-only",
                WEIRD_SECRET,
                auth_methods=("client_secret_post",),
                scope="api:read",
            ),
            RegisteredClient(
                SA_EMAIL,
                grant_types=("urn:ietf:params:oauth:grant-type:jwt-bearer",),
                public_jwk=_public_jwk(SA_KEY, SA_KID),
                scope="https://www.googleapis.com/auth/cloud-platform",
            ),
        ],
        metadata={
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
        },
    ).start()
    yield server
    server.stop()


def run_manager(
    scenario: Callable[[TokenManager, KeyringSecretStore], Awaitable[T]],
) -> T:
    async def go() -> T:
        http = HttpClients()
        store = KeyringSecretStore(keyring.get_keyring())
        manager = TokenManager(http, store, clock=lambda: datetime.now(UTC))
        try:
            return await scenario(manager, store)
        finally:
            await manager.aclose()
            await http.aclose()

    return asyncio.run(go())


def get_token(profile: Profile, secret: str | None = None, key: str | None = None) -> Token:
    async def scenario(manager: TokenManager, store: KeyringSecretStore) -> Token:
        if secret is not None:
            await store.set(profile.id, SecretKind.CLIENT_SECRET, secret)
        if key is not None:
            await store.set(profile.id, SecretKind.PRIVATE_KEY, key)
        try:
            return await manager.get_token(profile)
        finally:
            await store.delete_all(profile.id)

    return run_manager(scenario)


def test_the_raw_comparing_server_really_refuses_the_form_encoded_secret(
    authlib: AuthlibServer,
) -> None:
    """Proof that Authlib compares without form-decoding: the RFC's encoding is refused."""
    from urllib.parse import quote_plus

    pair = f"raw-weird:{quote_plus(WEIRD_SECRET)}".encode()
    response = httpx.post(
        f"{authlib.base}/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": "Basic " + base64.b64encode(pair).decode()},
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_default_settings_get_a_token_from_a_server_that_compares_raw(
    authlib: AuthlibServer,
) -> None:
    """Form-encoded first, refused, then as typed: a token, and the profile learns it."""
    profile = Profile(
        name="raw", client_id="raw-weird", token_url=f"{authlib.base}/token", scopes=("api:read",)
    )
    assert profile.basic_encoding is BasicEncoding.AUTO
    before = len(authlib.requests)
    token = get_token(profile, WEIRD_SECRET)
    assert token.access_token
    assert token.learned == {"basic_encoding": "raw"}
    assert LEARNED_RAW_NOTE in token.warnings
    assert len(authlib.requests) - before == 2
    learned = apply_learned(profile, token)
    assert learned.basic_encoding is BasicEncoding.RAW
    # Saved on the profile, the next fetch goes straight to the raw form: one request.
    before = len(authlib.requests)
    again = get_token(learned, WEIRD_SECRET)
    assert again.learned == {}
    assert len(authlib.requests) - before == 1


def test_default_settings_get_a_token_from_a_server_that_decodes(idp: IdentityServer) -> None:
    """oidc-provider decodes as RFC 6749 asks: the form-encoded try works, nothing learned."""
    client = idp.clients["weird"]
    profile = Profile(name="rfc", client_id=client.client_id, token_url=idp.token_endpoint)
    token = get_token(profile, WEIRD_SECRET)
    assert token.access_token
    assert token.learned == {}
    assert LEARNED_RAW_NOTE not in token.warnings


def test_form_setting_never_retries_as_typed(authlib: AuthlibServer) -> None:
    profile = Profile(
        name="form",
        client_id="raw-weird",
        token_url=f"{authlib.base}/token",
        basic_encoding=BasicEncoding.FORM,
    )
    before = len(authlib.requests)
    with pytest.raises(OAuthServerError) as caught:
        get_token(profile, WEIRD_SECRET)
    assert caught.value.error == "invalid_client"
    assert len(authlib.requests) - before == 1


def test_a_secret_the_encoding_does_not_change_is_not_retried(authlib: AuthlibServer) -> None:
    """A wrong plain secret is wrong either way: one request, no second secret on the wire."""
    profile = Profile(name="plain", client_id="raw-plain", token_url=f"{authlib.base}/token")
    before = len(authlib.requests)
    with pytest.raises(OAuthServerError):
        get_token(profile, "wrong-secret-0123456789")
    assert len(authlib.requests) - before == 1


def test_when_neither_encoding_works_the_hint_names_the_advertised_method(
    authlib: AuthlibServer,
) -> None:
    """The server lists only client_secret_post: the refusal suggests it, as one click."""

    async def scenario(manager: TokenManager, store: KeyringSecretStore) -> OAuthServerError:
        profile = Profile(name="post", client_id="post-only", token_url=f"{authlib.base}/token")
        await store.set(profile.id, SecretKind.CLIENT_SECRET, WEIRD_SECRET)
        await manager.capabilities(profile)  # reads the metadata, as the window does on select
        try:
            await manager.get_token(profile)
        except OAuthServerError as exc:
            return exc
        finally:
            await store.delete_all(profile.id)
        raise AssertionError("the server took client_secret_basic")

    error = run_manager(scenario)
    assert error.suggested_method is AuthMethod.CLIENT_SECRET_POST
    assert "secret in the request body" in error.hint
    retried = Profile(
        name="post",
        client_id="post-only",
        token_url=f"{authlib.base}/token",
        auth_method=AuthMethod.CLIENT_SECRET_POST,
    )
    assert get_token(retried, WEIRD_SECRET).access_token


def _key_file(token_uri: str) -> str:
    return json.dumps(
        {
            "type": "service_account",
            "project_id": "tokendesk-test",
            "private_key_id": SA_KID,
            "private_key": _pem(SA_KEY),
            "client_email": SA_EMAIL,
            "client_id": "104857600000000000000",
            "token_uri": token_uri,
        }
    )


def test_a_service_account_key_file_gets_a_token_from_authlibs_jwt_bearer_grant(
    authlib: AuthlibServer,
) -> None:
    parsed = parse_service_account(
        _key_file(f"{authlib.base}/token"),
        scopes=("https://www.googleapis.com/auth/cloud-platform",),
    )
    assert parsed.profile.auth_method is AuthMethod.JWT_BEARER
    assert parsed.profile.client_id == SA_EMAIL
    assert parsed.private_key not in json.dumps(parsed.profile.to_dict())
    token = get_token(parsed.profile, key=parsed.private_key)
    assert token.access_token
    assert token.scopes == ("https://www.googleapis.com/auth/cloud-platform",)
    _, headers, form = authlib.requests[-1]
    assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    assert "Authorization" not in headers
    assertion = decode_unverified(form["assertion"])
    assert assertion is not None
    assert assertion.header == {"alg": "RS256", "typ": "JWT", "kid": SA_KID}
    claims = assertion.claims
    assert claims["iss"] == SA_EMAIL
    assert claims["aud"] == f"{authlib.base}/token"
    assert claims["scope"] == "https://www.googleapis.com/auth/cloud-platform"
    assert 0 < claims["exp"] - claims["iat"] <= 3600


def test_a_service_account_key_the_server_does_not_hold_is_named(authlib: AuthlibServer) -> None:
    other = _key_file(f"{authlib.base}/token").replace(
        json.dumps(_pem(SA_KEY))[1:-1], json.dumps(_pem(_rsa()))[1:-1]
    )
    parsed = parse_service_account(other)
    with pytest.raises(OAuthServerError) as caught:
        get_token(parsed.profile, key=parsed.private_key)
    assert caught.value.error == "invalid_grant"
    assert "service account key" in caught.value.message
    assert "client ID or secret" not in caught.value.message
