"""The menus a person opens: every shortcut is listed under F1, and the clipboard setting is kept
across a restart."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from app.ui.window_menus import SHORTCUTS
from tests.gui.conftest import Windows

pytestmark = pytest.mark.keychain


def _menu_texts(window: Any) -> dict[str, list[str]]:
    return {
        menu.title(): [a.text() for a in menu.actions() if not a.isSeparator()]
        for menu in window._menus
    }


def test_the_menus_hold_their_actions_and_f1_lists_every_shortcut(
    windows: Windows, qtbot: Any
) -> None:
    """File, Settings and Help carry their entries; F1 opens the list of keys."""
    window, _ = windows.open()
    menus = _menu_texts(window)
    assert menus["&File"][0] == "New profile"
    assert {"Save profile", "Try the sandbox", "Quit"} <= set(menus["&File"])
    assert menus["&Settings"][0] == "Clear copied tokens from the clipboard after 60 s"
    assert menus["&Settings"][1].startswith("Stop API answers at ")
    assert menus["&Help"] == ["Keyboard shortcuts", "About Tokendesk"]

    help_menu = next(m for m in window._menus if m.title() == "&Help")
    help_menu.actions()[0].trigger()
    dialog = window.findChild(QMessageBox, "shortcutsDialog")
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    for keys, what in SHORTCUTS:
        assert f"<b>{keys}</b></td><td>{what}</td>" in dialog.text()
    dialog.close()


def test_turning_clipboard_clearing_off_is_kept_for_the_next_start(
    windows: Windows, qtbot: Any
) -> None:
    window, _ = windows.open()
    assert window.clear_clipboard_action.isChecked()  # on by default
    window.clear_clipboard_action.trigger()
    assert window.clipboard.clear_after == 0
    windows.close(window)

    window, _ = windows.open()
    assert not window.clear_clipboard_action.isChecked()
    assert window.clipboard.clear_after == 0
    window.clear_clipboard_action.trigger()
    assert window.clipboard.clear_after == 60
