"""The command line's light paths and checks, unit by unit: the cached-token decision, the
profile value checks, completion's unquoting, and the fence that keeps app/cli on Desk."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import trustme

from app.cli.completion import (
    COMMANDS,
    EVERY_PROFILE_ACTION,
    NAME_COMMANDS,
    PROFILE_ACTIONS,
    REQUEST_ACTIONS,
    _unquote,
    script,
)
from app.cli.parser import build_parser
from app.core.errors import ProfileError
from app.core.fingerprint import fingerprint
from app.core.profiles import Profile
from app.core.tokens import Token
from app.desk.cached_token import linux_config_dir, secret_service_is_the_choice, valid_cached
from app.desk.profile_fields import check_ca_bundle, parse_pairs
from app.storage import paths
from tests.unit.test_import_fence import APP, imported_modules

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
PROFILE = Profile(name="Orders", client_id="c", token_url="https://id.example/token")


def entry(profile: Profile, expires_in: float | None, fp: str | None = None) -> str:
    token = Token(
        access_token="tok",
        token_type="Bearer",
        issued_at=NOW - timedelta(seconds=3570),
        expires_at=NOW + timedelta(seconds=expires_in) if expires_in is not None else None,
    )
    return json.dumps(
        {"fingerprint": fp or fingerprint(profile), "token": json.loads(token.to_json())}
    )


def test_valid_cached_takes_only_a_valid_token_for_these_settings() -> None:
    """Same rule as the token manager: the fingerprint must match, and an expiring token (inside
    the ExpiryPolicy margin) is fetched afresh rather than served."""
    found = valid_cached(PROFILE, entry(PROFILE, 3600), NOW)
    assert found is not None
    assert found.access_token == "tok"
    assert valid_cached(PROFILE, entry(PROFILE, None), NOW) is not None  # no expiry known
    assert valid_cached(PROFILE, entry(PROFILE, 30), NOW) is None  # expiring
    assert valid_cached(PROFILE, entry(PROFILE, -1), NOW) is None  # expired
    other = PROFILE.with_changes(scopes=("more",))
    assert valid_cached(other, entry(PROFILE, 3600), NOW) is None
    assert valid_cached(PROFILE, "not json", NOW) is None
    assert valid_cached(PROFILE, json.dumps({"fingerprint": fingerprint(PROFILE)}), NOW) is None


def test_the_secret_service_is_read_directly_only_when_keyring_would_choose_it(
    tmp_path: Path,
) -> None:
    env = {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/x", "XDG_CONFIG_HOME": str(tmp_path)}
    assert secret_service_is_the_choice(env)
    assert not secret_service_is_the_choice({**env, "PYTHON_KEYRING_BACKEND": "x.Keyring"})
    assert not secret_service_is_the_choice({**env, "DBUS_SESSION_BUS_ADDRESS": ""})
    assert not secret_service_is_the_choice({**env, "XDG_CURRENT_DESKTOP": "ubuntu:KDE"})
    rc = tmp_path / "python_keyring" / "keyringrc.cfg"
    rc.parent.mkdir()
    rc.write_text("[backend]\ndefault-keyring=keyrings.alt.file.PlaintextKeyring\n")
    assert not secret_service_is_the_choice(env)


def test_the_light_config_dir_is_platformdirs_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert linux_config_dir() == paths.config_dir()
    monkeypatch.setenv("XDG_CONFIG_HOME", "  ")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert linux_config_dir() == paths.config_dir()


def test_ca_bundle_checks(tmp_path: Path) -> None:
    good = tmp_path / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(good))
    assert check_ca_bundle(str(good)) == str(good.resolve())
    assert check_ca_bundle("") == ""
    broken = tmp_path / "broken.pem"
    broken.write_text("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
    key_only = tmp_path / "key.pem"
    key_only.write_text("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    for path, words in (
        (broken, "could not be read as certificates"),
        (key_only, "holds no PEM certificate"),
        (tmp_path / "missing.pem", "could not be read"),
    ):
        with pytest.raises(ProfileError, match=words):
            check_ca_bundle(str(path))


def test_pairs_keep_equals_signs_in_values_and_refuse_a_missing_one() -> None:
    assert parse_pairs(["a=1", "b=x=y", "c="], "--var") == (("a", "1"), ("b", "x=y"), ("c", ""))
    for bad in ("novalue", "=x"):
        with pytest.raises(ProfileError, match="is not KEY=VALUE"):
            parse_pairs([bad], "--var")


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("Orders\\ A", "Orders A"), ("'Orders A", "Orders A"), ('"Caf', "Caf"), ("it\\'s", "it's")],
)
def test_completion_unquotes_what_bash_hands_over(typed: str, meant: str) -> None:
    assert _unquote(typed) == meant


def test_every_completion_script_asks_tokendesk_for_names() -> None:
    for shell in ("bash", "zsh", "fish"):
        assert "tokendesk --complete-names" in script(shell)


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def _takes_a_profile_first(parser: argparse.ArgumentParser) -> bool:
    first = next((a for a in parser._actions if not a.option_strings), None)
    return first is not None and (first.metavar or first.dest.upper()) in {"NAME", "PROFILE"}


def test_completion_knows_every_command_and_where_a_profile_name_goes() -> None:
    """The scripts' word lists match the parser's, so a new command or action cannot be left
    out of completion."""
    commands = _commands(build_parser())
    assert set(COMMANDS.split()) == set(commands)
    assert set(NAME_COMMANDS.split()) == {
        n for n, p in commands.items() if _takes_a_profile_first(p)
    }
    actions = _commands(commands["profile"])
    assert set(EVERY_PROFILE_ACTION.split()) == set(actions)
    named = {n for n, p in actions.items() if _takes_a_profile_first(p)} - {"add"}  # a new name
    assert set(PROFILE_ACTIONS.split()) == named
    requests = _commands(commands["request"])
    assert set(REQUEST_ACTIONS.split()) == set(requests)
    assert all(_takes_a_profile_first(p) for p in requests.values())


# Core modules the application layer wraps: the CLI reaches them only through app.desk.
WRAPPED = (
    "app.storage",
    *(
        f"app.core.{name}"
        for name in ("token_manager", "oauth", "client_auth", "http_clients", "api_call",
                     "grants", "transport", "service_account", "basic_fallback", "auth_choice")
    ),
)  # fmt: skip


def test_the_cli_reaches_the_engine_only_through_the_application_layer() -> None:
    offenders = {
        f"{path.name}: {name}"
        for path in (APP / "cli").rglob("*.py")
        for name in imported_modules(path)
        if name.startswith(WRAPPED)
    }
    assert not offenders
