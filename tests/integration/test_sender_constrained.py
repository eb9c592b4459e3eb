"""Sender-constrained tokens end to end, through the engine (TokenManager.get_token and the API
call path), against the real identity server (its mutual-TLS listener and DPoP with nonces) and
the real resource server that checks the binding; keys in the real keychain."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import ssl
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import httpx
import jwt
import keyring
import pytest

from app.core import certs, client_auth
from app.core.binding_info import binding_info
from app.core.errors import ProfileError
from app.core.http_clients import HttpClients
from app.core.profiles import AuthMethod, Profile
from app.core.request_spec import RequestSpec
from app.core.secrets import SecretKind
from app.core.tls_client import client_context
from app.core.token_manager import TokenManager
from app.desk.api import ApiSender
from app.storage.secrets import KeyringSecretStore
from tests.support import test_certs
from tests.support.idp import CERT_KEY_ID, OPAQUE_API, IdentityServer
from tests.support.resource_server import ResourceServer

pytestmark = [pytest.mark.idp, pytest.mark.keychain]
T = TypeVar("T")


@dataclass
class Engine:
    tokens: TokenManager
    sender: ApiSender
    http: HttpClients


def run(
    profile: Profile,
    secrets: dict[SecretKind, str],
    tmp_path: Path,
    scenario: Callable[[Engine], Awaitable[T]],
) -> T:
    async def go() -> T:
        store = KeyringSecretStore(keyring.get_keyring())
        for kind, value in secrets.items():
            await store.set(profile.id, kind, value)
        http = HttpClients()
        tokens = TokenManager(http, store, clock=lambda: datetime.now(UTC))
        sender = ApiSender(http, tokens, response_dir=tmp_path / "bodies")
        try:
            return await scenario(Engine(tokens, sender, http))
        finally:
            await tokens.remove_profile(profile.id)
            await http.aclose()

    return asyncio.run(go())


def mtls_profile(
    idp: IdentityServer, api: ResourceServer, client: str, **changes: object
) -> Profile:
    spec = idp.clients[client]
    profile = Profile(
        name=f"mTLS {client}",
        client_id=spec.client_id,
        issuer_url=idp.issuer,
        auth_method=AuthMethod(spec.auth_method),
        scopes=("api:read",),
        api_base_url=api.base,
        ca_bundle=idp.ca_bundle,
        client_cert=spec.cert_pem or "",
    )
    return profile.with_changes(**changes)


def trust(ca_bundle: str) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=ca_bundle)


def b64url_sha256(der: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode()


async def plain_get(
    api: ResourceServer, ca_bundle: str, authorization: str, verify: ssl.SSLContext | None = None
) -> int:
    """The same request from a client that presents no certificate (or the one in `verify`)."""
    async with httpx.AsyncClient(verify=verify or trust(ca_bundle)) as client:
        answer = await client.get(f"{api.base}/orders", headers={"Authorization": authorization})
        return answer.status_code


@pytest.mark.parametrize("client", ["tls", "self-signed", "bound-secret"])
def test_certificate_bound_token_from_the_mtls_alias_to_the_api(
    client: str, idp: IdentityServer, secure_api: ResourceServer, tmp_path: Path
) -> None:
    """tls_client_auth, self_signed_tls_client_auth and a secret with an mTLS-bound token: the
    token comes from the mTLS alias, carries the certificate's thumbprint, and the API accepts
    it only with that certificate."""
    spec = idp.clients[client]
    profile = mtls_profile(idp, secure_api, client, mtls_bound=client == "bound-secret")
    secrets = {SecretKind.CLIENT_CERT_KEY: spec.cert_key_pem or ""}
    if spec.secret:
        secrets[SecretKind.CLIENT_SECRET] = spec.secret

    async def scenario(engine: Engine) -> tuple[str, dict[str, object], int, int, int]:
        endpoint = await engine.tokens.token_endpoint(profile)
        token = await engine.tokens.get_token(profile)
        response = (await engine.sender.send(profile, RequestSpec(url="/orders")))[0]
        claims = token.jwt.claims if token.jwt else {}
        without_cert = await plain_get(secure_api, idp.ca_bundle, token.authorization_header)
        # Another certificate the API trusts (another client's): the TLS handshake passes, the
        # binding check must not.
        other_spec = idp.clients["tls" if client == "self-signed" else "self-signed"]
        other = client_context(
            other_spec.cert_pem or "", other_spec.cert_key_pem or "", ca_bundle=idp.ca_bundle
        )
        with_other = await plain_get(
            secure_api, idp.ca_bundle, token.authorization_header, verify=other
        )
        return endpoint, claims, response.status, without_cert, with_other

    endpoint, claims, status, without_cert, with_other = run(profile, secrets, tmp_path, scenario)
    assert endpoint.startswith(idp.mtls_base)
    cnf = claims.get("cnf")
    assert isinstance(cnf, dict)
    assert cnf["x5t#S256"] == b64url_sha256(certs.der(spec.cert_pem or ""))
    assert status == 200
    assert without_cert == 401
    assert with_other == 401


def test_binding_info_says_which_certificate_and_whether_it_matches(
    idp: IdentityServer, secure_api: ResourceServer, tmp_path: Path
) -> None:
    spec = idp.clients["tls"]
    profile = mtls_profile(idp, secure_api, "tls")

    async def scenario(engine: Engine) -> tuple[str, bool | None, bool | None]:
        token = await engine.tokens.get_token(profile)
        mine = binding_info(token, profile)
        other = binding_info(
            token, profile.with_changes(client_cert=test_certs.self_signed("x")[0])
        )
        return mine.text, mine.matches, other.matches

    text, matches, other_matches = run(
        profile, {SecretKind.CLIENT_CERT_KEY: spec.cert_key_pem or ""}, tmp_path, scenario
    )
    assert text.startswith("Bound to certificate")
    assert certs.x5t_s256(spec.cert_pem or "")[:8] in text
    assert matches is True
    assert other_matches is False


@pytest.mark.parametrize("alg", ["ES256", "RS256"])
def test_dpop_with_nonces_at_the_identity_server_and_the_api(
    alg: str, idp: IdentityServer, secure_api: ResourceServer, tmp_path: Path
) -> None:
    spec = idp.clients["dpop"]
    profile = Profile(
        name="DPoP",
        client_id=spec.client_id,
        issuer_url=idp.issuer,
        scopes=("api:read",),
        api_base_url=secure_api.base,
        ca_bundle=idp.ca_bundle,
        dpop=True,
        dpop_alg=alg,
    )

    async def scenario(engine: Engine) -> tuple[str, str, str, int, int, int, bool, bool]:
        token = await engine.tokens.get_token(profile)
        first = (await engine.sender.send(profile, RequestSpec(url="/orders")))[0]
        second = (await engine.sender.send(profile, RequestSpec(url="/orders")))[0]
        signer = await engine.tokens.senders.signer(profile)
        assert signer is not None
        jkt = signer.key.thumbprint
        # Bound: the token alone, as a bearer token, is refused; a replayed proof too.
        as_bearer = await plain_get(secure_api, idp.ca_bundle, f"Bearer {token.access_token}")
        proof = signer.header("GET", f"{secure_api.base}/orders", token.access_token)
        async with httpx.AsyncClient(verify=trust(idp.ca_bundle)) as client:
            headers = {"Authorization": token.authorization_header, "DPoP": proof}
            once = await client.get(f"{secure_api.base}/orders", headers=headers)
            replay = await client.get(f"{secure_api.base}/orders", headers=headers)
        idp_nonce = signer.nonces.get(await engine.tokens.token_endpoint(profile)) is not None
        api_nonce = signer.nonces.get(secure_api.base) is not None
        claims = token.jwt.claims if token.jwt else {}
        cnf = claims.get("cnf") or {}
        assert isinstance(cnf, dict)
        return (
            token.token_type,
            str(cnf.get("jkt")),
            jkt,
            first.status,
            second.status,
            as_bearer * 1000 + once.status_code,
            replay.status_code == 401 and idp_nonce,
            api_nonce,
        )

    token_type, bound_to, jkt, first, second, bearer_once, replay_refused, api_nonce = run(
        profile, {SecretKind.CLIENT_SECRET: spec.secret or ""}, tmp_path, scenario
    )
    assert token_type == "DPoP"
    assert bound_to == jkt
    assert (first, second) == (200, 200)
    assert bearer_once == 401 * 1000 + 200
    assert replay_refused
    assert api_nonce


def test_private_key_jwt_with_a_certificate_sends_x5t(
    idp: IdentityServer, api: ResourceServer, tmp_path: Path
) -> None:
    spec = idp.clients["pkjwt-cert"]
    profile = Profile(
        name="Entra-style",
        client_id=spec.client_id,
        token_url=idp.token_endpoint,
        auth_method=AuthMethod.PRIVATE_KEY_JWT,
        scopes=("api:read",),
        api_base_url=api.base,
        assertion_cert=spec.cert_pem or "",
        key_id=CERT_KEY_ID,
    )
    der = certs.der(spec.cert_pem or "")
    sent = client_auth.authenticate(
        profile,
        client_auth.Credentials(private_key=spec.private_key_pem),
        idp.token_endpoint,
        datetime.now(UTC),
    )
    header = jwt.get_unverified_header(dict(sent.form)["client_assertion"])
    sha1 = hashlib.sha1(der, usedforsecurity=False).digest()
    assert header["x5t"] == base64.urlsafe_b64encode(sha1).rstrip(b"=").decode()
    assert header["x5t#S256"] == b64url_sha256(der)
    assert header["kid"] == CERT_KEY_ID

    async def scenario(engine: Engine) -> int:
        await engine.tokens.get_token(profile)
        return ((await engine.sender.send(profile, RequestSpec(url="/orders")))[0]).status

    assert (
        run(profile, {SecretKind.PRIVATE_KEY: spec.private_key_pem or ""}, tmp_path, scenario)
        == 200
    )


def test_a_key_that_is_not_the_certificates_is_one_plain_sentence(
    idp: IdentityServer, secure_api: ResourceServer, tmp_path: Path
) -> None:
    profile = mtls_profile(idp, secure_api, "tls")
    wrong_key = idp.clients["self-signed"].cert_key_pem or ""

    async def scenario(engine: Engine) -> ProfileError:
        with pytest.raises(ProfileError) as caught:
            await engine.tokens.get_token(profile)
        return caught.value

    error = run(profile, {SecretKind.CLIENT_CERT_KEY: wrong_key}, tmp_path, scenario)
    assert error.message == "The private key does not belong to the client certificate."
    assert "key file" in error.hint


def test_an_expired_certificate_is_one_plain_sentence(
    idp: IdentityServer, secure_api: ResourceServer, tmp_path: Path
) -> None:
    past = datetime.now(UTC) - timedelta(days=400)
    cert, key = test_certs.self_signed(
        "old.tokendesk.test", not_before=past, not_after=past + timedelta(days=30)
    )
    profile = mtls_profile(idp, secure_api, "self-signed", client_cert=cert)

    async def scenario(engine: Engine) -> ProfileError:
        with pytest.raises(ProfileError) as caught:
            await engine.tokens.get_token(profile)
        return caught.value

    error = run(profile, {SecretKind.CLIENT_CERT_KEY: key}, tmp_path, scenario)
    assert error.message.startswith("The client certificate expired on ")
    assert "new certificate" in error.hint


def test_no_key_material_is_left_in_any_file(
    idp: IdentityServer, secure_api: ResourceServer, tmp_path: Path, test_root: Path
) -> None:
    """After mTLS and DPoP runs, no client key (PEM body or private JWK `d`) sits in a file
    under the config, data or temp dirs: the keys went to the keychain only."""
    spec = idp.clients["tls"]
    profile = mtls_profile(idp, secure_api, "tls", dpop=False)
    dpop_profile = Profile(
        name="DPoP",
        client_id=idp.clients["dpop"].client_id,
        issuer_url=idp.issuer,
        api_base_url=secure_api.base,
        ca_bundle=idp.ca_bundle,
        dpop=True,
    )
    before = set(Path(tempfile.gettempdir()).iterdir())

    async def scenario(engine: Engine) -> list[str]:
        await engine.tokens.get_token(profile)
        (await engine.sender.send(profile, RequestSpec(url="/orders")))[0]
        store = KeyringSecretStore(keyring.get_keyring())
        await store.set(dpop_profile.id, SecretKind.CLIENT_SECRET, idp.clients["dpop"].secret or "")
        await engine.tokens.get_token(dpop_profile)
        (await engine.sender.send(dpop_profile, RequestSpec(url="/orders")))[0]
        dpop_jwk = await store.get(dpop_profile.id, SecretKind.DPOP_KEY)
        assert dpop_jwk is not None
        await engine.tokens.remove_profile(dpop_profile.id)
        return [json.loads(dpop_jwk)["d"]]

    dpop_secrets = run(
        profile, {SecretKind.CLIENT_CERT_KEY: spec.cert_key_pem or ""}, tmp_path, scenario
    )
    key_lines = [line for line in (spec.cert_key_pem or "").splitlines() if "-----" not in line]
    needles = [*key_lines[:3], *dpop_secrets]
    new_in_temp = set(Path(tempfile.gettempdir()).iterdir()) - before
    assert not [p for p in new_in_temp if p.name.startswith("tokendesk-tls")]
    roots = [tmp_path / "bodies", test_root]
    files = [p for root in roots for p in root.rglob("*") if p.is_file()]
    files += [p for p in new_in_temp if p.is_file()]
    assert files, "the scan must see some files"
    for path in files:
        data = path.read_bytes()
        for needle in needles:
            assert needle.encode() not in data, f"{path} holds key material"


def test_introspection_and_revocation_use_the_mtls_aliases(
    idp: IdentityServer, secure_api: ResourceServer, tmp_path: Path
) -> None:
    """With tls_client_auth the client can only authenticate over mutual TLS, so introspection
    and revocation succeed only if they too go to the aliases with the certificate."""
    spec = idp.clients["tls"]
    profile = mtls_profile(idp, secure_api, "tls", resources=(OPAQUE_API,))

    async def scenario(engine: Engine) -> tuple[bool, bool]:
        await engine.tokens.get_token(profile)
        active = (await engine.tokens.introspect(profile))["active"]
        await engine.tokens.revoke(profile)
        return bool(active), engine.tokens.peek(profile.id) is None

    active, revoked = run(
        profile, {SecretKind.CLIENT_CERT_KEY: spec.cert_key_pem or ""}, tmp_path, scenario
    )
    assert active
    assert revoked
