"""Warnings in amber, each kept to one readable line: a long list of names is cut to the first
few ("… and 118 more") and the whole text waits under Details."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QToolButton, QVBoxLayout, QWidget

from app.ui.qt import named

SHOWN_NAMES = 4


def shorten(warning: str, shown: int = SHOWN_NAMES) -> str:
    """ "Scopes not granted by the server: a b c d e f." → "…: a b c d … and 2 more."."""
    head, sep, tail = warning.partition(": ")
    names = tail.rstrip(".").split()
    if not sep or len(names) <= shown + 1:
        return warning
    return f"{head}: {' '.join(names[:shown])} … and {len(names) - shown} more."


class WarningList(QWidget):
    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.text = named(QLabel(wordWrap=True), f"{name}Text")
        self.text.setProperty("role", "warning")
        self.toggle = named(QToolButton(), f"{name}Toggle")
        self.toggle.setText("Details")
        self.toggle.setCheckable(True)
        self.toggle.setAccessibleName("Show the whole warning")
        self.full = named(QPlainTextEdit(readOnly=True), f"{name}Full")
        self.full.setMaximumHeight(120)
        self.full.setVisible(False)
        self.toggle.toggled.connect(self.full.setVisible)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.text, 1)
        row.addWidget(self.toggle)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.full)
        self.setVisible(False)

    def show_warnings(self, warnings: tuple[str, ...] | list[str]) -> None:
        short = [shorten(w) for w in warnings]
        self.text.setText("\n".join(f"⚠ {w}" for w in short))
        self.full.setPlainText("\n\n".join(warnings))
        cut = short != list(warnings)
        self.toggle.setVisible(cut)
        if not cut:
            self.toggle.setChecked(False)
        self.setVisible(bool(warnings))
