"""The token engine against the real identity server (oidc-provider), every client auth method."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
import pytest

from app.core import client_auth, oauth
from app.core.errors import OAuthServerError
from app.core.http_clients import HttpClients
from app.core.jwtinfo import decode_unverified
from app.core.profiles import AuthMethod, Profile
from app.core.secrets import SecretKind
from app.core.token_manager import TokenManager
from app.core.tokens import TokenState
from tests.support.idp import JWT_API, OPAQUE_API, IdentityServer
from tests.support.memory_secrets import MemorySecretStore
from tests.support.token_events import FetchCounter

pytestmark = pytest.mark.idp


def now() -> datetime:
    return datetime.now(UTC)


async def _with_client(coro_factory):  # type: ignore[no-untyped-def]
    async with httpx.AsyncClient() as client:
        return await coro_factory(client)


def run(coro_factory):  # type: ignore[no-untyped-def]
    return asyncio.run(_with_client(coro_factory))


def profile_for(
    idp: IdentityServer, name: str, **changes: object
) -> tuple[Profile, client_auth.Credentials]:
    client = idp.clients[name]
    profile = Profile(
        name=name,
        client_id=client.client_id,
        token_url=idp.token_endpoint,
        auth_method=AuthMethod(client.auth_method),
        scopes=("api:read",),
    ).with_changes(**changes)
    return profile, client_auth.Credentials(client.secret, client.private_key_pem)


@pytest.mark.parametrize(
    "name", ["basic", "post", "weird", "weird-post", "jwt-secret", "pkjwt", "pkjwt-ec"]
)
def test_every_auth_method_gets_a_signed_jwt_for_the_api(idp: IdentityServer, name: str) -> None:
    profile, creds = profile_for(idp, name)
    token = run(
        lambda c: oauth.request_token(
            c, profile, creds, token_endpoint=idp.token_endpoint, now=now()
        )
    )
    decoded = decode_unverified(token.access_token)
    assert decoded is not None
    assert decoded.header["typ"] == "at+jwt"
    assert decoded.claims["client_id"] == idp.clients[name].client_id
    assert decoded.claims["aud"] == JWT_API
    assert token.scopes == ("api:read",)
    assert token.token_type.lower() == "bearer"
    assert token.expires_at is not None
    assert 100 <= (token.expires_at - token.issued_at).total_seconds() <= 120


def test_the_weird_secret_really_needs_form_encoding(idp: IdentityServer) -> None:
    """Proof that the encoding matters: the naive Basic header (what most peers send) fails."""
    import base64

    client = idp.clients["weird"]
    naive = base64.b64encode(f"{client.client_id}:{client.secret}".encode()).decode()

    async def naive_request(c: httpx.AsyncClient) -> httpx.Response:
        return await c.post(
            idp.token_endpoint,
            data={"grant_type": "client_credentials"},
            headers={"Authorization": f"Basic {naive}"},
        )

    assert run(naive_request).status_code in (400, 401)


def test_wrong_secret_is_a_plain_invalid_client_error(idp: IdentityServer) -> None:
    profile, _ = profile_for(idp, "basic")
    creds = client_auth.Credentials(client_secret="not-the-secret")
    with pytest.raises(OAuthServerError) as caught:
        run(
            lambda c: oauth.request_token(
                c, profile, creds, token_endpoint=idp.token_endpoint, now=now()
            )
        )
    error = caught.value
    assert error.error == "invalid_client"
    assert error.status == 401
    assert "client ID or secret" in error.message
    assert "not-the-secret" not in error.details
    assert "Authorization: Basic «redacted»" in error.details


def test_unknown_resource_is_invalid_target(idp: IdentityServer) -> None:
    profile, creds = profile_for(idp, "basic", resources=("https://nope.example",))
    with pytest.raises(OAuthServerError) as caught:
        run(
            lambda c: oauth.request_token(
                c, profile, creds, token_endpoint=idp.token_endpoint, now=now()
            )
        )
    assert caught.value.error == "invalid_target"
    assert "resource" in caught.value.message


def test_a_scope_the_client_may_not_have_is_refused(idp: IdentityServer) -> None:
    profile, creds = profile_for(idp, "narrow", scopes=("orders:read", "api:write"))
    with pytest.raises(OAuthServerError) as caught:
        run(
            lambda c: oauth.request_token(
                c, profile, creds, token_endpoint=idp.token_endpoint, now=now()
            )
        )
    assert caught.value.error == "invalid_scope"


def test_scopes_the_server_silently_drops_are_pointed_out(idp: IdentityServer) -> None:
    profile, creds = profile_for(idp, "narrow", scopes=("orders:read", "made:up"))
    token = run(
        lambda c: oauth.request_token(
            c, profile, creds, token_endpoint=idp.token_endpoint, now=now()
        )
    )
    assert token.scopes == ("orders:read",)
    assert any("made:up" in w and "not granted" in w for w in token.warnings)


def test_discovery_finds_the_token_endpoint_from_the_issuer(idp: IdentityServer) -> None:
    metadata = run(lambda c: oauth.discover(c, idp.issuer))
    assert metadata.token_endpoint == idp.token_endpoint
    assert metadata.jwks_uri == idp.jwks_uri
    assert metadata.revocation_endpoint
    assert metadata.introspection_endpoint
    assert "private_key_jwt" in metadata.auth_methods


def test_manager_with_issuer_profile_fetches_verifies_and_reuses(idp: IdentityServer) -> None:
    profile, creds = profile_for(
        idp, "pkjwt", token_url="", issuer_url=idp.issuer, resources=(JWT_API,)
    )

    async def scenario() -> None:
        secrets = MemorySecretStore()
        assert creds.private_key is not None
        await secrets.set(profile.id, SecretKind.PRIVATE_KEY, creds.private_key)
        http = HttpClients()
        manager = TokenManager(http, secrets, clock=now)
        fetches = FetchCounter(manager)
        try:
            first = await manager.get_token(profile)
            again = await manager.get_token(profile)
            assert again is first
            assert fetches.count == 1
            assert manager.state(profile.id) is TokenState.VALID
            verified = await manager.verify(profile)
            assert verified.verified
            assert verified.claims["iss"] == idp.issuer
            assert await manager.capabilities(profile) == (True, True)
        finally:
            await http.aclose()

    asyncio.run(scenario())


def test_revocation_and_introspection_of_an_opaque_token(idp: IdentityServer) -> None:
    profile, creds = profile_for(
        idp, "post", token_url="", issuer_url=idp.issuer, resources=(OPAQUE_API,)
    )

    async def scenario() -> None:
        secrets = MemorySecretStore()
        assert creds.client_secret is not None
        await secrets.set(profile.id, SecretKind.CLIENT_SECRET, creds.client_secret)
        http = HttpClients()
        manager = TokenManager(http, secrets, clock=now)
        try:
            token = await manager.get_token(profile)
            assert decode_unverified(token.access_token) is None  # opaque
            described = await manager.introspect(profile)
            assert described["active"] is True
            assert described["client_id"] == idp.clients["post"].client_id
            await manager.revoke(profile)
            assert manager.state(profile.id) is TokenState.NONE
            revoked = await oauth.introspect(
                http.get(),
                profile,
                creds,
                endpoint=f"{idp.issuer}/token/introspection",
                token=token.access_token,
                now=now(),
            )
            assert revoked["active"] is False
        finally:
            await http.aclose()

    asyncio.run(scenario())


def test_token_url_profile_finds_revocation_by_looking_at_the_origin(idp: IdentityServer) -> None:
    profile, _ = profile_for(idp, "basic")

    async def scenario() -> tuple[bool, bool]:
        http = HttpClients()
        try:
            return await TokenManager(http, MemorySecretStore(), clock=now).capabilities(profile)
        finally:
            await http.aclose()

    assert asyncio.run(scenario()) == (True, True)
