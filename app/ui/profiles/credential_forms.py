"""The forms behind the client-authentication switcher, one per kind of credential: a shared
secret, a private key (or a certificate with its key), a service-account key file, and the note
for the methods where the TLS certificate is the credential."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QWidget,
)

from app.core.certs import CertificateCredential
from app.core.errors import TokendeskError
from app.core.profiles import Problem, Profile
from app.core.secrets import SecretKind
from app.desk.profile_fields import read_service_account
from app.ui.profiles.certificate_picker import AskPassword, CertificatePicker
from app.ui.qt import named
from app.ui.widgets.form_section import FormSection, OpenFile, line


class CredentialForm(FormSection):
    """One kind of credential. It never shows what the keychain holds, only that it holds one."""

    kind: SecretKind

    def __init__(
        self,
        open_file: OpenFile,
        parent: QWidget | None = None,
        ask_password: AskPassword | None = None,
    ) -> None:
        super().__init__(parent)
        self.open_file = open_file
        self.stored = False

    def load(self, profile: Profile) -> None:
        self.clear()

    def values(self) -> dict[str, Any]:
        return {}  # credentials never go into the profile; see secret()

    def clear(self) -> None:
        raise NotImplementedError

    def secret(self) -> str:
        raise NotImplementedError

    def set_stored(self, stored: bool) -> None:
        self.stored = stored

    def pending_certificates(self) -> list[tuple[CertificateCredential, bool]]:
        return []


@dataclass(frozen=True)
class CredentialWords:
    """How a typed credential speaks of itself: its placeholder with one in the keychain and
    without, and the problem (at `field`) when there is neither a typed nor a stored one."""

    field: str
    stored: str
    empty: str
    missing: str


class TypedCredentialForm(CredentialForm):
    """A credential typed or pasted into `edit`; the keychain's copy is only ever said to be
    there, in the placeholder, and saving without one is a problem."""

    words: CredentialWords
    edit: QLineEdit | QPlainTextEdit

    def set_stored(self, stored: bool) -> None:
        super().set_stored(stored)
        self.edit.setPlaceholderText(self.words.stored if stored else self.words.empty)

    def has_other_credential(self) -> bool:
        """Something else stands in for the typed credential (a certificate with its key)."""
        return False

    def problems(self) -> list[Problem]:
        if not self.secret() and not self.stored and not self.has_other_credential():
            return [Problem(self.words.field, self.words.missing)]
        return []


class SecretForm(TypedCredentialForm):
    """A shared secret (client_secret_basic, client_secret_post, client_secret_jwt)."""

    kind = SecretKind.CLIENT_SECRET
    edit: QLineEdit
    words = CredentialWords(
        field="client_secret",
        stored="•••••••• stored in the OS keychain — type to replace",
        empty="kept in the OS keychain, never in a file",
        missing="Enter the client secret.",
    )

    def __init__(
        self,
        open_file: OpenFile,
        parent: QWidget | None = None,
        ask_password: AskPassword | None = None,
    ) -> None:
        super().__init__(open_file, parent)
        self.edit = line("clientSecretEdit", "Client secret", "kept in the OS keychain")
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        # Words, not an eye icon: icon themes without view-reveal-symbolic drew nothing at all.
        self.reveal = named(QToolButton(), "revealSecretButton")
        self.reveal.setText("Show")
        self.reveal.setCheckable(True)
        self.reveal.setAccessibleName("Show the client secret")
        self.reveal.toggled.connect(self._toggle_reveal)
        row = QHBoxLayout()
        row.addWidget(self.edit, 1)
        row.addWidget(self.reveal)
        self.add_row("Client secret", "client_secret", row)
        self.watch(self.edit)
        self.set_stored(False)

    def _toggle_reveal(self, shown: bool) -> None:
        self.edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.reveal.setText("Hide" if shown else "Show")

    def clear(self) -> None:
        self.edit.clear()
        self.reveal.setChecked(False)

    def secret(self) -> str:
        return self.edit.text()


class PrivateKeyForm(TypedCredentialForm):
    """A private key that signs an assertion (private_key_jwt), or instead a certificate with
    its key (Entra ID wants the x5t thumbprint in the assertion; Okta the key id)."""

    kind = SecretKind.PRIVATE_KEY
    with_certificate = True
    edit: QPlainTextEdit
    words = CredentialWords(
        field="private_key",
        stored="A private key is stored in the OS keychain — paste or choose a file to replace it",
        empty="Paste a PEM private key or a private JWK, or choose a file",
        missing="Paste the private key or choose its file.",
    )

    def __init__(
        self,
        open_file: OpenFile,
        parent: QWidget | None = None,
        ask_password: AskPassword | None = None,
    ) -> None:
        super().__init__(open_file, parent, ask_password)
        self.edit = named(QPlainTextEdit(), "privateKeyEdit" + self.suffix())
        self.edit.setAccessibleName("Private key")
        self.edit.setFixedHeight(80)
        self.file_button = named(
            QPushButton("Choose file…"), "privateKeyFileButton" + self.suffix()
        )
        self.file_button.clicked.connect(self._choose_file)
        row = QHBoxLayout()
        row.addWidget(self.edit, 1)
        row.addWidget(self.file_button, 0, Qt.AlignmentFlag.AlignTop)
        inner = QWidget()
        row.setContentsMargins(0, 0, 0, 0)
        inner.setLayout(row)
        self.form.addRow("Private key", self.with_problem("private_key", inner, self.edit))
        self.watch(self.edit)
        self.certificate: CertificatePicker | None = None
        if self.with_certificate:
            self.certificate = CertificatePicker("assertionCert", open_file, ask_password)
            self.certificate.summary.setText("")
            self.form.addRow(
                "Or a certificate", self.with_problem("assertion_cert", self.certificate)
            )
            self.certificate.changed.connect(self.edited)
            self.certificate.changed.connect(lambda: self.set_stored(self.stored))
            self.certificate.failed.connect(self._failed)
        self.set_stored(False)

    def suffix(self) -> str:
        return ""

    def _failed(self, text: str) -> None:
        self.show_problems([Problem("assertion_cert", text)])

    def _choose_file(self) -> None:
        path = self.open_file("Choose the private key", "Keys (*.pem *.key *.json);;All files (*)")
        if not path:
            return
        try:
            self.edit.setPlainText(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            self.show_problems([Problem("private_key", f"That file could not be read: {exc}")])

    def load(self, profile: Profile) -> None:
        super().load(profile)
        if self.certificate is not None:
            self.certificate.load(profile.assertion_cert)

    def values(self) -> dict[str, Any]:
        if self.certificate is None:
            return {}
        return {"assertion_cert": self.certificate.pem()}

    def pending_certificates(self) -> list[tuple[CertificateCredential, bool]]:
        pending = self.certificate.pending() if self.certificate else None
        return [(pending, False)] if pending else []

    def clear(self) -> None:
        self.edit.clear()

    def secret(self) -> str:
        if self.certificate is not None and self.certificate.pending():
            return ""  # the certificate's key is the private key; it is kept with it
        return self.edit.toPlainText().strip()

    def has_other_credential(self) -> bool:
        return self.certificate is not None and self.certificate.pending() is not None


class ServiceAccountForm(PrivateKeyForm):
    """A service-account key file (JWT-bearer grant, RFC 7523): chosen or dropped, it fills the
    client and token URL; its private key goes to the keychain on Save, the file is not kept.

    Signals:
        account_read(object): a ServiceAccountKey was read from a key file.
    """

    with_certificate = False
    account_read = Signal(object)

    def __init__(
        self,
        open_file: OpenFile,
        parent: QWidget | None = None,
        ask_password: AskPassword | None = None,
    ) -> None:
        super().__init__(open_file, parent, ask_password)
        self.account_button = named(QPushButton("Choose key file (JSON)…"), "serviceAccountButton")
        self.account_button.setToolTip("Or drop the key file on this form")
        self.account_button.clicked.connect(self._choose_account)
        note = QLabel(
            "A service-account key file fills the client and token URL; its private key goes to "
            "the OS keychain and the file itself is not kept.",
            wordWrap=True,
        )
        note.setProperty("role", "hint")
        self.form.insertRow(
            0, "Key file", self.with_problem("service_account", self.account_button)
        )
        self.form.insertRow(1, note)
        self.setAcceptDrops(True)

    def suffix(self) -> str:
        return "Bearer"

    def _choose_account(self) -> None:
        path = self.open_file("Choose the service-account key", "Key files (*.json);;All files (*)")
        if path:
            self.read_account(Path(path))

    def read_account(self, path: Path) -> None:
        try:
            account = read_service_account(path, name="", scopes=())
        except TokendeskError as exc:
            self.show_problems([Problem("service_account", f"{exc.message} {exc.hint}")])
            return
        self.show_problems([])
        self.edit.setPlainText(account.private_key)
        self.account_read.emit(account)
        self.edited()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        urls = [u for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            self.read_account(Path(urls[0].toLocalFile()))
            event.acceptProposedAction()


class CertificateForm(CredentialForm):
    """The client proves itself with its TLS certificate (RFC 8705), chosen below."""

    kind = SecretKind.CLIENT_CERT_KEY  # never typed: the key comes with the certificate

    def __init__(
        self,
        open_file: OpenFile,
        parent: QWidget | None = None,
        ask_password: AskPassword | None = None,
    ) -> None:
        super().__init__(open_file, parent)
        # No rows: the method's explanation says what happens, and the certificate picker sits
        # right below it (a second note here only repeated it, out of line with the fields).

    def clear(self) -> None:
        pass

    def secret(self) -> str:
        return ""
