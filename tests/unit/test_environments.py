"""Environments: overrides applied, ids kept apart, round trip, plain validation, old files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.environments import Environment, effective_profile, environment_id
from app.core.errors import ProfileError
from app.core.profiles import Profile
from app.storage.profile_store import ProfileStore


def profile() -> Profile:
    return Profile(
        name="Orders",
        client_id="dev-client",
        token_url="https://id.dev.example.com/token",
        scopes=("orders:read",),
        api_base_url="https://api.dev.example.com",
        variables=(("region", "eu"), ("tenant", "dev")),
        environments=(
            Environment(
                name="production",
                issuer_url="https://id.example.com",
                client_id="prod-client",
                scopes=(),
                audience="https://api.example.com",
                api_base_url="https://api.example.com",
                variables=(("tenant", "acme"),),
            ),
            Environment(name="staging", client_id="staging-client"),
        ),
    )


def test_effective_profile_applies_overrides_and_keeps_the_rest() -> None:
    """Issuer replaces the token URL; empty scopes mean none; variables merge over the profile's."""
    prod = effective_profile(profile(), "Production")
    assert prod.issuer_url == "https://id.example.com"
    assert prod.token_url == ""
    assert prod.client_id == "prod-client"
    assert prod.scopes == ()
    assert prod.audience == "https://api.example.com"
    assert prod.variable_map == {"region": "eu", "tenant": "acme"}
    staging = effective_profile(profile(), "staging")
    assert staging.token_url == "https://id.dev.example.com/token"
    assert staging.scopes == ("orders:read",)
    assert staging.api_base_url == "https://api.dev.example.com"


def test_each_environment_has_its_own_id() -> None:
    """Tokens and keychain entries are keyed by id: each environment gets its own."""
    base = profile()
    ids = {base.id, effective_profile(base, "production").id, effective_profile(base, "staging").id}
    assert len(ids) == 3
    assert effective_profile(base, "staging").id == environment_id(base.id, "staging")
    assert effective_profile(base, None) is base


def test_unknown_environment_is_a_plain_error() -> None:
    with pytest.raises(ProfileError, match="no environment named “qa”"):
        effective_profile(profile(), "qa")


def test_round_trip_through_the_profiles_file(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    store.save(profile())
    assert ProfileStore(tmp_path).load() == [profile().with_changes(id=store.load()[0].id)]


def test_a_version_1_file_without_environments_still_reads(tmp_path: Path) -> None:
    """A profiles.json written before environments existed loads with none."""
    (tmp_path / "profiles.json").write_text(
        json.dumps(
            {
                "format": "tokendesk.profiles",
                "version": 1,
                "profiles": [
                    {"name": "Old", "client_id": "c", "token_url": "https://id.example.com/t"}
                ],
            }
        )
    )
    (old,) = ProfileStore(tmp_path).load()
    assert old.environments == ()
    assert old.import_source == ""


def test_validation_names_the_environment_and_the_problem() -> None:
    broken = profile().with_changes(
        environments=(Environment(name="prod", token_url="ftp://id.example.com"),)
    )
    messages = [p.message for p in broken.problems()]
    assert any(
        m.startswith("In “prod”: “ftp://id.example.com” is not a web address") for m in messages
    )
    twice = profile().with_changes(environments=(Environment("dev"), Environment("DEV")))
    assert [p.message for p in twice.problems()] == ["Two environments are named “DEV”."]
    bad = profile().with_changes(environments=(Environment("a~b"),))
    assert "cannot be an environment name" in bad.problems()[0].message
