"""The newcomer's path, offline: welcome → Try the sandbox → a valid token → a saved request →
a real response → the insufficient_scope lesson."""

from __future__ import annotations

from typing import Any

import keyring
import pytest
from PySide6.QtCore import Qt

from app.desk.desk import SANDBOX_ID
from app.storage.secrets import SERVICE
from app.ui.main_window import REQUESTS_TAB
from tests.gui.conftest import Windows, send_and_wait

pytestmark = pytest.mark.keychain


def test_welcome_then_sandbox_then_a_real_response(windows: Windows, qtbot: Any) -> None:
    window, _ = windows.open()
    assert window.right.currentWidget() is window.welcome
    qtbot.mouseClick(window.welcome.try_sandbox, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Valid" in window.token_panel.state.text(), timeout=20000)
    profile = window.profiles.current()
    assert profile is not None
    assert profile.id == SANDBOX_ID
    assert profile.api_base_url.startswith("http://127.0.0.1:")
    # Its secret is random and lives in memory only, like the sandbox: the keychain never sees it.
    assert keyring.get_keyring().get_password(SERVICE, f"{SANDBOX_ID}/client_secret") is None
    assert keyring.get_keyring().get_password(SERVICE, f"{SANDBOX_ID}/token") is None

    window.tabs.setCurrentIndex(REQUESTS_TAB)
    saved = window.requests_panel.saved
    assert saved.count() == 4
    assert saved.item(0).text().startswith("1. List items")
    saved.itemClicked.emit(saved.item(0))
    composer = window.requests_panel.composer
    viewer = window.requests_panel.viewer
    send_and_wait(qtbot, window)
    qtbot.waitUntil(lambda: "Blue widget" in viewer.text.toPlainText(), timeout=10000)
    assert "200" in viewer.status.text()

    saved.itemClicked.emit(saved.item(1))
    send_and_wait(qtbot, window)
    assert "403" in viewer.status.text()
    assert "“admin:all”" in viewer.notes.text()

    saved.itemClicked.emit(saved.item(3))
    assert composer.auth.currentData() == "none"
    send_and_wait(qtbot, window)
    assert "200" in viewer.status.text()


def test_day_two_a_send_to_the_sandbox_starts_it(windows: Windows, qtbot: Any) -> None:
    """The sandbox runs while Tokendesk does; the next day its profile is still there. A send
    from Requests starts it again, as Get token does, instead of "nothing is answering"."""
    window, _ = windows.open()
    qtbot.mouseClick(window.welcome.try_sandbox, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Valid" in window.token_panel.state.text(), timeout=20000)
    windows.close(window)

    window, _ = windows.open()
    qtbot.waitUntil(lambda: window.profiles.current() is not None, timeout=5000)
    assert not window.desk.sandbox_running()
    window.tabs.setCurrentIndex(REQUESTS_TAB)
    saved = window.requests_panel.saved
    saved.itemClicked.emit(saved.item(0))  # 1. List items
    viewer = window.requests_panel.viewer
    send_and_wait(qtbot, window, timeout=20000)
    assert "200" in viewer.status.text(), viewer.status.text() + viewer.notes.text()
    assert "Blue widget" in viewer.text.toPlainText()
    assert window.desk.sandbox_running()


def test_add_my_client_opens_the_form(windows: Windows, qtbot: Any) -> None:
    window, _ = windows.open()
    qtbot.mouseClick(window.welcome.add_client, Qt.MouseButton.LeftButton)
    assert window.right.currentWidget() is window.tabs
    assert window.tabs.currentWidget() is window.editor


def test_the_real_app_starts_the_sandbox_and_quits_cleanly(tmp_path: Any) -> None:
    """`tokendesk --sandbox` as a person starts it (here with --self-test, which closes the window
    by itself): no traceback on the way out, even with the sandbox and a token request running."""
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(tmp_path / "c"),
        "XDG_DATA_HOME": str(tmp_path / "d"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "app", "--sandbox", "--self-test"],
        capture_output=True,
        text=True,
        env=env,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "self-test ok" in result.stdout
    assert "Traceback" not in result.stderr
    assert "Exception in callback" not in result.stderr
