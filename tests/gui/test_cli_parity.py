"""Issue 17's parity: every profile field the window's form sets, the command line sets the same
way. Table-driven over `dataclasses.fields(Profile)`, so a field added to Profile without a CLI
flag (or a deliberate reason in UNSET_BY_FLAG) fails here."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path

import pytest
import trustme
from PySide6.QtWidgets import QTableWidgetItem
from pytestqt.qtbot import QtBot

from app.cli import run
from app.cli.context import Context
from app.cli.parser import build_parser
from app.cli.profile_parser import FIELD_FLAGS, UNSET_BY_FLAG
from app.core.profiles import AuthMethod, Profile
from app.core.request_spec import Row
from app.desk.wiring import open_desk
from app.ui.profiles.client_auth import PrivateKeyForm
from app.ui.profiles.editor import ProfileEditor
from app.ui.profiles.endpoint_section import ISSUER_URL
from tests.support.test_certs import self_signed

pytestmark = pytest.mark.keychain
TOKEN_URL = "https://id.example.com/oauth2/token"
Fill = Callable[[ProfileEditor], None]


@dataclass(frozen=True)
class Case:
    field: str
    flags: tuple[str, ...]
    window: Fill | None  # how a person sets it in the form; None: the form has no such field
    base: tuple[str, ...] = ("--token-url", TOKEN_URL)


def _params(editor: ProfileEditor) -> None:
    for key, value in (("tenant", "acme"), ("prompt", "a=b")):
        row = editor.advanced_section.extra_params.rowCount()
        editor.advanced_section.extra_params.insertRow(row)
        editor.advanced_section.extra_params.setItem(row, 0, QTableWidgetItem(key))
        editor.advanced_section.extra_params.setItem(row, 1, QTableWidgetItem(value))


def _issuer(editor: ProfileEditor) -> None:
    editor.endpoint.endpoint_kind.setCurrentIndex(ISSUER_URL)
    editor.endpoint.issuer_url.setText("https://id.example.com")


def _method(editor: ProfileEditor) -> None:
    editor.auth_method.setCurrentIndex(editor.auth_method.findData("client_secret_post"))


def _choose(method: str, *, bound: bool = False, tls: bool = True) -> Callable[[str, str], Fill]:
    """Choose the method, then the certificate and key files as a person does (two dialogs)."""

    def fill_with(cert: str, key: str) -> Fill:
        def fill(editor: ProfileEditor) -> None:
            editor.auth_method.setCurrentIndex(editor.auth_method.findData(method))
            editor.client_auth.mtls_bound.setChecked(bound)
            answers = iter((cert, key))
            section = editor.client_auth
            form = section.forms[PrivateKeyForm]
            picker = section.client_cert if tls else form.certificate  # type: ignore[attr-defined,union-attr]
            picker.open_file = lambda _title, _filters: next(answers)
            picker.choose()

        return fill

    return fill_with


def _dpop(alg: str) -> Fill:
    def fill(editor: ProfileEditor) -> None:
        editor.client_auth.dpop.setChecked(True)
        editor.client_auth.dpop_alg.setCurrentIndex(editor.client_auth.dpop_alg.findData(alg))

    return fill


def _encoding(editor: ProfileEditor) -> None:
    combo = editor.advanced_section.basic_encoding
    combo.setCurrentIndex(combo.findData("raw"))


def cases(ca_bundle: str) -> list[Case]:
    folder = Path(ca_bundle).parent
    cert, key = str(folder / "client.pem"), str(folder / "client-key.pem")
    tls = ("--client-cert", cert, "--client-key", key)
    signing = ("--auth-method", "private_key_jwt", "--certificate", cert, "--private-key-file", key)
    return [
        Case("client_cert", ("--auth-method", "tls_client_auth", *tls),
             _choose("tls_client_auth")(cert, key)),
        Case("mtls_bound", ("--mtls-bound", *tls),
             _choose("client_secret_basic", bound=True)(cert, key)),
        Case("assertion_cert", signing, _choose("private_key_jwt", tls=False)(cert, key)),
        Case("dpop", ("--dpop",), _dpop("ES256")),
        Case("dpop_alg", ("--dpop", "--dpop-alg", "RS256"), _dpop("RS256")),
        Case("name", (), lambda e: None),  # the positional NAME: every case sets it
        Case("client_id", (), lambda e: None),  # --client-id: every case sets it
        Case("token_url", (), lambda e: None),
        Case("issuer_url", (), _issuer, base=("--issuer", "https://id.example.com")),
        Case("auth_method", ("--auth-method", "client_secret_post"), _method),
        Case("auth_method_chosen", ("--auth-method", "client_secret_basic"), None),
        Case("basic_encoding", ("--basic-encoding", "raw"), _encoding),
        Case("key_id", ("--key-id", "kid-1"), lambda e: e.advanced_section.key_id.setText("kid-1")),
        Case("scopes", ("--scope", "a:r  b:w,c"), lambda e: e.scope.setText("a:r  b:w,c")),
        Case("audience", ("--audience", "https://api"), lambda e: e.api.audience.setText("https://api")),
        Case(
            "resources",
            ("--resource", "https://r/1", "--resource", "urn:x:y"),
            lambda e: e.api.resource.setText("https://r/1 urn:x:y"),
        ),
        Case("extra_params", ("--extra-param", "tenant=acme", "--extra-param", "prompt=a=b"),
             _params),
        Case("api_base_url", ("--api-base", "https://api.example.com/v1"),
             lambda e: e.api_base.setText("https://api.example.com/v1")),
        Case("ca_bundle", ("--ca-bundle", ca_bundle),
             lambda e: e.advanced_section.ca_bundle.setText(ca_bundle)),
        Case("notes", ("--notes", "Two\nlines"),
             lambda e: e.advanced_section.notes.setPlainText("Two\nlines")),
        Case("auto_refresh", ("--auto-refresh",), lambda e: e.api.auto_refresh.setChecked(True)),
        Case(
            "allowed_origins",
            ("--allow-origin", "https://a.example.com", "--allow-origin", "https://b.example.com"),
            lambda e: e.advanced_section.allowed_origins.setText("https://a.example.com https://b.example.com"),
        ),
        Case(
            "variables",
            ("--var", "region=eu", "--var", "v=a=b"),
            lambda e: e.api.variables.set_rows((Row("region", "eu"), Row("v", "a=b"))),
        ),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def ca_bundle(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("ca") / "company-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(path))
    cert, key = self_signed("client-1")
    (path.parent / "client.pem").write_text(cert)
    (path.parent / "client-key.pem").write_text(key)
    return str(path)


def test_every_profile_field_has_a_flag_or_a_reason(
    ca_bundle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Fails when Profile gains a field the command line cannot set."""
    profile_fields = {f.name for f in fields(Profile)}
    assert set(FIELD_FLAGS) | set(UNSET_BY_FLAG) == profile_fields
    assert {c.field for c in cases(ca_bundle)} | set(UNSET_BY_FLAG) == profile_fields
    with pytest.raises(SystemExit):
        build_parser().parse_args(["profile", "edit", "--help"])
    edit_help = capsys.readouterr().out
    for flag in FIELD_FLAGS.values():
        assert f"{flag} " in edit_help or f"{flag}\n" in edit_help, flag


