"""Core logic of issue 12 with MockTransport: Basic encoding, the discovery-picked method, the
interop defects (short HMAC secret, missing scope, redaction, key refusals), key-file parsing."""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import UTC, datetime

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from app.core import oauth
from app.core.auth_choice import choose_auth_method, unadvertised_warning
from app.core.basic_fallback import should_retry_raw
from app.core.client_auth import SHORT_SECRET_NOTE, Credentials, basic_credentials
from app.core.errors import OAuthServerError, ProfileError
from app.core.profiles import AuthMethod, BasicEncoding, Profile
from app.core.redact import REDACTED, redact_form
from app.core.service_account import parse_service_account
from app.core.token_manager import fingerprint
from app.core.tokens import Token

TOKEN_URL = "https://idp.example/token"
NOW = datetime(2030, 1, 1, tzinfo=UTC)


def request(profile: Profile, creds: Credentials, answer: httpx.Response) -> Token:
    async def go() -> Token:
        transport = httpx.MockTransport(lambda _r: answer)
        async with httpx.AsyncClient(transport=transport) as client:
            return await oauth.request_token(
                client, profile, creds, token_endpoint=TOKEN_URL, now=NOW
            )

    return asyncio.run(go())


def profile(**changes: object) -> Profile:
    return Profile(name="p", client_id="c", token_url=TOKEN_URL).with_changes(**changes)


def test_basic_credentials_as_typed_and_form_encoded() -> None:
    def pair(header: str) -> str:
        return base64.b64decode(header.removeprefix("Basic ")).decode()

    assert pair(basic_credentials("id", "a b+c")) == "id:a+b%2Bc"
    assert pair(basic_credentials("id", "a b+c", raw=True)) == "id:a b+c"


def test_a_client_id_with_a_colon_is_never_sent_raw() -> None:
    error = OAuthServerError("x", error="invalid_client", status=401)
    creds = Credentials(client_secret="a b")
    assert should_retry_raw(profile(), creds, error)
    assert not should_retry_raw(profile(client_id="urn:c"), creds, error)
    assert not should_retry_raw(profile(), Credentials(client_secret="plain"), error)
    assert not should_retry_raw(profile(basic_encoding=BasicEncoding.RAW), creds, error)


def test_basic_encoding_is_saved_and_read_back_and_keeps_the_cached_token() -> None:
    """How the secret is encoded does not change which token the client gets."""
    raw = profile(basic_encoding=BasicEncoding.RAW)
    data = json.loads(json.dumps(raw.to_dict()))
    assert data["basic_encoding"] == "raw"
    assert Profile.from_dict(data) == raw
    assert Profile.from_dict({"name": "old", "client_id": "c"}).basic_encoding is BasicEncoding.AUTO
    assert fingerprint(raw) == fingerprint(profile(id=raw.id))


def test_discovery_picks_a_method_and_says_why() -> None:
    unchosen = profile(auth_method_chosen=False)
    basic = choose_auth_method(
        unchosen,
        ("client_secret_post", "client_secret_basic"),
        has_private_key=False,
        has_secret=True,
    )
    assert basic.method is AuthMethod.CLIENT_SECRET_BASIC
    assert "client_secret_post, client_secret_basic" in basic.note
    post = choose_auth_method(
        unchosen, ("client_secret_post",), has_private_key=False, has_secret=True
    )
    assert post.method is AuthMethod.CLIENT_SECRET_POST
    key = choose_auth_method(
        unchosen, ("private_key_jwt", "client_secret_basic"), has_private_key=True, has_secret=False
    )
    assert key.method is AuthMethod.PRIVATE_KEY_JWT
    kept = choose_auth_method(
        profile(auth_method=AuthMethod.CLIENT_SECRET_JWT),
        ("client_secret_post",),
        has_private_key=False,
        has_secret=True,
    )
    assert kept.method is AuthMethod.CLIENT_SECRET_JWT
    assert kept.note == ""


def test_a_chosen_method_the_server_does_not_list_is_warned_about_before_sending() -> None:
    warning = unadvertised_warning(profile(), ("client_secret_post", "private_key_jwt"))
    assert warning is not None
    assert "client_secret_basic" in warning
    assert unadvertised_warning(profile(), ("client_secret_basic",)) is None
    assert unadvertised_warning(profile(), ()) is None


def test_a_short_hmac_secret_is_one_plain_sentence_not_a_library_warning() -> None:
    """filterwarnings = error: PyJWT's InsecureKeyLengthWarning would fail this test."""
    token = request(
        profile(auth_method=AuthMethod.CLIENT_SECRET_JWT),
        Credentials(client_secret="short"),
        httpx.Response(200, json={"access_token": "t", "token_type": "Bearer"}),
    )
    assert SHORT_SECRET_NOTE in token.warnings


def test_no_scope_in_the_answer_means_the_requested_ones_marked_as_requested() -> None:
    token = request(
        profile(scopes=("a", "b")),
        Credentials(client_secret="s"),
        httpx.Response(200, json={"access_token": "t", "token_type": "Bearer"}),
    )
    assert token.scopes == ("a", "b")
    assert token.scopes_as_requested
    cached = Token.from_json(token.to_json())
    assert cached is not None
    assert cached.scopes_as_requested
    granted = request(
        profile(scopes=("a", "b")),
        Credentials(client_secret="s"),
        httpx.Response(200, json={"access_token": "t", "token_type": "Bearer", "scope": "a"}),
    )
    assert granted.scopes == ("a",)
    assert not granted.scopes_as_requested


def test_redacted_form_values_stay_readable() -> None:
    shown = redact_form("grant_type=client_credentials&client_secret=p%40ss&scope=a+b")
    assert f"client_secret={REDACTED}" in shown
    assert "%C2%AB" not in shown
    assert "scope=a+b" in shown
    assert "p%40ss" not in shown


def test_a_refused_private_key_is_named_as_the_key() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    with pytest.raises(OAuthServerError) as caught:
        request(
            profile(auth_method=AuthMethod.PRIVATE_KEY_JWT),
            Credentials(private_key=pem),
            httpx.Response(401, json={"error": "invalid_client"}),
        )
    assert "private key" in caught.value.message
    assert "client ID or secret" not in caught.value.message


def test_service_account_files_that_cannot_be_used_say_why_without_the_key() -> None:
    with pytest.raises(ProfileError) as caught:
        parse_service_account('{"private_key": "-----BEGIN PRIVATE KEY-----\\nSECRETBITS')
    assert "not valid JSON" in caught.value.message
    assert "SECRETBITS" not in caught.value.details
    with pytest.raises(ProfileError) as caught:
        parse_service_account(json.dumps({"type": "authorized_user"}))
    assert "authorized_user" in caught.value.message
    with pytest.raises(ProfileError) as caught:
        parse_service_account(json.dumps({"type": "service_account", "client_email": "a@b"}))
    assert "private_key, token_uri" in caught.value.message
