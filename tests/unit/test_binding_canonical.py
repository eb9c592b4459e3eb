"""The binding check compares canonical origins (issue 10, items 12 and 18)."""

from __future__ import annotations

import pytest

from app.core import binding
from app.core.errors import ProfileError
from app.core.profiles import Profile


def profile(api_base: str) -> Profile:
    return Profile(name="p", client_id="c", token_url="https://i/t", api_base_url=api_base)


@pytest.mark.parametrize(
    ("base", "url"),
    [
        ("https://bücher.example/api", "https://xn--bcher-kva.example/api/books"),
        ("https://xn--bcher-kva.example/", "https://bücher.example/books"),
        ("https://BÜCHER.example/", "https://bücher.example./books"),
        ("https://[2001:0db8:0000:0000:0000:0000:0000:0001]/", "https://[2001:db8::1]/x"),
        ("https://[2001:db8::1]:443/", "https://[2001:DB8:0:0::1]/x"),
        ("https://api.example:443/", "https://API.example/x"),
    ],
)
def test_same_origin_in_another_spelling_needs_no_consent(base: str, url: str) -> None:
    """Item 18: a Unicode domain or a long-form IPv6 base asked for consent on every request."""
    assert binding.check(url, profile(base)).allowed


def test_other_hosts_still_need_consent() -> None:
    assert not binding.check("https://evil.example/", profile("https://bücher.example/")).allowed
    assert not binding.check("https://[2001:db8::2]/", profile("https://[2001:db8::1]/")).allowed


@pytest.mark.parametrize(
    "url", ["https://api.example:99999/x", "https://api.example:-1/", "https://[::1:443/"]
)
def test_out_of_range_port_is_a_profile_error_not_a_value_error(url: str) -> None:
    """Item 12: an out-of-range port raised a bare ValueError in the binding check."""
    with pytest.raises(ProfileError):
        binding.check(url, profile("https://api.example/"))
