"""A strip across the top of the window for problems that concern everything (no keychain)."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from app.core.errors import TokendeskError
from app.ui.qt import named


class Banner(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keychainBanner")
        self.setProperty("role", "banner")
        self.text = named(QLabel(wordWrap=True), "keychainBannerText")
        self.retry = named(QPushButton("Check again"), "keychainRetryButton")
        layout = QHBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.retry)
        self.setVisible(False)

    def show_error(self, error: TokendeskError | None) -> None:
        if error is None:
            self.setVisible(False)
            return
        self.text.setText(
            f"<b>{error.message}</b> {error.hint} Until then Tokendesk will not save secrets "
            "(it never writes them anywhere else)."
        )
        self.setToolTip(error.details)
        self.setVisible(True)
