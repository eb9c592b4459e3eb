"""Each provider preset's profile gets a token, through the engine, from a local server (Authlib)
that enforces that provider's documented request shape: its token path, Auth0's audience, Entra's
`…/.default` scope, Okta's key id, Cognito's Basic credentials."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from app.core.errors import OAuthServerError, ProfileError
from app.core.http_clients import HttpClients
from app.core.jwtinfo import decode_unverified
from app.core.profiles import AuthMethod
from app.core.providers import PRESETS, PresetResult, build_from_preset
from app.core.secrets import SecretKind
from app.core.token_manager import TokenManager
from app.core.tokens import Token
from tests.support.authlib_server import ASSERTION_AUTH, Answer, AuthlibServer, RegisteredClient
from tests.support.memory_secrets import MemorySecretStore

OKTA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OKTA_KID = "okta-key-2024"
SECRET = "s3cret-0123456789-abcdefghij"


def _refuse(status: int, error: str, description: str) -> Answer:
    return status, {"error": error, "error_description": description}


def entra(path: str, form: dict[str, str], headers: Mapping[str, str]) -> Answer | None:
    if not path.endswith("/oauth2/v2.0/token"):
        return None
    if not re.fullmatch(r"/contoso\.onmicrosoft\.com/oauth2/v2\.0/token", path):
        return _refuse(400, "invalid_request", "AADSTS90002: Tenant not found.")
    if not form.get("scope", "").endswith("/.default"):
        return _refuse(
            400,
            "invalid_scope",
            "AADSTS1002012: The provided value for scope is not valid. Client credential flows "
            "must have a scope value with /.default suffixed to the resource identifier.",
        )
    return None


def auth0(path: str, form: dict[str, str], headers: Mapping[str, str]) -> Answer | None:
    if path == "/oauth/token" and not form.get("audience"):
        return _refuse(
            403,
            "access_denied",
            "No audience parameter was provided, and no default audience has been configured",
        )
    return None


def okta(path: str, form: dict[str, str], headers: Mapping[str, str]) -> Answer | None:
    if not re.fullmatch(r"/oauth2/[^/]+/v1/token", path):
        return None
    if path != "/oauth2/aus-reports/v1/token":
        return _refuse(404, "not_found", "Not found: Resource not found")
    assertion = decode_unverified(form.get("client_assertion", ""))
    if assertion is None or assertion.header.get("kid") != OKTA_KID:
        return _refuse(401, "invalid_client", "The client_assertion signature is invalid.")
    if not form.get("scope"):
        return _refuse(
            400,
            "invalid_scope",
            "The authorization server resource does not have any configured default scopes, "
            "'scope' must be provided.",
        )
    return None


def keycloak(path: str, form: dict[str, str], headers: Mapping[str, str]) -> Answer | None:
    if "/realms/" in path and path != "/realms/reports/protocol/openid-connect/token":
        return _refuse(404, "Realm does not exist", "")
    return None


def cognito(path: str, form: dict[str, str], headers: Mapping[str, str]) -> Answer | None:
    if path == "/oauth2/token" and not headers.get("Authorization", "").startswith("Basic "):
        return _refuse(400, "invalid_client", "Client authentication failed")
    return None


def known_paths(path: str, form: dict[str, str], headers: Mapping[str, str]) -> Answer | None:
    shapes = (
        r"/contoso\.onmicrosoft\.com/oauth2/v2\.0/token",
        r"/oauth/token",
        r"/oauth2/aus-reports/v1/token",
        r"/realms/reports/protocol/openid-connect/token",
        r"/oauth2/token",
        r"/token",
    )
    if any(re.fullmatch(p, path) for p in shapes):
        return None
    return _refuse(404, "not_found", f"no token endpoint at {path}")


@pytest.fixture(scope="module")
def provider() -> Iterator[AuthlibServer]:
    okta_jwk = {**json.loads(RSAAlgorithm.to_jwk(OKTA_KEY.public_key())), "kid": OKTA_KID}
    server = AuthlibServer(
        clients=[
            RegisteredClient(
                "entra-app", SECRET, ("client_secret_post",), scope="api://reports/.default"
            ),
            RegisteredClient("auth0-app", SECRET, ("client_secret_post",), scope="read:reports"),
            RegisteredClient(
                "okta-app", None, (ASSERTION_AUTH,), public_jwk=okta_jwk, scope="reports.read"
            ),
            RegisteredClient("keycloak-app", SECRET, scope="profile"),
            RegisteredClient("cognito-app", SECRET, ("client_secret_basic",), scope="reports/read"),
            RegisteredClient("generic-app", SECRET, scope="api:read"),
        ],
        checks=[known_paths, entra, auth0, okta, keycloak, cognito],
    ).start()
    yield server
    server.stop()


def _pem() -> str:
    return OKTA_KEY.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def token_for(result: PresetResult) -> Token:
    async def go() -> Token:
        http = HttpClients()
        store = MemorySecretStore()
        manager = TokenManager(http, store, clock=lambda: datetime.now(UTC))
        profile = result.profile
        if result.client_secret:
            await store.set(profile.id, SecretKind.CLIENT_SECRET, result.client_secret)
        if result.private_key:
            await store.set(profile.id, SecretKind.PRIVATE_KEY, result.private_key)
        try:
            return await manager.get_token(profile)
        finally:
            await manager.aclose()
            await http.aclose()

    return asyncio.run(go())


def answers_for(key: str, base: str) -> dict[str, str]:
    return {
        "generic": {"url": f"{base}/token", "client_id": "generic-app", "client_secret": SECRET},
        "entra": {
            "tenant": "contoso.onmicrosoft.com",
            "client_id": "entra-app",
            "client_secret": SECRET,
            "app_id_uri": "api://reports",
            "authority": base,
        },
        "auth0": {
            "domain": base,
            "client_id": "auth0-app",
            "client_secret": SECRET,
            "audience": "https://reports.example.com",
        },
        "okta": {
            "domain": base,
            "auth_server": "aus-reports",
            "client_id": "okta-app",
            "private_key": _pem(),
            "key_id": OKTA_KID,
            "scope": "reports.read",
        },
        "keycloak": {
            "base_url": base,
            "realm": "reports",
            "client_id": "keycloak-app",
            "client_secret": SECRET,
            "scope": "profile",
        },
        "cognito": {
            "domain": base,
            "client_id": "cognito-app",
            "client_secret": SECRET,
            "scope": "reports/read",
        },
    }[key]


@pytest.mark.parametrize("key", ["generic", "entra", "auth0", "okta", "keycloak", "cognito"])
def test_each_preset_profile_gets_a_token_from_a_server_shaped_like_the_provider(
    provider: AuthlibServer, key: str
) -> None:
    result = build_from_preset(key, answers_for(key, provider.base))
    token = token_for(result)
    assert token.access_token
    path, _, form = provider.requests[-1]
    assert form["grant_type"] == "client_credentials"
    assert path == result.profile.token_url.removeprefix(provider.base)


def test_the_auth0_shape_really_refuses_a_request_without_audience(
    provider: AuthlibServer,
) -> None:
    result = build_from_preset("auth0", answers_for("auth0", provider.base))
    bare = PresetResult(result.profile.with_changes(audience=""), client_secret=SECRET)
    with pytest.raises(OAuthServerError) as caught:
        token_for(bare)
    assert caught.value.error == "access_denied"


def test_the_entra_shape_really_refuses_a_scope_without_default(provider: AuthlibServer) -> None:
    result = build_from_preset("entra", answers_for("entra", provider.base))
    assert result.profile.scopes == ("api://reports/.default",)
    bare = PresetResult(result.profile.with_changes(scopes=("api://reports",)), SECRET)
    with pytest.raises(OAuthServerError) as caught:
        token_for(bare)
    assert caught.value.error == "invalid_scope"


def test_the_okta_shape_really_selects_the_key_by_kid(provider: AuthlibServer) -> None:
    result = build_from_preset("okta", answers_for("okta", provider.base))
    assert result.profile.auth_method is AuthMethod.PRIVATE_KEY_JWT
    assert result.profile.key_id == OKTA_KID
    no_kid = PresetResult(result.profile.with_changes(key_id=""), private_key=_pem())
    with pytest.raises(OAuthServerError) as caught:
        token_for(no_kid)
    assert "private key" in caught.value.message


def test_cognito_from_a_domain_prefix_and_region() -> None:
    result = build_from_preset(
        "cognito",
        {"domain": "reports", "region": "eu-west-1", "client_id": "c", "client_secret": "s"},
    )
    assert (
        result.profile.token_url == "https://reports.auth.eu-west-1.amazoncognito.com/oauth2/token"
    )


def test_a_missing_answer_names_the_field_in_the_providers_words() -> None:
    with pytest.raises(ProfileError) as caught:
        build_from_preset(
            "auth0", {"domain": "x.auth0.com", "client_id": "c", "client_secret": "s"}
        )
    assert "API Identifier (audience)" in caught.value.message


def test_every_preset_explains_every_field_and_links_its_docs() -> None:
    assert list(PRESETS) == ["generic", "entra", "auth0", "okta", "keycloak", "cognito", "google"]
    for preset in PRESETS.values():
        assert preset.docs_url.startswith("https://")
        for field in preset.fields:
            assert field.label
            assert field.help.endswith(".") or field.help.endswith(")")
