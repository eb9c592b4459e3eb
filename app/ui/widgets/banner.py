"""A strip across the top of the window for problems that concern everything (no keychain)."""

from __future__ import annotations

import sys

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
        self.save = named(QPushButton("Save to keychain"), "keychainSaveButton")
        self.save.setVisible(False)
        layout = QHBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.retry)
        layout.addWidget(self.save)
        self.setVisible(False)

    def show_error(self, error: TokendeskError | None, in_memory: bool = False) -> None:
        """`in_memory`: the window goes on with the session's secrets in memory; say it once
        and how to get a keychain, rather than refusing to work."""
        self.save.setVisible(in_memory)
        if error is None and not in_memory:
            self.setVisible(False)
            return
        if in_memory:
            self.text.setText(
                "<b>No keychain: secrets are kept in memory until you quit.</b> "
                f"Nothing is written in plain text. {keychain_how_to()}"
            )
        elif error is not None:
            self.text.setText(
                f"<b>{error.message}</b> {error.hint} Until then Tokendesk will not save secrets "
                "(it never writes them anywhere else)."
            )
        self.setToolTip(error.details if error is not None else "")
        self.setVisible(True)


def keychain_how_to() -> str:
    if sys.platform == "darwin":
        return "Unlock the login keychain (Keychain Access), then press <i>Check again</i>."
    if sys.platform == "win32":
        return "Sign in to Windows normally (Credential Manager), then press <i>Check again</i>."
    return (
        "To keep them, start a keychain in this desktop session — "
        "<code>gnome-keyring-daemon --start --components=secrets</code> (GNOME) or open KWallet "
        "(KDE) — then press <i>Save to keychain</i>."
    )
