"""The composer with a DPoP profile (RFC 9449): the header preview says a proof goes with each
request, and *Copy as curl* carries a proof made for that one request, which the resource server
(checking htm, htu, ath, jti and its nonce) accepts when bash runs the copied command."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest
from PySide6.QtGui import QGuiApplication

from app.core import dpop
from app.core.jwtinfo import decode_unverified
from app.ui.main_window import REQUESTS_TAB
from tests.gui.conftest import Windows
from tests.gui.test_composer_window import send
from tests.gui.test_sender_constrained_window import fill_common, get_token, save
from tests.support.idp import IdentityServer
from tests.support.resource_server import ResourceServer

pytestmark = [pytest.mark.idp, pytest.mark.keychain]


def test_dpop_header_preview_and_a_copied_curl_the_api_accepts(
    windows: Windows, qtbot: Any, idp: IdentityServer, secure_api: ResourceServer
) -> None:
    window, _ = windows.open()
    editor = window.editor
    client = idp.clients["dpop"]
    fill_common(qtbot, window, "Health (DPoP)", client.client_id, idp)
    qtbot.keyClicks(editor.api_base, secure_api.base)
    qtbot.keyClicks(editor.secret, client.secret or "")
    editor.client_auth.dpop.setChecked(True)
    save(qtbot, window)

    window.tabs.setCurrentIndex(REQUESTS_TAB)
    composer = window.requests_panel.composer
    preview = composer.auth_preview.text()
    assert preview.startswith("Authorization: DPoP ••••"), preview
    assert "a DPoP proof is made for each request" in preview

    line = get_token(qtbot, window)
    assert line.startswith("Token type DPoP"), line
    window.tabs.setCurrentIndex(REQUESTS_TAB)
    preview = composer.auth_preview.text()
    assert preview == "Authorization: DPoP •••• · a DPoP proof is made for each request"
    send(qtbot, window, "/orders")  # the API's DPoP nonce is learned on the way
    assert "200" in window.requests_panel.viewer.status.text()

    clipboard = QGuiApplication.clipboard()
    clipboard.clear()
    composer.copy_curl_requested.emit(True)  # “Copy as curl with the real token”
    qtbot.waitUntil(lambda: "DPoP: " in clipboard.text(), timeout=10000)
    copied = clipboard.text()
    token = window.desk.token_view(window.profile_list.selected_id()).token
    assert token is not None
    assert f"'Authorization: DPoP {token.access_token}'" in copied
    proof_value = copied.split("'DPoP: ", 1)[1].split("'", 1)[0]
    proof = decode_unverified(proof_value)
    assert proof is not None
    assert proof.header["typ"] == "dpop+jwt"
    assert proof.claims["htm"] == "GET"
    assert proof.claims["htu"] == f"{secure_api.base}/orders"
    assert proof.claims["ath"] == dpop.ath(token.access_token)
    message = window.statusBar().currentMessage()
    assert "valid for this one request" in message, message
    assert "about a minute" in message

    run = subprocess.run(
        ["bash", "-c", f"{copied} --cacert {idp.ca_bundle} -s -o /dev/null -w '%{{http_code}}'"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert run.stdout == "200", run.stderr
    # The proof was for that one request: the same command again is a replayed jti.
    again = subprocess.run(
        ["bash", "-c", f"{copied} --cacert {idp.ca_bundle} -s -o /dev/null -w '%{{http_code}}'"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert again.stdout == "401"
