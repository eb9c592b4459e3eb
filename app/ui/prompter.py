"""Questions the window asks the person (confirm, type a name, pick a file).

Passed into the window like any collaborator, so tests can answer instead of a person and no
modal dialog ever blocks a test.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget


class Prompter:
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

    def ask_text(
        self, title: str, label: str, text: str = "", *, multiline: bool = False
    ) -> str | None:
        if multiline:
            value, ok = QInputDialog.getMultiLineText(self.parent, title, label, text)
        else:
            value, ok = QInputDialog.getText(self.parent, title, label, text=text)
        return value if ok else None

    def open_file(self, title: str, filters: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self.parent, title, "", filters)
        return path or None

    def save_file(self, title: str, suggested: str, filters: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self.parent, title, suggested, filters)
        return path or None
