"""Issue 13 by hand, as a test: from a clean profile list a person adds an mTLS profile and a
DPoP profile in the window, gets tokens, sees what they are bound to, and sends API calls the
resource server (which checks the binding) accepts; no key material is left in any file under the
config or data dirs afterwards."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.core.profiles import AuthMethod
from app.ui.main_window import REQUESTS_TAB, MainWindow
from app.ui.profiles.endpoint_section import ISSUER_URL
from tests.gui.conftest import Windows
from tests.gui.test_composer_window import send
from tests.support.idp import IdentityServer
from tests.support.resource_server import ResourceServer

pytestmark = [pytest.mark.idp, pytest.mark.keychain]


def fill_common(
    qtbot: Any, window: MainWindow, name: str, client_id: str, idp: IdentityServer
) -> None:
    """The issuer, so discovery finds the mutual-TLS endpoint alias (RFC 8705 §5)."""
    editor = window.editor
    qtbot.mouseClick(window.profile_list.new_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(editor.name, name)
    editor.endpoint.endpoint_kind.setCurrentIndex(ISSUER_URL)
    qtbot.keyClicks(editor.endpoint.issuer_url, idp.issuer)
    qtbot.keyClicks(editor.client_id, client_id)
    qtbot.keyClicks(editor.scope, "api:read")
    editor.advanced.setChecked(True)
    editor.advanced_section.ca_bundle.setText(idp.ca_bundle)


def save(qtbot: Any, window: MainWindow) -> None:
    before = window.profile_list.list.count()
    qtbot.mouseClick(window.editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.profile_list.list.count() == before + 1, timeout=10000)
    assert not window.editor.test_error.isVisible(), window.editor.test_error.message.text()


def get_token(qtbot: Any, window: MainWindow) -> str:
    panel = window.token_panel
    qtbot.mouseClick(panel.get_button, Qt.MouseButton.LeftButton)
    window.tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: panel.binding.isVisible() or panel.error.isVisible(), timeout=15000)
    assert not panel.error.isVisible(), panel.error.message.text() + panel.error.hint.text()
    return panel.binding.text()


def key_files(tmp_path: Path, cert: str, key: str) -> list[str]:
    """The person's own certificate and key files, somewhere they keep them."""
    folder = tmp_path / "my-keys"
    folder.mkdir(exist_ok=True)
    (folder / "client.pem").write_text(cert)
    (folder / "client-key.pem").write_text(key)
    return [str(folder / "client.pem"), str(folder / "client-key.pem")]


def no_key_material(*folders: Path) -> None:
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                assert b"PRIVATE KEY" not in data, path
                assert b'"d":' not in data.replace(b" ", b""), path  # a private JWK


def test_an_mtls_profile_and_a_dpop_profile_made_in_the_window(
    windows: Windows,
    qtbot: Any,
    idp: IdentityServer,
    secure_api: ResourceServer,
    tmp_path: Path,
) -> None:
    window, prompter = windows.open()
    editor = window.editor

    # mTLS: tls_client_auth with a certificate chosen as two PEM files.
    tls = idp.clients["tls"]
    fill_common(qtbot, window, "Bank (mTLS)", tls.client_id, idp)
    qtbot.keyClicks(editor.api_base, secure_api.base)
    editor.auth_method.setCurrentIndex(editor.auth_method.findData("tls_client_auth"))
    assert editor.client_auth.client_cert.isVisibleTo(editor)
    prompter.open_answers = key_files(tmp_path, tls.cert_pem or "", tls.cert_key_pem or "")
    qtbot.mouseClick(editor.client_auth.client_cert.choose_button, Qt.MouseButton.LeftButton)
    assert "keychain on Save" in editor.client_auth.client_cert.summary.text()
    save(qtbot, window)
    saved = window.profiles.current()
    assert saved is not None
    assert saved.auth_method is AuthMethod.TLS_CLIENT_AUTH
    assert saved.client_cert.startswith("-----BEGIN CERTIFICATE-----")
    line = get_token(qtbot, window)
    assert "Bound to certificate" in line, line
    assert "(the profile's certificate)" in line, line
    assert window.token_panel.binding.property("role") == "hint"
    window.tabs.setCurrentIndex(REQUESTS_TAB)
    send(qtbot, window, "/orders")
    assert "200" in window.requests_panel.viewer.status.text()

    # DPoP: a secret plus the DPoP checkbox (ES256).
    dpop = idp.clients["dpop"]
    fill_common(qtbot, window, "Health (DPoP)", dpop.client_id, idp)
    qtbot.keyClicks(editor.api_base, secure_api.base)
    qtbot.keyClicks(editor.secret, dpop.secret or "")
    editor.client_auth.dpop.setChecked(True)
    assert editor.client_auth.dpop_alg.currentText() == "ES256"
    save(qtbot, window)
    saved = window.profiles.current()
    assert saved is not None
    assert saved.dpop
    line = get_token(qtbot, window)
    assert line.startswith("Token type DPoP"), line
    assert "Bound to DPoP key" in line, line
    assert "(the profile's key)" in line, line
    window.tabs.setCurrentIndex(REQUESTS_TAB)
    send(qtbot, window, "/orders")
    assert "200" in window.requests_panel.viewer.status.text()

    no_key_material(windows.config, windows.data)


def test_a_pkcs12_password_is_asked_once_and_a_wrong_pair_is_one_sentence(
    windows: Windows, qtbot: Any, idp: IdentityServer, tmp_path: Path
) -> None:
    from cryptography.hazmat.primitives.serialization import (
        BestAvailableEncryption,
        load_pem_private_key,
        pkcs12,
    )
    from cryptography.x509 import load_pem_x509_certificate

    window, prompter = windows.open()
    picker = window.editor.client_auth.client_cert
    tls, other = idp.clients["tls"], idp.clients["self-signed"]
    bundle = tmp_path / "client.p12"
    bundle.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"client",
            load_pem_private_key((tls.cert_key_pem or "").encode(), None),  # type: ignore[arg-type]
            load_pem_x509_certificate((tls.cert_pem or "").encode()),
            None,
            BestAvailableEncryption(b"p12-pass"),
        )
    )
    prompter.open_answer, prompter.password_answer = str(bundle), "p12-pass"
    picker.choose()
    assert [a for a in prompter.asked if a[0] == "PKCS#12 password"]
    assert picker.pending()
    assert picker.pem() == (tls.cert_pem or "").strip() + "\n"

    # A certificate with another client's key: said at once, nothing taken.
    failures: list[str] = []
    picker.failed.connect(failures.append)
    picker.remove()
    prompter.open_answers = key_files(tmp_path, tls.cert_pem or "", other.cert_key_pem or "")
    picker.choose()
    assert picker.pending() is None
    assert failures
    assert "does not belong to the client certificate" in failures[0]
