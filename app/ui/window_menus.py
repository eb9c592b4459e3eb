"""The window's menus (File, Settings, Help): their actions, the keys that trigger them and the
small dialogs they open. One place to add a menu entry or a shortcut, and the F1 list with it.

Built by `MainWindow.attach` once the controllers exist (the menu titles are on screen earlier,
in the first phase); the window keeps the actions a person or a test drives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

from app import __version__
from app.ui.qt import named

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

SHORTCUTS = (
    ("Ctrl+N", "New profile"),
    ("Ctrl+S", "Save the profile being edited"),
    ("Ctrl+R", "Get a new token (again: stop waiting)"),
    ("Ctrl+Shift+C", "Copy the token"),
    ("Ctrl+Enter", "Send the request (again: cancel it)"),
    ("Ctrl+F", "Find in the response"),
    ("Ctrl+D", "Duplicate the selected profile"),
    ("F2", "Rename the selected profile"),
    ("Del", "Delete the selected profile"),
    ("F1", "This list"),
    ("Ctrl+Q", "Quit"),
)
CLEAR_AFTER_S = 60


@dataclass(frozen=True)
class MenuActions:
    """The actions other parts of the window enable, disable or trigger."""

    save: QAction
    sandbox: QAction
    clear_clipboard: QAction


def add_menu_actions(
    window: MainWindow, file_menu: QMenu, settings_menu: QMenu, help_menu: QMenu
) -> MenuActions:
    """Fill the three menus; the window's imports, response limit and clipboard must exist."""
    new = QAction("New profile", window)
    # The list's button owns the key; the menu only shows it.
    new.setShortcut(QKeySequence("Ctrl+N"))
    new.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    new.triggered.connect(window.profiles.new_profile)
    file_menu.addAction(new)
    file_menu.addAction(window.profile_list.preset_action)
    save = named(QAction("Save profile", window), "saveProfileAction")
    save.setShortcut(QKeySequence.StandardKey.Save)
    save.triggered.connect(lambda: _save_shortcut(window))
    file_menu.addAction(save)
    sandbox = named(QAction("Try the sandbox", window), "sandboxAction")
    sandbox.triggered.connect(window.start_sandbox)
    file_menu.addAction(sandbox)
    file_menu.addActions(window.imports.actions)
    file_menu.addAction(window.profile_list.import_action)
    file_menu.addAction(window.profile_list.export_action)
    file_menu.addSeparator()
    quit_action = QAction("Quit", window)
    quit_action.setShortcut("Ctrl+Q")
    quit_action.triggered.connect(window.close)
    file_menu.addAction(quit_action)

    clear_clipboard = named(
        QAction(f"Clear copied tokens from the clipboard after {CLEAR_AFTER_S} s", window),
        "clearClipboardAction",
    )
    clear_clipboard.setCheckable(True)
    clear_clipboard.setChecked(window.clipboard.clear_after > 0)
    clear_clipboard.toggled.connect(lambda on: _set_clipboard_clearing(window, on))
    settings_menu.addAction(clear_clipboard)
    settings_menu.addAction(window.response_limit.action)

    shortcuts = named(QAction("Keyboard shortcuts", window), "shortcutsAction")
    shortcuts.setShortcut(QKeySequence("F1"))
    shortcuts.triggered.connect(lambda: show_shortcuts(window))
    help_menu.addAction(shortcuts)
    about = QAction("About Tokendesk", window)
    about.triggered.connect(lambda: show_about(window))
    help_menu.addAction(about)
    return MenuActions(save=save, sandbox=sandbox, clear_clipboard=clear_clipboard)


def _save_shortcut(window: MainWindow) -> None:
    # Ctrl+S saves only what is on screen: never a form hidden behind the welcome page.
    if window.right.currentWidget() is window.tabs:
        window.profiles.save()


def _set_clipboard_clearing(window: MainWindow, on: bool) -> None:
    window.clipboard.clear_after = CLEAR_AFTER_S if on else 0
    window.settings.setValue("clipboard/clear_after", window.clipboard.clear_after)


def show_shortcuts(parent: QWidget) -> None:
    rows = "".join(f"<tr><td><b>{keys}</b></td><td>{what}</td></tr>" for keys, what in SHORTCUTS)
    box = QMessageBox(parent)
    box.setObjectName("shortcutsDialog")
    box.setWindowTitle("Keyboard shortcuts")
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(f"<table cellspacing=6>{rows}</table>")
    box.open()


def show_about(parent: QWidget) -> None:
    QMessageBox.about(
        parent,
        "About Tokendesk",
        f"<b>Tokendesk {__version__}</b><p>A workbench for OAuth2 machine-to-machine "
        "clients. Secrets live in the OS keychain, never in files.</p>",
    )
