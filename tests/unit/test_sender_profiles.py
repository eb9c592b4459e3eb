"""Profiles with sender-constrained settings: fields, problems, storage round trip, the
client-auth table's mTLS methods, the DPoP key kept per profile, the token fingerprint."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from app.core import client_auth
from app.core.errors import ProfileError
from app.core.http_clients import HttpClients
from app.core.profiles import AuthMethod, Profile
from app.core.secrets import SecretKind
from app.core.senders import Senders
from app.core.token_manager import fingerprint
from tests.support import test_certs
from tests.support.memory_secrets import MemorySecretStore

NOW = datetime.now(UTC)
CERT, KEY = test_certs.self_signed("client.example")


def base(**changes: object) -> Profile:
    return Profile(name="p", client_id="c", token_url="https://idp.example/token").with_changes(
        **changes
    )


def fields_with_problems(profile: Profile) -> set[str]:
    return {p.field for p in profile.problems() if p.blocking}


def test_mtls_methods_need_a_certificate_and_no_secret() -> None:
    for method in (AuthMethod.TLS_CLIENT_AUTH, AuthMethod.SELF_SIGNED_TLS_CLIENT_AUTH):
        assert method.uses_tls_certificate
        assert not method.needs_secret
        assert not method.needs_private_key
        assert method.label
        assert method.explanation
        assert fields_with_problems(base(auth_method=method)) == {"client_cert"}
        assert fields_with_problems(base(auth_method=method, client_cert=CERT)) == set()
        assert base(auth_method=method, client_cert=CERT).presents_certificate


def test_a_certificate_is_presented_with_a_secret_only_when_tokens_are_bound() -> None:
    assert not base(client_cert=CERT).presents_certificate
    assert base(client_cert=CERT, mtls_bound=True).presents_certificate
    assert fields_with_problems(base(mtls_bound=True)) == {"client_cert"}


def test_other_sender_problems() -> None:
    assert fields_with_problems(base(client_cert="not pem")) == {"client_cert"}
    assert fields_with_problems(base(dpop=True, dpop_alg="HS256")) == {"dpop_alg"}
    warned = [p for p in base(assertion_cert=CERT).problems() if p.field == "assertion_cert"]
    assert warned
    assert not warned[0].blocking


def test_sender_fields_survive_the_profiles_file() -> None:
    profile = base(
        auth_method=AuthMethod.SELF_SIGNED_TLS_CLIENT_AUTH,
        client_cert=CERT,
        mtls_bound=True,
        assertion_cert=CERT,
        key_id="k1",
        dpop=True,
        dpop_alg="RS256",
    )
    assert Profile.from_dict(profile.to_dict()) == profile
    assert profile.to_dict()["auth_method"] == "self_signed_tls_client_auth"
    with pytest.raises(ProfileError, match="cannot read"):
        Profile.from_dict({**profile.to_dict(), "dpop": "yes"})


def test_the_mtls_strategy_names_the_client_in_the_form_only() -> None:
    auth = client_auth.authenticate(
        base(auth_method=AuthMethod.TLS_CLIENT_AUTH, client_cert=CERT),
        client_auth.Credentials(),
        "https://idp.example/token",
        NOW,
    )
    assert auth.form == (("client_id", "c"),)
    assert auth.headers == {}


def test_binding_settings_change_the_token_fingerprint() -> None:
    plain = base()
    assert fingerprint(plain) != fingerprint(plain.with_changes(dpop=True))
    assert fingerprint(plain.with_changes(dpop=True)) != fingerprint(
        plain.with_changes(dpop=True, dpop_alg="RS256")
    )
    bound = plain.with_changes(client_cert=CERT, mtls_bound=True)
    assert fingerprint(plain) != fingerprint(bound)
    assert fingerprint(plain) == fingerprint(plain.with_changes(client_cert=CERT))


def test_the_dpop_key_is_made_once_kept_in_the_keychain_and_remade_for_another_alg() -> None:
    async def go() -> None:
        store = MemorySecretStore()
        profile = base(dpop=True)
        senders = Senders(HttpClients(), store, lambda: NOW)
        first = await senders.signer(profile)
        assert first is not None
        stored = await store.get(profile.id, SecretKind.DPOP_KEY)
        assert stored is not None
        assert '"d"' in stored
        again = await Senders(HttpClients(), store, lambda: NOW).signer(profile)
        assert again is not None
        assert again.key.thumbprint == first.key.thumbprint
        rsa = await senders.signer(profile.with_changes(dpop_alg="RS256"))
        assert rsa is not None
        assert rsa.key.alg == "RS256"
        assert await senders.signer(base()) is None

    asyncio.run(go())


def test_a_certificate_without_its_key_in_the_keychain_is_named() -> None:
    async def go() -> None:
        profile = base(auth_method=AuthMethod.TLS_CLIENT_AUTH, client_cert=CERT)
        senders = Senders(HttpClients(), MemorySecretStore(), lambda: NOW)
        with pytest.raises(ProfileError, match="not its private key"):
            await senders.client(profile)

    asyncio.run(go())


def test_a_signing_certificate_that_does_not_fit_the_key_is_named() -> None:
    _, other_key = test_certs.self_signed("other.example")
    profile = base(auth_method=AuthMethod.PRIVATE_KEY_JWT, assertion_cert=CERT)
    with pytest.raises(ProfileError, match="does not belong"):
        client_auth.authenticate(
            profile, client_auth.Credentials(private_key=other_key), "https://idp/t", NOW
        )
    sent = client_auth.authenticate(
        profile, client_auth.Credentials(private_key=KEY), "https://idp/t", NOW
    )
    assert dict(sent.form)["client_assertion"]


def test_binding_info_for_bearer_dpop_and_a_foreign_certificate() -> None:
    import jwt as pyjwt

    from app.core import certs
    from app.core.binding_info import BoundTo, binding_info
    from app.core.tokens import Token

    bearer = Token("opaque", "Bearer", NOW, None)
    assert binding_info(bearer, base()).bound_to is BoundTo.NOTHING
    claims = {"cnf": {"x5t#S256": certs.x5t_s256(CERT)}}
    bound = Token(pyjwt.encode(claims, "k" * 32, algorithm="HS256"), "Bearer", NOW, None)
    mine = binding_info(bound, base(client_cert=CERT))
    assert (mine.bound_to, mine.matches) == (BoundTo.CERTIFICATE, True)
    other = binding_info(bound, base(client_cert=test_certs.self_signed("x")[0]))
    assert other.matches is False
    assert "will refuse" in other.text
    dpop_token = Token(
        pyjwt.encode({"cnf": {"jkt": "abc"}}, "k" * 32, algorithm="HS256"), "DPoP", NOW, None
    )
    assert binding_info(dpop_token, base(dpop=True), "abc").matches is True
    assert binding_info(dpop_token, base(dpop=True), "xyz").matches is False
    assert binding_info(dpop_token, base(dpop=True)).matches is None


def test_storing_a_certificate_puts_the_key_in_the_keychain_and_the_pem_in_the_profile() -> None:
    from app.core import certs
    from app.core.senders import store_certificate

    async def go() -> None:
        store = MemorySecretStore()
        credential = certs.load_pem_pair(CERT, KEY, NOW)
        tls = await store_certificate(store, base(), credential, tls=True)
        assert tls.client_cert == credential.certificate
        assert await store.get(tls.id, SecretKind.CLIENT_CERT_KEY) == credential.private_key
        assert "PRIVATE" not in str(tls.to_dict())
        signing = await store_certificate(store, base(), credential, tls=False)
        assert signing.assertion_cert == credential.certificate
        assert await store.get(signing.id, SecretKind.PRIVATE_KEY) == credential.private_key

    asyncio.run(go())
