from __future__ import annotations

from typing import Any

from tests.gui.conftest import Windows


def test_window_opens_on_a_new_profile_form(windows: Windows, qtbot: Any) -> None:
    window, _ = windows.open()
    qtbot.waitUntil(lambda: window.tabs.currentIndex() == 1, timeout=5000)
    window.grab().save("/tmp/td-empty.png")
    assert window.editor.name.text() == ""
