"""The rules the Postman and Insomnia importers share: one OAuth client per collection, and how
a request with other auth is listed."""

from __future__ import annotations

from app.core.request_spec import AuthMode
from app.importers.common import kept_without_token, one_client

FIRST = {"accessTokenUrl": "https://id/token", "clientId": "orders", "scope": "a"}


def test_the_first_client_is_the_collections_and_another_one_is_warned_about() -> None:
    warnings: list[str] = []
    kept = one_client(None, FIRST, title="List", container="collection", warnings=warnings)
    assert kept is FIRST
    same = {**FIRST, "scope": "b"}  # same client, other scope: no warning
    assert one_client(kept, same, title="Get", container="collection", warnings=warnings) is FIRST
    other = {**FIRST, "clientId": "billing"}
    assert one_client(kept, other, title="Pay", container="workspace", warnings=warnings) is FIRST
    moved = {**FIRST, "accessTokenUrl": "https://other/token"}
    one_client(kept, moved, title="Ship", container="collection", warnings=warnings)
    assert warnings == [
        "“Pay” uses another OAuth client; it was given the workspace's one.",
        "“Ship” uses another OAuth client; it was given the collection's one.",
    ]


def test_other_auth_is_listed_with_its_kind_and_an_oauth2_grant_named() -> None:
    kept: list[str] = []
    assert kept_without_token(kept, "Legacy", "apikey", "") is AuthMode.NONE
    assert kept_without_token(kept, "Login", "oauth2", "authorization_code") is AuthMode.NONE
    assert kept_without_token(kept, "Odd", "oauth2", "") is AuthMode.NONE
    assert kept == ["Legacy (apikey)", "Login (oauth2 authorization_code)", "Odd (oauth2)"]
