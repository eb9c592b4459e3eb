"""`tokendesk` from a shell, as a script would use it: real process, real keychain, real IdP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import keyring
import pytest

from app.storage.secrets import SERVICE
from tests.support.fault_server import FaultServer
from tests.support.idp import JWT_API, IdentityServer

pytestmark = [pytest.mark.idp, pytest.mark.keychain]


class Cli:
    def __init__(self, home: Path) -> None:
        self.env = {
            **os.environ,
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_DATA_HOME": str(home / "data"),
        }

    def __call__(
        self, *args: str, stdin: str | None = "", env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env or self.env,
            timeout=60,
            check=False,
        )


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


def add(cli: Cli, idp: IdentityServer, name: str, client: str, *extra: str) -> None:
    spec = idp.clients[client]
    args = [
        "profile",
        "add",
        name,
        "--token-url",
        idp.token_endpoint,
        "--client-id",
        spec.client_id,
        "--auth-method",
        spec.auth_method,
        *extra,
    ]
    stdin = spec.secret + "\n" if spec.secret else ""
    result = cli(*args, stdin=stdin)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("client", "key_file"),
    [
        ("basic", False),
        ("post", False),
        ("weird", False),
        ("jwt-secret", False),
        ("pkjwt", True),
        ("pkjwt-ec", True),
    ],
)
def test_profile_add_then_token_for_every_auth_method(
    cli: Cli, idp: IdentityServer, tmp_path: Path, client: str, key_file: bool
) -> None:
    extra = ["--scope", "api:read api:write"]
    if key_file:
        pem = tmp_path / "client.pem"
        pem.write_text(idp.clients[client].private_key_pem or "")
        extra += ["--private-key-file", str(pem)]
    add(cli, idp, "Orders API", client, *extra)

    result = cli("token", "Orders API")
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert result.stdout == token + "\n"  # only the token on stdout
    assert token.count(".") == 2

    header = cli("token", "orders api", "--header")  # names are case-insensitive
    assert header.stdout == f"Authorization: Bearer {token}\n"  # cached token reused

    as_json = json.loads(cli("token", "Orders API", "--json").stdout)
    assert as_json["access_token"] == token
    assert as_json["token_type"].lower() == "bearer"
    assert sorted(as_json["scopes"]) == ["api:read", "api:write"]
    assert datetime.fromisoformat(as_json["expires_at"]) > datetime.now().astimezone()

    fresh = cli("token", "Orders API", "--fresh")
    assert fresh.returncode == 0
    assert fresh.stdout.strip() != token


def test_issuer_profile_with_resource(cli: Cli, idp: IdentityServer) -> None:
    spec = idp.clients["basic"]
    result = cli(
        "profile",
        "add",
        "By issuer",
        "--issuer",
        idp.issuer,
        "--client-id",
        spec.client_id,
        "--resource",
        JWT_API,
        stdin=spec.secret,
    )
    assert result.returncode == 0, result.stderr
    token = cli("token", "By issuer")
    assert token.returncode == 0, token.stderr


def test_list_show_remove_and_the_keychain_entries_go_too(cli: Cli, idp: IdentityServer) -> None:
    add(cli, idp, "Billing", "basic", "--api-base", "https://billing.example.com")
    assert cli("token", "Billing").returncode == 0
    listing = cli("profile", "list")
    assert listing.stdout.startswith("Billing ")
    shown = json.loads(cli("profile", "show", "Billing", "--json").stdout)
    assert shown["secrets"]["client_secret"] == "stored in the OS keychain"
    assert idp.clients["basic"].secret not in cli("profile", "show", "Billing").stdout
    profile_id = shown["id"]
    backend = keyring.get_keyring()
    assert backend.get_password(SERVICE, f"{profile_id}/client_secret") is not None
    assert backend.get_password(SERVICE, f"{profile_id}/token") is not None

    removed = cli("profile", "remove", "Billing")
    assert removed.returncode == 0, removed.stderr
    assert backend.get_password(SERVICE, f"{profile_id}/client_secret") is None
    assert backend.get_password(SERVICE, f"{profile_id}/token") is None
    assert cli("profile", "list", "--json").stdout.strip() == "[]"


def test_wrong_secret_exits_1_with_plain_words(cli: Cli, idp: IdentityServer) -> None:
    spec = idp.clients["basic"]
    cli(
        "profile",
        "add",
        "Wrong",
        "--token-url",
        idp.token_endpoint,
        "--client-id",
        spec.client_id,
        stdin="definitely-wrong",
    )
    result = cli("token", "Wrong")
    assert result.returncode == 1
    assert result.stdout == ""
    assert "did not accept the client ID or secret" in result.stderr
    assert "What to do:" in result.stderr
    assert "definitely-wrong" not in result.stderr
    detailed = cli("--details", "token", "Wrong")
    assert "HTTP 401" in detailed.stderr
    assert "definitely-wrong" not in detailed.stderr


def test_unreachable_server_exits_1(cli: Cli, faults: FaultServer) -> None:
    cli("profile", "add", "Down", "--token-url", faults.url("/500"), "--client-id", "x", stdin="s")
    result = cli("token", "Down")
    assert result.returncode == 1
    assert "internal error" in result.stderr


def test_usage_errors_exit_2(cli: Cli, idp: IdentityServer) -> None:
    assert cli("token", "nobody").returncode == 2
    assert "no profile named" in cli("token", "nobody").stderr
    assert cli("profile", "add", "x", "--client-id", "y").returncode == 2  # no URL
    bad = cli("profile", "add", "x", "--token-url", "not a url", "--client-id", "y", stdin="s")
    assert bad.returncode == 2
    assert "not a web address" in bad.stderr
    assert (
        cli(
            "profile", "add", "x", "--token-url", idp.token_endpoint, "--client-id", "y", stdin=""
        ).returncode
        == 2
    )  # no secret given
    assert cli("frobnicate").returncode == 2
    add(cli, idp, "Twice", "basic")
    assert (
        cli(
            "profile",
            "add",
            "twice",
            "--token-url",
            idp.token_endpoint,
            "--client-id",
            "z",
            stdin="s",
        ).returncode
        == 2
    )


def test_no_keychain_exits_3_and_writes_nothing(
    cli: Cli, idp: IdentityServer, tmp_path: Path
) -> None:
    env = {k: v for k, v in cli.env.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    result = cli(
        "profile",
        "add",
        "Nope",
        "--token-url",
        idp.token_endpoint,
        "--client-id",
        "c",
        stdin="never-written-secret",
        env=env,
    )
    assert result.returncode == 3
    assert "No OS keychain is running" in result.stderr
    assert "gnome-keyring or KWallet" in result.stderr
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert not any(b"never-written-secret" in p.read_bytes() for p in written)
    assert cli("profile", "list", "--json").stdout.strip() in ("", "[]")


def test_version_and_help_work_without_a_display(cli: Cli) -> None:
    env = {k: v for k, v in cli.env.items() if k not in {"DISPLAY", "QT_QPA_PLATFORM"}}
    version = cli("--version", env=env)
    assert version.returncode == 0
    assert version.stdout.startswith("tokendesk ")
    helped = cli("--help", env=env)
    assert helped.returncode == 0
    assert "profile" in helped.stdout
    assert "token" in helped.stdout


def test_secret_is_never_accepted_on_the_command_line(cli: Cli) -> None:
    result = cli(
        "profile",
        "add",
        "x",
        "--token-url",
        "https://a.example/token",
        "--client-id",
        "y",
        "--client-secret",
        "oops",
    )
    assert result.returncode == 2
    assert "unrecognized arguments" in result.stderr


def test_export_then_import_carries_no_secrets(
    cli: Cli, idp: IdentityServer, tmp_path: Path
) -> None:
    add(cli, idp, "Shared", "basic", "--scope", "api:read")
    exported = cli("profile", "export")
    assert exported.returncode == 0
    assert idp.clients["basic"].secret not in exported.stdout
    document = json.loads(exported.stdout)
    assert document["profiles"][0]["scopes"] == ["api:read"]
    other = Cli(tmp_path / "other")
    imported = other("profile", "import", "-", stdin=exported.stdout)
    assert imported.returncode == 0, imported.stderr
    assert "needs its client secret" in imported.stderr
    failed = other("token", "Shared")
    assert failed.returncode == 2
    assert "no client secret" in failed.stderr


def test_the_log_of_a_whole_session_holds_no_secret_and_no_token(
    cli: Cli, idp: IdentityServer, tmp_path: Path
) -> None:
    """--verbose writes debug records; none of them may carry the secret or the token."""
    cli.env["XDG_STATE_HOME"] = str(tmp_path / "state")
    spec = idp.clients["weird"]
    assert spec.secret
    add(cli, idp, "Weird", "weird", "--scope", "api:read")
    token = cli("--verbose", "token", "Weird").stdout.strip()
    fresh = cli("--verbose", "token", "Weird", "--fresh").stdout.strip()
    cli(
        "profile",
        "add",
        "Wrong",
        "--token-url",
        idp.token_endpoint,
        "--client-id",
        spec.client_id,
        stdin="wrong-secret-value",
    )
    assert cli("--verbose", "--details", "token", "Wrong").returncode == 1
    assert cli("--verbose", "profile", "remove", "Weird").returncode == 0
    log = (tmp_path / "state" / "tokendesk" / "log" / "tokendesk.log").read_text()
    assert "Fetched a token" in log
    assert "failed" in log
    for secret in (spec.secret, token, fresh, "wrong-secret-value"):
        assert secret not in log
