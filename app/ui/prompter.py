"""Questions the window asks the person (confirm, type a name, pick a file).

`Prompter` is what the window and its controllers ask through; `DialogPrompter` asks with
modal dialogs. One is passed into the window like any collaborator (`build_window(prompter=…)`),
so tests answer instead of a person and no modal dialog ever blocks a test.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget


class Prompter(Protocol):
    def confirm(
        self, title: str, text: str, *, action: str = "OK", danger: bool = False
    ) -> bool: ...

    def choose(
        self, title: str, text: str, choices: list[str], default: str | None
    ) -> str | None: ...

    def ask_save_changes(self, name: str) -> str: ...

    def ask_text(
        self, title: str, label: str, text: str = "", *, multiline: bool = False
    ) -> str | None: ...

    def ask_password(self, title: str, label: str) -> str | None: ...

    def open_file(self, title: str, filters: str) -> str | None: ...

    def save_file(self, title: str, suggested: str, filters: str) -> str | None: ...


class DialogPrompter:
    """Asks with Qt's modal dialogs, parented to the window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.parent = parent

    def confirm(self, title: str, text: str, *, action: str = "OK", danger: bool = False) -> bool:
        box = QMessageBox(self.parent)
        box.setIcon(QMessageBox.Icon.Warning if danger else QMessageBox.Icon.Question)
        box.setWindowTitle(title)
        box.setText(text)
        yes = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel if danger else yes)
        box.exec()
        return box.clickedButton() is yes

    def choose(self, title: str, text: str, choices: list[str], default: str | None) -> str | None:
        """One of `choices` (`default` is what Enter picks; None: Cancel), or None for Cancel."""
        box = QMessageBox(self.parent)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(title)
        box.setText(text)
        buttons = {box.addButton(c, QMessageBox.ButtonRole.AcceptRole): c for c in choices}
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        for button, choice in buttons.items():
            if choice == default:
                box.setDefaultButton(button)
        box.exec()
        clicked = box.clickedButton()
        return next((c for b, c in buttons.items() if b is clicked), None)

    def ask_save_changes(self, name: str) -> str:
        """ "save", "discard" or "cancel", as every editor asks before dropping an edit."""
        box = QMessageBox(self.parent)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Unsaved changes")
        box.setText(f"Save changes to “{name}”?")
        box.setInformativeText("If you don't save, what you typed (a new secret too) is lost.")
        save = box.addButton(QMessageBox.StandardButton.Save)
        discard = box.addButton(QMessageBox.StandardButton.Discard)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(save)
        box.exec()
        clicked = box.clickedButton()
        return "save" if clicked is save else "discard" if clicked is discard else "cancel"

    def ask_text(
        self, title: str, label: str, text: str = "", *, multiline: bool = False
    ) -> str | None:
        if multiline:
            value, ok = QInputDialog.getMultiLineText(self.parent, title, label, text)
        else:
            value, ok = QInputDialog.getText(self.parent, title, label, text=text)
        return value if ok else None

    def ask_password(self, title: str, label: str) -> str | None:
        value, ok = QInputDialog.getText(self.parent, title, label, QLineEdit.EchoMode.Password, "")
        return value if ok else None

    def open_file(self, title: str, filters: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self.parent, title, "", filters)
        return path or None

    def save_file(self, title: str, suggested: str, filters: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self.parent, title, suggested, filters)
        return path or None
