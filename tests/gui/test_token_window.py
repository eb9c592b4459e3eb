"""The window as a person uses it: the real keychain, the real identity server, offscreen Qt."""

from __future__ import annotations

import itertools
import time
from typing import Any

import keyring
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication

from app.storage.secrets import SERVICE
from app.ui.main_window import MainWindow
from tests.gui.conftest import Windows
from tests.support.fault_server import FaultServer
from tests.support.idp import IdentityServer

pytestmark = [pytest.mark.idp, pytest.mark.keychain]


def type_profile(  # noqa: PLR0917 - reads like the form it fills
    qtbot: Any,
    window: MainWindow,
    name: str,
    token_url: str,
    client_id: str,
    secret: str,
    scopes: str = "api:read",
    api_base: str = "",
) -> None:
    editor = window.editor
    qtbot.mouseClick(window.profile_list.new_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(editor.name, name)
    qtbot.keyClicks(editor.token_url, token_url)
    qtbot.keyClicks(editor.client_id, client_id)
    qtbot.keyClicks(editor.secret, secret)
    qtbot.keyClicks(editor.scope, scopes)
    if api_base:
        qtbot.keyClicks(editor.api_base, api_base)
    before = window.profile_list.list.count()
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    try:
        qtbot.waitUntil(
            lambda: (
                window.profile_list.list.count() == before + 1 and editor.save_button.isEnabled()
            ),
            timeout=10000,
        )
    except Exception:
        problems = {n: label.text() for n, label in editor.problem_labels().items() if label.text()}
        raise AssertionError(
            f"not saved: {window.statusBar().currentMessage()} {problems} before={before} "
            f"enabled={editor.save_button.isEnabled()} name={editor.name.text()!r} "
            f"tasks={window.profiles.tasks._tasks} err={editor.test_error.message.text()}"
        ) from None


def get_token(qtbot: Any, window: MainWindow) -> None:
    window.tabs.setCurrentIndex(0)
    qtbot.mouseClick(window.token_panel.get_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Valid" in window.token_panel.state.text(), timeout=10000)


def test_create_save_get_copy_restart_delete(
    windows: Windows, qtbot: Any, idp: IdentityServer
) -> None:
    client = idp.clients["weird"]
    window, prompter = windows.open()
    type_profile(
        qtbot, window, "Orders API", idp.token_endpoint, client.client_id, client.secret or ""
    )
    profile = window.profiles.current()
    assert profile is not None
    assert profile.name == "Orders API"
    backend = keyring.get_keyring()
    assert backend.get_password(SERVICE, f"{profile.id}/client_secret") == client.secret

    get_token(qtbot, window)
    panel = window.token_panel
    assert panel.state.objectName() == "tokenStateLabel"
    assert panel.state.property("state") == "valid"
    first = panel.expiry.text()
    assert "left" in first
    qtbot.waitUntil(lambda: panel.expiry.text() != first, timeout=3000)  # the countdown ticks
    assert panel.claims.tree.topLevelItemCount() == 2  # header and claims
    assert "not verified" in panel.claims.status.text()

    qtbot.mouseClick(panel.copy_token, Qt.MouseButton.LeftButton)
    token = window.desk.token_view(profile.id).token
    assert token is not None
    assert QGuiApplication.clipboard().text() == token.access_token
    assert "cleared in 60 s" in window.statusBar().currentMessage()
    qtbot.mouseClick(panel.copy_header, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == f"Authorization: Bearer {token.access_token}"

    qtbot.mouseClick(panel.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Signature verified" in panel.claims.status.text(), timeout=10000)

    # Restart: the cached token comes back from the keychain.
    windows.close(window)
    window, prompter = windows.open()
    qtbot.waitUntil(
        lambda: "Loaded from the keychain" in window.token_panel.source.text(), timeout=10000
    )
    assert window.profile_list.selected_id() == profile.id
    assert "Valid" in window.token_panel.state.text()
    restored = window.desk.token_view(profile.id).token
    assert restored is not None
    assert restored.access_token == token.access_token

    # Delete: confirmation names the keychain, entries are gone.
    prompter.confirm_answer = True
    window.profile_list.delete_action.trigger()
    qtbot.waitUntil(lambda: window.profile_list.list.count() == 0, timeout=10000)
    assert "OS keychain" in prompter.asked[-1][1]
    assert backend.get_password(SERVICE, f"{profile.id}/client_secret") is None
    assert backend.get_password(SERVICE, f"{profile.id}/token") is None


def test_inline_validation_before_saving(windows: Windows, qtbot: Any) -> None:
    window, _ = windows.open()
    qtbot.mouseClick(window.welcome.add_client, Qt.MouseButton.LeftButton)
    editor = window.editor
    qtbot.keyClicks(editor.name, "Half done")
    qtbot.keyClicks(editor.token_url, "login.example.com/token")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    problems = {
        name: label.text()
        for name, label in editor.problem_labels().items()
        if label.isVisibleTo(editor)
    }
    assert "not a web address" in problems["token_url"]
    assert "client ID" in problems["client_id"]
    assert "secret" in problems["client_secret"]
    assert window.profile_list.list.count() == 0
    assert editor.name.text() == "Half done"  # nothing the person typed is lost
    qtbot.keyClicks(editor.client_id, "x")
    assert not editor.problem_labels()["client_id"].isVisibleTo(
        editor
    )  # fixed problems clear as you type


def test_test_connection_success_and_plain_failure(
    windows: Windows, qtbot: Any, idp: IdentityServer
) -> None:
    window, _ = windows.open()
    qtbot.mouseClick(window.welcome.add_client, Qt.MouseButton.LeftButton)
    editor = window.editor
    client = idp.clients["post"]
    qtbot.keyClicks(editor.name, "Try")
    qtbot.keyClicks(editor.token_url, idp.token_endpoint)
    qtbot.keyClicks(editor.client_id, client.client_id)
    editor.auth_method.setCurrentIndex(editor.auth_method.findData("client_secret_post"))
    qtbot.keyClicks(editor.secret, "wrong-secret")
    qtbot.mouseClick(editor.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: editor.test_error.isVisibleTo(editor) and editor.test_button.isEnabled(),
        timeout=10000,
    )
    assert "did not accept the client ID or secret" in editor.test_error.message.text()
    assert not editor.test_error.details.isVisibleTo(editor)
    qtbot.mouseClick(editor.test_error.toggle, Qt.MouseButton.LeftButton)
    assert editor.test_error.details.isVisibleTo(editor)
    assert "HTTP 401" in editor.test_error.details.toPlainText()
    assert "wrong-secret" not in editor.test_error.details.toPlainText()

    editor.secret.clear()
    qtbot.keyClicks(editor.secret, client.secret or "")
    qtbot.mouseClick(editor.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "It works" in editor.test_result.text(), timeout=10000)
    assert not editor.test_error.isVisibleTo(editor)


def test_a_hanging_token_endpoint_never_freezes_the_window(
    windows: Windows, qtbot: Any, faults: FaultServer
) -> None:
    window, _ = windows.open()
    type_profile(qtbot, window, "Hangs", faults.url("/hang"), "c", "s")
    type_profile(qtbot, window, "Other", faults.url("/echo"), "c", "s")
    hanging = next(p for p in window.desk.profiles() if p.name == "Hangs")
    window.profile_list.select(hanging.id)
    window.tabs.setCurrentIndex(0)

    ticks: list[float] = []
    timer = QTimer(window)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(20)
    qtbot.mouseClick(window.token_panel.get_button, Qt.MouseButton.LeftButton)
    assert window.token_panel.get_button.text() == "Cancel"  # in flight, and cancellable
    assert "Asking the identity server" in window.token_panel.state.text()
    qtbot.wait(1500)
    timer.stop()
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert len(ticks) > 30
    assert max(gaps) < 0.25, "the GUI thread stalled while the token request hung"
    # The person can still work: pick the other profile and get its token meanwhile.
    other = next(p for p in window.desk.profiles() if p.name == "Other")
    window.profile_list.select(other.id)
    assert window.token_panel.get_button.text() == "Get token"  # this profile is not busy
    qtbot.mouseClick(window.token_panel.get_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Valid" in window.token_panel.state.text(), timeout=10000)
    # Back on the hanging one: still asking; the same button cancels.
    window.profile_list.select(hanging.id)
    assert window.token_panel.get_button.text() == "Cancel"
    qtbot.mouseClick(window.token_panel.get_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.token_panel.get_button.text() == "Get token", timeout=5000)
    assert "No token yet" in window.token_panel.state.text()


def test_expired_token_copy_warns_and_paste_is_supported(
    windows: Windows, qtbot: Any, idp: IdentityServer
) -> None:
    import base64
    import json

    window, prompter = windows.open()
    type_profile(qtbot, window, "Pasted", idp.token_endpoint, "c", "s")
    window.tabs.setCurrentIndex(0)

    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    old = int(time.time()) - 600
    expired = f"{part({'alg': 'RS256'})}.{part({'exp': old, 'iat': old - 60})}.sig"
    prompter.text_answer = f"Bearer {expired}"
    qtbot.mouseClick(window.token_panel.paste_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Expired" in window.token_panel.state.text(), timeout=10000)
    assert "Pasted by you" in window.token_panel.source.text()
    assert window.token_panel.state.property("state") == "expired"

    QGuiApplication.clipboard().setText("something else")
    prompter.choice_answer = None  # Cancel
    qtbot.mouseClick(window.token_panel.copy_token, Qt.MouseButton.LeftButton)
    assert prompter.asked[-1][0] == "This token has expired"
    assert prompter.defaults[-1] == "Get a new one and copy"  # what Enter does
    assert QGuiApplication.clipboard().text() == "something else"
    prompter.choice_answer = "Copy anyway"
    qtbot.mouseClick(window.token_panel.copy_token, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == expired


def test_clipboard_is_cleared_only_if_it_still_holds_our_token(qtbot: Any, qapp: Any) -> None:
    from app.ui.clipboard import ClipboardGuard

    messages: list[str] = []
    clipboard = QGuiApplication.clipboard()
    guard = ClipboardGuard(clipboard, messages.append, clear_after=1, parent=qapp)
    guard.copy("secret-token", "access token")
    qtbot.waitUntil(lambda: clipboard.text() == "", timeout=3000)
    assert "Cleared" in messages[-1]
    guard.copy("secret-token", "access token")
    clipboard.setText("the person's own text")
    qtbot.wait(1300)
    assert clipboard.text() == "the person's own text"
    guard.clear_after = 60
    guard.copy("secret-token", "access token")
    guard.clear_now()  # the app quits before the 60 s are up
    assert clipboard.text() == ""


def test_auto_refresh_renews_ahead_of_expiry_and_the_panel_shows_it(
    windows: Windows, qtbot: Any, faults: FaultServer
) -> None:
    window, _ = windows.open()
    editor = window.editor
    qtbot.mouseClick(window.profile_list.new_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(editor.name, "Short-lived")
    qtbot.keyClicks(editor.token_url, faults.url("/counted") + "?ttl=4")
    qtbot.keyClicks(editor.client_id, "c")
    qtbot.keyClicks(editor.secret, "s")
    editor.api.auto_refresh.setChecked(True)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.profile_list.selected_id() != "", timeout=10000)
    profile_id = window.profile_list.selected_id()
    window.tabs.setCurrentIndex(0)
    seen: set[str] = set()

    def renewed_twice() -> bool:
        token = window.desk.token_view(profile_id).token
        if token is not None:
            seen.add(token.access_token)
        return len(seen) >= 3

    qtbot.waitUntil(renewed_twice, timeout=15000)
    assert window.token_panel.state.property("state") in {"valid", "expiring"}
    assert "Fetched from the identity server" in window.token_panel.source.text()
    # Turning it off stops the renewals.
    editor.api.auto_refresh.setChecked(False)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.desk.auto_refreshing(profile_id), timeout=5000)


def test_duplicate_rename_export_import_and_remembered_selection(
    windows: Windows, qtbot: Any, idp: IdentityServer, tmp_path: Any
) -> None:
    import json

    window, prompter = windows.open()
    type_profile(
        qtbot,
        window,
        "Alpha",
        idp.token_endpoint,
        idp.clients["basic"].client_id,
        idp.clients["basic"].secret or "",
    )
    window.profile_list.duplicate_action.trigger()
    qtbot.waitUntil(lambda: window.profile_list.list.count() == 2, timeout=10000)
    copy = window.profiles.current()
    assert copy is not None
    assert copy.name == "Alpha (copy)"
    prompter.text_answer = "Beta"
    window.profile_list.rename_action.trigger()
    qtbot.waitUntil(
        lambda: window.profiles.current() is not None and window.profiles.current().name == "Beta",
        timeout=5000,
    )
    # The duplicate has its own keychain copy of the secret: it can get a token.
    get_token(qtbot, window)

    export = tmp_path / "profiles.json"
    prompter.save_answer = str(export)
    window.profile_list.export_action.trigger()
    document = json.loads(export.read_text())
    assert [p["name"] for p in document["profiles"]] == ["Alpha", "Beta"]
    assert idp.clients["basic"].secret not in export.read_text()

    prompter.open_answer = str(export)
    window.profile_list.import_action.trigger()
    qtbot.waitUntil(lambda: window.profile_list.list.count() == 4, timeout=5000)
    assert "needs its secret" in window.statusBar().currentMessage()

    beta = next(p for p in window.desk.profiles() if p.name == "Beta")
    window.profile_list.select(beta.id)
    window.resize(760, 517)  # inside the offscreen screen (800x600), which restoring clamps to
    window.splitter.setSizes([180, 560])
    size, sizes = window.size(), window.splitter.sizes()
    windows.close(window)
    window, _ = windows.open()
    assert window.profile_list.selected_id() == beta.id
    assert window.size() == size
    assert window.splitter.sizes() == sizes


def test_secret_field_is_masked_with_a_reveal_toggle(windows: Windows, qtbot: Any) -> None:
    from PySide6.QtWidgets import QLineEdit

    window, _ = windows.open()
    qtbot.mouseClick(window.welcome.add_client, Qt.MouseButton.LeftButton)
    editor = window.editor
    assert editor.secret.echoMode() == QLineEdit.EchoMode.Password
    # A word, not an icon from a theme that may lack it: visible on any desktop.
    assert editor.reveal.isVisibleTo(editor)
    assert editor.reveal.text() == "Show"
    editor.reveal.click()
    assert editor.secret.echoMode() == QLineEdit.EchoMode.Normal
    assert editor.reveal.text() == "Hide"
    editor.reveal.click()
    assert editor.secret.echoMode() == QLineEdit.EchoMode.Password
    editor.auth_method.setCurrentIndex(editor.auth_method.findData("private_key_jwt"))
    assert not editor.secret.isVisibleTo(editor)
    assert editor.private_key.isVisibleTo(editor)
    assert "private key" in editor.auth_explanation.text()
