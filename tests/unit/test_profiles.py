from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.errors import ProfileError
from app.core.profiles import AuthMethod, Profile, is_loopback_host, split_scopes


def good(**changes: object) -> Profile:
    return Profile(
        name="Orders", client_id="c", token_url="https://idp.example/token"
    ).with_changes(**changes)


def fields_of(profile: Profile, blocking: bool = True) -> set[str]:
    return {p.field for p in profile.problems() if p.blocking == blocking}


def test_a_complete_profile_has_no_problems() -> None:
    assert good().problems() == []
    good().check()


def test_missing_name_client_and_url_are_named_per_field() -> None:
    profile = Profile(name=" ", client_id="", token_url="")
    assert fields_of(profile) == {"name", "client_id", "token_url"}
    with pytest.raises(ProfileError) as caught:
        profile.check()
    assert "incomplete" in caught.value.message


def test_token_url_and_issuer_are_either_or() -> None:
    assert "token_url" in fields_of(good(issuer_url="https://idp.example"))
    assert good(token_url="", issuer_url="https://idp.example").problems() == []


@pytest.mark.parametrize("url", ["idp.example/token", "ftp://idp.example", "https://", "not a url"])
def test_bad_urls_are_blocking(url: str) -> None:
    assert "token_url" in fields_of(good(token_url=url))


def test_plain_http_is_a_warning_except_on_loopback() -> None:
    assert "token_url" in fields_of(good(token_url="http://idp.example/token"), blocking=False)
    assert good(token_url="http://127.0.0.1:8080/token").problems() == []
    assert good(token_url="http://localhost/token").problems() == []


def test_reserved_and_empty_extra_params_are_refused() -> None:
    assert "extra_params" in fields_of(good(extra_params=(("grant_type", "password"),)))
    assert "extra_params" in fields_of(good(extra_params=(("", "x"),)))
    assert good(extra_params=(("tenant", "acme"),)).problems() == []


def test_resources_must_be_absolute_without_fragment() -> None:
    assert "resources" in fields_of(good(resources=("api",)))
    assert "resources" in fields_of(good(resources=("https://api.example#x",)))
    assert good(resources=("https://api.example", "urn:x:y")).problems() == []


def test_split_scopes_accepts_commas_newlines_and_dedupes() -> None:
    assert split_scopes("a, b\nc  a") == ("a", "b", "c")


def test_loopback_hosts() -> None:
    assert is_loopback_host("127.0.0.1")
    assert is_loopback_host("[::1]")
    assert is_loopback_host("api.localhost")
    assert not is_loopback_host("example.com")
    assert not is_loopback_host("10.0.0.1")


def test_auth_method_facts() -> None:
    assert AuthMethod.PRIVATE_KEY_JWT.needs_private_key
    assert not AuthMethod.PRIVATE_KEY_JWT.needs_secret
    assert all(m.label and m.explanation for m in AuthMethod)


@given(
    name=st.text(min_size=1, max_size=20),
    scopes=st.lists(st.text(alphabet="abc:.", min_size=1, max_size=5), max_size=3),
    params=st.lists(st.tuples(st.text(max_size=5), st.text(max_size=5)), max_size=3),
    flag=st.booleans(),
    method=st.sampled_from(list(AuthMethod)),
)
def test_dict_round_trip(
    name: str, scopes: list[str], params: list[tuple[str, str]], flag: bool, method: AuthMethod
) -> None:
    profile = good(
        name=name,
        scopes=tuple(scopes),
        extra_params=tuple(params),
        auto_refresh=flag,
        auth_method=method,
    )
    assert Profile.from_dict(profile.to_dict()) == profile


def test_from_dict_ignores_unknown_keys_and_rejects_wrong_types() -> None:
    original = good()
    data = original.to_dict() | {"added_in_a_later_version": 1}
    assert Profile.from_dict(data) == original
    with pytest.raises(ProfileError):
        Profile.from_dict(good().to_dict() | {"auth_method": "telepathy"})
    with pytest.raises(ProfileError):
        Profile.from_dict(good().to_dict() | {"verify_tls": "yes"})
