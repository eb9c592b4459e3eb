from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.errors import BadResponseError
from app.core.tokens import (
    B64TOKEN,
    ExpiryPolicy,
    Token,
    TokenSource,
    TokenState,
    token_from_pasted,
    token_from_response,
)

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def jwt_with(claims: dict[str, object]) -> str:
    def enc(d: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()

    return f"{enc({'alg': 'RS256', 'typ': 'at+jwt'})}.{enc(claims)}.sig"


@pytest.mark.parametrize("value", [3600, 3600.0, "3600", " 3600 "])
def test_expires_in_as_number_or_numeric_string(value: object) -> None:
    token = token_from_response(
        {"access_token": "t", "token_type": "Bearer", "expires_in": value}, NOW
    )
    assert token.expires_at == NOW + timedelta(hours=1)
    assert not token.warnings


@pytest.mark.parametrize("value", ["soon", -5, True, [1], float("nan")])
def test_nonsense_expires_in_is_ignored_with_a_warning(value: object) -> None:
    token = token_from_response(
        {"access_token": "t", "token_type": "bearer", "expires_in": value}, NOW
    )
    assert token.expires_at is None
    assert any("expires_in" in w for w in token.warnings)


def test_expiry_falls_back_to_the_jwt_exp_and_scopes_to_the_jwt_scope() -> None:
    exp = int((NOW + timedelta(minutes=5)).timestamp())
    token = token_from_response(
        {"access_token": jwt_with({"exp": exp, "scope": "a b"}), "token_type": "BEARER"}, NOW
    )
    assert token.expires_at == NOW + timedelta(minutes=5)
    assert token.scopes == ("a", "b")
    assert token.header_scheme == "Bearer"


def test_response_scope_wins_over_jwt_scope_and_unknown_fields_are_kept() -> None:
    body = {
        "access_token": jwt_with({"scope": "a b c"}),
        "token_type": "Bearer",
        "scope": "a",
        "refresh_token": "rt",
        "ext_expires_in": 7200,
    }
    token = token_from_response(body, NOW)
    assert token.scopes == ("a",)
    assert token.extra == {"scope": "a", "ext_expires_in": 7200}  # secrets dropped


def test_no_access_token_is_an_error() -> None:
    with pytest.raises(BadResponseError):
        token_from_response({"token_type": "Bearer"}, NOW)
    with pytest.raises(BadResponseError):
        token_from_response({"access_token": "  "}, NOW)


def test_missing_token_type_assumes_bearer_and_says_so() -> None:
    token = token_from_response({"access_token": "t"}, NOW)
    assert token.token_type == "Bearer"
    assert token.warnings


def test_state_follows_the_injected_clock() -> None:
    token = token_from_response(
        {"access_token": "t", "token_type": "Bearer", "expires_in": 3600}, NOW
    )
    policy = ExpiryPolicy()
    assert token.state(NOW, policy) is TokenState.VALID
    # 10% of an hour (6 min) beats the 60 s floor.
    assert token.state(NOW + timedelta(minutes=53, seconds=59), policy) is TokenState.VALID
    assert token.state(NOW + timedelta(minutes=54, seconds=1), policy) is TokenState.EXPIRING
    assert token.state(NOW + timedelta(hours=1), policy) is TokenState.EXPIRED
    short = token_from_response(
        {"access_token": "t", "token_type": "Bearer", "expires_in": 120}, NOW
    )
    assert short.state(NOW + timedelta(seconds=59), policy) is TokenState.VALID
    assert short.state(NOW + timedelta(seconds=61), policy) is TokenState.EXPIRING
    assert short.refresh_at(policy) == NOW + timedelta(seconds=60)


def test_short_lived_tokens_are_expiring_only_in_their_second_half() -> None:
    token = token_from_response(
        {"access_token": "t", "token_type": "Bearer", "expires_in": 30}, NOW
    )
    assert token.state(NOW + timedelta(seconds=14)) is TokenState.VALID
    assert token.state(NOW + timedelta(seconds=16)) is TokenState.EXPIRING
    assert token.refresh_at() == NOW + timedelta(seconds=15)


def test_unknown_expiry_counts_as_valid() -> None:
    token = token_from_response({"access_token": "t", "token_type": "Bearer"}, NOW)
    assert token.state(NOW + timedelta(days=365)) is TokenState.VALID
    assert token.refresh_at() is None


@pytest.mark.parametrize(
    "text",
    [
        "abc.def",
        "Bearer abc.def",
        "bearer   abc.def ",
        "Authorization: Bearer abc.def",
        "\nabc.def\n",
    ],
)
def test_pasted_token_forms(text: str) -> None:
    token = token_from_pasted(text, NOW)
    assert token.access_token == "abc.def"
    assert token.source is TokenSource.PASTED


def test_pasted_jwt_reads_its_expiry_and_issue_time() -> None:
    iat, exp = int(NOW.timestamp()) - 60, int(NOW.timestamp()) + 240
    token = token_from_pasted(jwt_with({"iat": iat, "exp": exp, "scp": ["x"]}), NOW)
    assert token.issued_at.timestamp() == iat
    assert token.expires_at is not None
    assert token.expires_at.timestamp() == exp
    assert token.scopes == ("x",)


def test_pasted_whole_token_response() -> None:
    token = token_from_pasted(
        '{"access_token": "zz", "token_type": "Bearer", "expires_in": 60}', NOW
    )
    assert token.access_token == "zz"
    assert token.expires_at == NOW + timedelta(seconds=60)
    assert token.source is TokenSource.PASTED


@pytest.mark.parametrize("text", ["", "   ", "two words here"])
def test_pasted_garbage_is_refused(text: str) -> None:
    with pytest.raises(BadResponseError):
        token_from_pasted(text, NOW)


@given(
    st.from_regex(B64TOKEN, fullmatch=True),  # anything else is refused (issue 10, item 8)
    st.one_of(st.none(), st.integers(0, 10**7)),
    st.lists(st.text(alphabet="abcdefgh:", min_size=1), max_size=4),
)
def test_cache_round_trip(access: str, seconds: int | None, scopes: list[str]) -> None:
    body: dict[str, object] = {
        "access_token": access,
        "token_type": "Bearer",
        "scope": " ".join(scopes),
    }
    if seconds is not None:
        body["expires_in"] = seconds
    token = token_from_response(body, NOW)
    restored = Token.from_json(token.to_json())
    assert restored == token


def test_unreadable_cache_entry_is_none() -> None:
    assert Token.from_json("{not json") is None
    assert Token.from_json('{"v": 1}') is None
