"""An error as people should meet it: one plain sentence, what to do, and the raw details one
click away."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import TokendeskError
from app.ui.qt import named


class ErrorBox(QFrame):
    def __init__(self, parent: QWidget | None = None, *, name: str = "errorBox") -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setProperty("role", "error")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.message = named(QLabel(wordWrap=True), f"{name}Message")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.message.font()
        font.setBold(True)
        self.message.setFont(font)
        self.hint = named(QLabel(wordWrap=True), f"{name}Hint")
        self.hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.toggle = named(QToolButton(), f"{name}Toggle")
        self.toggle.setText("Details")
        self.toggle.setCheckable(True)
        self.toggle.setAccessibleName("Show the raw details of the error")
        self.details = named(QPlainTextEdit(readOnly=True), f"{name}Details")
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.details.setAccessibleName("Raw details of the error (secrets removed)")
        self.details.setVisible(False)
        self.details.setMinimumHeight(140)
        self.toggle.toggled.connect(self.details.setVisible)

        row = QHBoxLayout()
        row.addWidget(self.hint, 1)
        row.addWidget(self.toggle, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addLayout(row)
        layout.addWidget(self.details)
        self.setVisible(False)

    def show_error(self, error: TokendeskError) -> None:
        self.message.setText(error.message)
        self.hint.setText(error.hint)
        self.details.setPlainText(error.details or "(no further details)")
        self.toggle.setVisible(bool(error.details))
        self.toggle.setChecked(False)
        self.setVisible(True)

    def clear(self) -> None:
        self.setVisible(False)
        self.details.clear()
