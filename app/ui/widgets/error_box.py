"""An error as people should meet it: one plain sentence, what to do, and the raw details one
click away."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import TokendeskError
from app.ui.qt import named


class ErrorBox(QFrame):
    """The error, and at most one fix offered as a button (`offer`)."""

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
        self.action = named(QPushButton(), f"{name}Action")
        self.action.setVisible(False)
        self.action.clicked.connect(self._act)
        self._fix: Callable[[], object] | None = None

        row = QHBoxLayout()
        row.addWidget(self.hint, 1)
        row.addWidget(self.action, 0, Qt.AlignmentFlag.AlignTop)
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
        self.offer("", None)
        self.setVisible(True)

    def offer(self, text: str, fix: Callable[[], object] | None) -> None:
        """One click that fixes the error shown (None: no fix on offer)."""
        self._fix = fix
        self.action.setText(text)
        self.action.setVisible(fix is not None)

    def _act(self) -> None:
        fix, self._fix = self._fix, None
        self.action.setVisible(False)
        if fix is not None:
            fix()

    def clear(self) -> None:
        self.setVisible(False)
        self.details.clear()
        self.offer("", None)
