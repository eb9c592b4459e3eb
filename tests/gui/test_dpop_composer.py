"""The composer with a DPoP profile (RFC 9449): the header preview says a proof goes with each
request, and *Copy as curl* carries a proof made for that one request, which the resource server
(checking htm, htu, ath, jti and its nonce) accepts when bash runs the copied command."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtGui import QGuiApplication

from app.core import dpop
from app.core.jwtinfo import decode_unverified
from app.ui.main_window import REQUESTS_TAB
from tests.gui.conftest import Windows
from tests.gui.test_composer_window import send
from tests.gui.test_sender_constrained_window import fill_common, get_token, save
from tests.support.curl_runner import status_from_bash
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
    # The composer follows the saved profile once the save has landed.
    qtbot.waitUntil(lambda: composer.auth_preview.text().startswith("Authorization: DPoP ••••"))
    preview = composer.auth_preview.text()
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

    run = status_from_bash(copied)
    assert run == "200"
    # The proof was for that one request: the same command again is a replayed jti.
    again = status_from_bash(copied)
    assert again == "401"


def test_the_token_panels_curl_for_a_dpop_token_works_with_no_request_sent_first(
    windows: Windows, qtbot: Any, idp: IdentityServer, secure_api: ResourceServer
) -> None:
    """The Token tab's *Copy as curl* follows the Requests tab's rule: a proof for that request,
    the API's DPoP nonce asked for first (a copied command cannot retry), the CA bundle."""
    window, _ = windows.open()
    editor = window.editor
    client = idp.clients["dpop"]
    fill_common(qtbot, window, "Orders (DPoP)", client.client_id, idp)
    qtbot.keyClicks(editor.api_base, f"{secure_api.base}/orders")
    qtbot.keyClicks(editor.secret, client.secret or "")
    editor.client_auth.dpop.setChecked(True)
    save(qtbot, window)
    assert get_token(qtbot, window).startswith("Token type DPoP")

    clipboard = QGuiApplication.clipboard()
    clipboard.clear()
    window.token_panel.copy_requested.emit("curl-real")
    qtbot.waitUntil(lambda: "DPoP: " in clipboard.text(), timeout=10000)
    copied = clipboard.text()
    assert f"--cacert {idp.ca_bundle}" in copied
    assert "valid for this one request" in window.statusBar().currentMessage()
    run = status_from_bash(copied)
    assert run == "200"