def cli_profile(tmp_path: Path, case: Case) -> Profile:
    """Set through `tokendesk profile add`, read back through the application layer; the
    profile and its keychain entries are removed again."""
    config = tmp_path / f"cli-{case.field}"
    ctx = Context(config_dir=config, data_dir=config, stdin=io.StringIO("the-secret"),
                  stdout=io.StringIO(), stderr=io.StringIO())  # fmt: skip
    argv = ["profile", "add", "Parity ü", *case.base, "--client-id", "client-1", *case.flags]
    assert run(argv, ctx) == 0, ctx.stderr.getvalue()  # type: ignore[attr-defined]

    async def read_back() -> Profile:
        desk = open_desk(config, config)
        try:
            found = desk.find("Parity ü")
            await desk.delete_profile(found)
            return found
        finally:
            await desk.shutdown()

    return asyncio.run(read_back())


def window_profile(qtbot: QtBot, case: Case) -> Profile:
    editor = ProfileEditor(lambda _title, _filters: None)
    qtbot.addWidget(editor)
    editor.load(None)
    editor.name.setText("Parity ü")
    editor.token_url.setText(TOKEN_URL)
    editor.client_id.setText("client-1")
    editor.secret.setText("the-secret")
    assert case.window is not None
    case.window(editor)
    return editor.to_model()


def test_a_profile_set_through_the_cli_equals_one_set_through_the_window(
    qtbot: QtBot, tmp_path: Path, ca_bundle: str
) -> None:
    lacking = []
    baseline = cli_profile(tmp_path, Case("baseline", (), None))
    for case in cases(ca_bundle):
        made = cli_profile(tmp_path, case)
        if case.window is None:
            lacking.append(case.field)
        else:
            expected = window_profile(qtbot, case)
            # The form has no "method chosen" switch: compare everything else it holds.
            for name in {f.name for f in fields(Profile)} - {"id", "auth_method_chosen"}:
                assert getattr(made, name) == getattr(expected, name), (case.field, name)
        # Read back through the window's model: loading and saving the form keeps every field.
        editor = ProfileEditor(lambda _title, _filters: None)
        qtbot.addWidget(editor)
        editor.load(made)
        assert editor.to_model() == made, case.field
        if case.field not in {"name", "client_id", "token_url"}:
            assert getattr(made, case.field) != getattr(baseline, case.field), case.field
    assert baseline.auth_method is AuthMethod.CLIENT_SECRET_BASIC
    assert not baseline.auth_method_chosen  # nobody chose: discovery may pick (issue 12 §2)
    # The form has no "nobody chose the method" switch: choosing a method in the combo is the
    # choice, a new form starts chosen, and a loaded profile keeps what it had (checked above).
    assert lacking == ["auth_method_chosen"]
