"""`tokendesk profile add|edit|set-secret|show` with every field, as a script runs them: real
process, real keychain, real identity servers (oidc-provider, Authlib), a private CA over HTTPS."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import keyring
import pytest

from app.storage.secrets import SERVICE
from tests.integration.test_cli import Cli, add
from tests.integration.test_identity_servers import SA_EMAIL, SA_KID, _key_file
from tests.integration.test_identity_servers import authlib as authlib  # noqa: PLC0414 fixture
from tests.support.authlib_server import AuthlibServer
from tests.support.idp import IdentityServer
from tests.support.tls_front import TlsFront

pytestmark = [pytest.mark.idp, pytest.mark.keychain]


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


@pytest.fixture
def https_idp(idp: IdentityServer, tmp_path: Path) -> Iterator[TlsFront]:
    front = TlsFront(urlsplit(idp.issuer).port or 0, tmp_path).start()
    yield front
    front.stop()


def shown(cli: Cli, name: str) -> dict[str, object]:
    result = cli("profile", "show", name, "--json")
    assert result.returncode == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_a_token_through_https_signed_by_a_private_ca_given_with_ca_bundle(
    cli: Cli, idp: IdentityServer, https_idp: TlsFront
) -> None:
    """Issue 17's acceptance: the organisation's CA bundle is all a script needs."""
    spec = idp.clients["post"]
    base = ["profile", "add", "Behind proxy", "--token-url", f"{https_idp.base}/token"]
    base += ["--client-id", spec.client_id, "--auth-method", "client_secret_post"]
    refused = cli(*base, "--check", stdin=spec.secret)
    assert refused.returncode == 1  # the system's CAs do not know the private CA
    assert "certificate" in refused.stderr.lower()
    assert cli("profile", "list", "--json").stdout.strip() == "[]"  # --check saved nothing

    added = cli(*base, "--ca-bundle", str(https_idp.ca_bundle), "--check", stdin=spec.secret)
    assert added.returncode == 0, added.stderr
    assert "Checked" in added.stderr
    assert shown(cli, "Behind proxy")["ca_bundle"] == str(https_idp.ca_bundle)
    token = cli("token", "Behind proxy")
    assert token.returncode == 0, token.stderr
    assert token.stdout.strip().count(".") == 2


def test_ca_bundle_must_be_a_readable_pem_with_a_certificate(
    cli: Cli, idp: IdentityServer, tmp_path: Path
) -> None:
    not_pem = tmp_path / "notes.txt"
    not_pem.write_text("hello")
    for bundle, words in ((not_pem, "holds no PEM certificate"), (tmp_path / "no", "not be read")):
        result = cli(
            "profile", "add", "X", "--token-url", idp.token_endpoint, "--client-id", "c",
            "--ca-bundle", str(bundle), stdin="s",
        )  # fmt: skip
        assert result.returncode == 2
        assert words in result.stderr
    assert "verify" not in cli("profile", "add", "--help").stdout.lower()  # no flag turns it off


def test_every_field_flag_is_saved_and_shown(cli: Cli, idp: IdentityServer) -> None:
    add(
        cli, idp, "Full", "basic",
        "--scope", "api:read api:write", "--audience", "aud-1", "--resource", "https://r.example/a",
        "--resource", "https://r.example/b", "--extra-param", "tenant=acme",
        "--extra-param", "x=a=b", "--api-base", "https://api.example.com",
        "--allow-origin", "https://files.example.com", "--var", "region=eu", "--var", "v=2",
        "--notes", "Line one\nline two", "--auto-refresh", "--basic-encoding", "raw",
        "--key-id", "kid-7",
    )  # fmt: skip
    data = shown(cli, "Full")
    assert data["resources"] == ["https://r.example/a", "https://r.example/b"]
    assert data["extra_params"] == [["tenant", "acme"], ["x", "a=b"]]
    assert data["allowed_origins"] == ["https://files.example.com"]
    assert data["variables"] == [["region", "eu"], ["v", "2"]]
    assert data["notes"] == "Line one\nline two"
    assert data["auto_refresh"] is True
    assert data["basic_encoding"] == "raw"
    assert data["key_id"] == "kid-7"
    assert data["secrets"] == {"client_secret": "stored in the OS keychain"}
    text = cli("profile", "show", "Full").stdout
    lines = text.splitlines()
    assert len({line.index(line.split(":", 1)[1].lstrip()) for line in lines}) == 1  # aligned
    assert "Basic credentials:" in text
    assert "As typed" in text
    assert "tenant=acme, x=a=b" in text
    assert "Client secret:" in text
    assert "stored in the OS keychain" in text


def test_reserved_extra_params_and_bad_values_are_refused_in_plain_words(
    cli: Cli, idp: IdentityServer
) -> None:
    base = ["profile", "add", "R", "--token-url", idp.token_endpoint, "--client-id", "c"]
    for flags, words in (
        (["--extra-param", "grant_type=password"], "is set by Tokendesk"),
        (["--extra-param", "client_secret=x"], "is set by Tokendesk"),
        (["--extra-param", "novalue"], "is not KEY=VALUE"),
        (["--var", "1bad=x"], "cannot be a variable name"),
        (["--allow-origin", "ftp://x"], "not a web address"),
    ):
        result = cli(*base, *flags, stdin="s")
        assert result.returncode == 2, flags
        assert words in result.stderr


def test_edit_changes_only_what_is_given_renames_and_drops_the_token_on_a_relevant_change(
    cli: Cli, idp: IdentityServer
) -> None:
    add(cli, idp, "Orders", "basic", "--scope", "api:read", "--notes", "keep me")
    profile_id = str(shown(cli, "Orders")["id"])
    assert cli("token", "Orders").returncode == 0
    backend = keyring.get_keyring()
    assert backend.get_password(SERVICE, f"{profile_id}/token") is not None

    notes = cli("profile", "edit", "Orders", "--notes", "new notes")
    assert notes.returncode == 0, notes.stderr
    assert backend.get_password(SERVICE, f"{profile_id}/token") is not None  # not token-relevant

    edited = cli("profile", "edit", "orders", "--scope", "api:read api:write", "--name", "Sales")
    assert edited.returncode == 0, edited.stderr
    data = shown(cli, "Sales")
    assert data["id"] == profile_id
    assert data["scopes"] == ["api:read", "api:write"]
    assert data["notes"] == "new notes"
    assert data["token_url"] == idp.token_endpoint
    assert backend.get_password(SERVICE, f"{profile_id}/token") is None  # the fingerprint rule
    assert cli("profile", "show", "Orders").returncode == 2
    fresh = cli("token", "Sales", "--json")
    assert sorted(json.loads(fresh.stdout)["scopes"]) == ["api:read", "api:write"]

    add(cli, idp, "Other", "post")
    clash = cli("profile", "edit", "Sales", "--name", "other")
    assert clash.returncode == 2
    assert "already exists" in clash.stderr
    assert cli("profile", "edit", "Sales").returncode == 2  # nothing to change


def test_set_secret_replaces_it_in_the_keychain_and_drops_the_token(
    cli: Cli, idp: IdentityServer
) -> None:
    spec = idp.clients["basic"]
    cli(
        "profile", "add", "Rotated", "--token-url", idp.token_endpoint,
        "--client-id", spec.client_id, stdin="the-old-wrong-secret",
    )  # fmt: skip
    assert cli("token", "Rotated").returncode == 1
    replaced = cli("profile", "set-secret", "Rotated", stdin=f"{spec.secret}\n")
    assert replaced.returncode == 0, replaced.stderr
    assert spec.secret not in replaced.stderr + replaced.stdout
    profile_id = shown(cli, "Rotated")["id"]
    stored = keyring.get_keyring().get_password(SERVICE, f"{profile_id}/client_secret")
    assert stored == spec.secret
    assert cli("token", "Rotated").returncode == 0
    assert cli("profile", "set-secret", "Rotated", stdin="").returncode == 2


def test_check_saves_nothing_when_the_server_refuses(cli: Cli, idp: IdentityServer) -> None:
    result = cli(
        "profile", "add", "Checked", "--token-url", idp.token_endpoint,
        "--client-id", idp.clients["basic"].client_id, "--check", stdin="wrong-secret",
    )  # fmt: skip
    assert result.returncode == 1
    assert "did not accept the client ID or secret" in result.stderr
    assert cli("profile", "list", "--json").stdout.strip() == "[]"


def test_service_account_file_makes_a_profile_that_gets_a_token(
    cli: Cli, authlib: AuthlibServer, tmp_path: Path
) -> None:
    key_file = tmp_path / "key.json"
    key_file.write_text(_key_file(f"{authlib.base}/token"))
    scope = "https://www.googleapis.com/auth/cloud-platform"
    result = cli("profile", "add", "Reports", "--service-account-file", str(key_file),
                 "--scope", scope, "--check")  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = shown(cli, "Reports")
    assert data["auth_method"] == "jwt_bearer"
    assert data["client_id"] == SA_EMAIL
    assert data["key_id"] == SA_KID
    assert data["token_url"] == f"{authlib.base}/token"
    assert data["secrets"] == {"private_key": "stored in the OS keychain"}
    config = Path(cli.env["XDG_CONFIG_HOME"])
    assert not any("PRIVATE KEY" in p.read_text() for p in config.rglob("*") if p.is_file())
    token = json.loads(cli("token", "Reports", "--json").stdout)
    assert token["scopes"] == [scope]


def test_token_json_marks_scopes_granted_as_requested(
    cli: Cli, authlib: AuthlibServer, tmp_path: Path
) -> None:
    """Authlib answers without `scope` when it grants what was asked (RFC 6749 §5.1)."""
    cli(
        "profile", "add", "Raw", "--token-url", f"{authlib.base}/token", "--client-id",
        "raw-plain", "--scope", "api:read", "--auth-method", "client_secret_post",
        stdin="plain-secret-0123456789",
    )  # fmt: skip
    data = json.loads(cli("token", "Raw", "--json").stdout)
    assert data["scopes"] == ["api:read"]
    assert isinstance(data["scopes_as_requested"], bool)
    _, _, form = authlib.requests[-1]
    assert form["scope"] == "api:read"


def test_basic_encoding_flag_is_used_for_the_token_request(
    cli: Cli, authlib: AuthlibServer
) -> None:
    from tests.support.idp import WEIRD_SECRET

    base = ["profile", "add", "Form only", "--token-url", f"{authlib.base}/token"]
    base += ["--client-id", "raw-weird", "--scope", "api:read", "--auth-method"]
    cli(*base, "client_secret_basic", "--basic-encoding", "form", stdin=WEIRD_SECRET)
    assert cli("token", "Form only").returncode == 1  # a raw-comparing server, never retried
    cli("profile", "edit", "Form only", "--basic-encoding", "raw")
    assert shown(cli, "Form only")["basic_encoding"] == "raw"
    assert cli("token", "Form only").returncode == 0


def test_without_a_keychain_token_exits_3_saying_it_cannot_be_read_and_how_to_start_one(
    cli: Cli, idp: IdentityServer
) -> None:
    add(cli, idp, "Saved", "basic")
    env = {k: v for k, v in cli.env.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    result = cli("token", "Saved", env=env)
    assert result.returncode == 3
    assert result.stdout == ""
    assert "cannot be read" in result.stderr
    assert "stored" not in result.stderr.split("What to do")[0]
    assert "gnome-keyring-daemon --start --components=secrets" in result.stderr
    assert "KWallet" in result.stderr


def test_dpop_profile_prints_a_dpop_authorization_header(cli: Cli, idp: IdentityServer) -> None:
    add(cli, idp, "Bound", "basic", "--dpop", "--scope", "api:read")
    header = cli("token", "Bound", "--header")
    assert header.returncode == 0, header.stderr
    assert header.stdout.startswith("Authorization: DPoP ")
    assert shown(cli, "Bound")["dpop"] is True
    assert "DPoP:" in cli("profile", "show", "Bound").stdout
