"""Choosing a client certificate and its key: a PEM pair (two files) or one PKCS#12 file whose
password is asked once. The pair is checked at once (it fits, it is in date); the PEM
certificate goes into the profile, the key waits in memory and reaches the keychain on Save.
Nothing is written to a file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.core.certs import CertificateCredential, describe
from app.core.errors import TokendeskError
from app.desk.profile_fields import read_pem_pair, read_pkcs12
from app.ui.qt import named
from app.ui.widgets.form_section import OpenFile

# Asks the person for a password: (title, label) -> the password, or None when cancelled.
AskPassword = Callable[[str, str], str | None]

PKCS12_SUFFIXES = (".p12", ".pfx")
FILTERS = "Certificates (*.pem *.crt *.cer *.p12 *.pfx);;All files (*)"


class CertificatePicker(QWidget):
    """One certificate slot. `pem()` is what the profile holds; `pending()` the newly chosen
    certificate and key, to be kept on Save.

    Signals:
        changed(): a certificate was chosen or removed.
        failed(str): the chosen files could not be used (one plain sentence and its hint).
    """

    changed = Signal()
    failed = Signal(str)

    def __init__(
        self,
        name: str,
        open_file: OpenFile,
        ask_password: AskPassword | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.open_file = open_file
        self.ask_password = ask_password
        self._loaded = ""
        self._pending: CertificateCredential | None = None
        self.summary = named(QLabel(wordWrap=True), f"{name}Summary")
        self.summary.setProperty("role", "hint")
        self.choose_button = named(QPushButton("Choose certificate…"), f"{name}ChooseButton")
        self.choose_button.setToolTip("A PEM certificate with its key file, or a PKCS#12 file")
        self.choose_button.clicked.connect(self.choose)
        self.remove_button = named(QPushButton("Remove"), f"{name}RemoveButton")
        self.remove_button.clicked.connect(self.remove)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.choose_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.summary)
        column.addLayout(buttons)
        self._show()

    def load(self, pem: str) -> None:
        self._loaded = pem
        self._pending = None
        self._show()

    def pem(self) -> str:
        return self._pending.certificate if self._pending else self._loaded

    def pending(self) -> CertificateCredential | None:
        return self._pending

    def take(self, credential: CertificateCredential) -> None:
        """Use this checked certificate and key (kept on Save)."""
        self._pending = credential
        self._show()
        self.changed.emit()

    def remove(self) -> None:
        self._loaded = ""
        self._pending = None
        self._show()
        self.changed.emit()

    def choose(self) -> None:
        path = self.open_file("Choose the client certificate", FILTERS)
        if not path:
            return
        try:
            credential = self._read(Path(path))
        except TokendeskError as exc:
            self.failed.emit(f"{exc.message} {exc.hint}")
            return
        if credential is not None:
            self.take(credential)

    def _read(self, path: Path) -> CertificateCredential | None:
        if path.suffix.lower() in PKCS12_SUFFIXES:
            password = None
            if self.ask_password is not None:
                password = self.ask_password(
                    "PKCS#12 password", f"Password of {path.name} (asked once, never kept):"
                )
                if password is None:
                    return None
            return read_pkcs12(path, password or None)
        key = self.open_file(f"Choose the private key of {path.name}", FILTERS)
        if not key:
            return None
        return read_pem_pair(path, Path(key))

    def _show(self) -> None:
        pem = self.pem()
        self.remove_button.setVisible(bool(pem))
        if not pem:
            self.summary.setText("No certificate chosen.")
            return
        try:
            subject = describe(pem)
        except TokendeskError:
            subject = "(unreadable certificate)"
        where = (
            "its key goes to the OS keychain on Save"
            if self._pending
            else "its key is in the OS keychain"
        )
        self.summary.setText(f"{subject} — {where}.")
