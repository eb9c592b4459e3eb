"""Nothing typed is dropped without a question, and the Sandbox profile still works on day 2."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.desk.desk import SANDBOX_ID
from tests.gui.conftest import Windows
from tests.gui.test_token_window import type_profile
from tests.support.idp import IdentityServer

pytestmark = [pytest.mark.idp, pytest.mark.keychain]


def test_leaving_an_edited_profile_asks_save_discard_or_cancel(
    windows: Windows, qtbot: Any, idp: IdentityServer
) -> None:
    """Another profile clicked, a half-filled new profile left, the window closed: each asks."""
    window, prompter = windows.open()
    client = idp.clients["basic"]
    type_profile(qtbot, window, "Alpha", idp.token_endpoint, client.client_id, "s1")
    type_profile(qtbot, window, "Beta", idp.token_endpoint, client.client_id, "s2")
    store = window.desk.store
    alpha = next(p for p in store.load() if p.name == "Alpha")
    beta = next(p for p in store.load() if p.name == "Beta")
    editor = window.editor
    assert not editor.is_dirty()
    assert prompter.asked == []  # saving a new profile never asks about itself

    window.profile_list.select(alpha.id)
    qtbot.keyClicks(editor.scope, " api:write")
    prompter.unsaved_answer = "cancel"
    window.profile_list.select(beta.id)
    assert prompter.asked[-1] == ("Unsaved changes", "Save changes to “Alpha”?")
    assert window.profile_list.selected_id() == alpha.id  # stayed
    assert editor.scope.text() == "api:read api:write"  # nothing lost

    prompter.unsaved_answer = "discard"
    window.profile_list.select(beta.id)
    assert window.profile_list.selected_id() == beta.id
    assert editor.name.text() == "Beta"
    assert store.get(alpha.id).scopes == ("api:read",)  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: "stored in the OS keychain" in editor.secret.placeholderText())

    qtbot.keyClicks(editor.scope, " api:write")
    prompter.unsaved_answer = "save"
    qtbot.mouseClick(window.profile_list.new_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.profile is None and editor.name.text() == "", timeout=10000)
    assert store.get(beta.id).scopes == ("api:read", "api:write")  # type: ignore[union-attr]

    qtbot.keyClicks(editor.name, "Half done")
    prompter.unsaved_answer = "cancel"
    window.profile_list.select(alpha.id)
    assert prompter.asked[-1] == ("Unsaved changes", "Save changes to “Half done”?")
    assert editor.profile is None
    assert editor.name.text() == "Half done"

    prompter.unsaved_answer = "cancel"
    window.close()
    assert window.isVisible()  # Cancel keeps the window and the form
    assert editor.name.text() == "Half done"
    prompter.unsaved_answer = "discard"
    window.close()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert [p.name for p in store.load()] == ["Alpha", "Beta"]


def test_ctrl_s_saves_the_profile(windows: Windows, qtbot: Any, idp: IdentityServer) -> None:
    window, _ = windows.open()
    client = idp.clients["basic"]
    type_profile(qtbot, window, "Gamma", idp.token_endpoint, client.client_id, "s")
    profile = window.profiles.current()
    assert profile is not None
    window.tabs.setCurrentIndex(2)
    editor = window.editor
    qtbot.waitUntil(lambda: "stored in the OS keychain" in editor.secret.placeholderText())
    qtbot.keyClicks(editor.audience_edit, "orders")
    assert window.save_action.shortcut().toString() == "Ctrl+S"
    window.activateWindow()
    qtbot.keyClick(window.editor.audience_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    # Saved, and the save has finished (it reloads the form after the keychain answered).
    qtbot.waitUntil(
        lambda: (
            window.desk.profile(profile.id).audience == "orders"  # type: ignore[union-attr]
            and editor.save_button.isEnabled()
        ),
        timeout=10000,
    )
    # The file is written first; the form takes the saved profile back a moment later.
    qtbot.waitUntil(lambda: not window.editor.is_dirty(), timeout=10000)


def test_the_sandbox_profile_on_day_two_says_the_sandbox_is_not_running(
    windows: Windows, qtbot: Any
) -> None:
    window, _ = windows.open()
    qtbot.mouseClick(window.welcome.try_sandbox, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Valid" in window.token_panel.state.text(), timeout=20000)
    assert not window.token_panel.sandbox_stopped.isVisibleTo(window)
    windows.close(window)

    window, _ = windows.open()  # a new day: the profile is there, its servers are not
    assert window.profile_list.selected_id() == SANDBOX_ID
    notice = window.token_panel.sandbox_stopped
    qtbot.waitUntil(lambda: notice.isVisibleTo(window), timeout=5000)
    assert (
        "The sandbox is not running"
        in notice.findChildren(type(window.token_panel.title))[0].text()
    )
    qtbot.mouseClick(window.token_panel.start_sandbox, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Valid" in window.token_panel.state.text(), timeout=20000)
    assert not notice.isVisibleTo(window)
    assert window.sandbox_action.isEnabled()  # still reachable from the File menu
