"""How the client signs in: the method, and behind a switcher one small form per kind of
credential. A new method (certificate, service account, mTLS, DPoP) is one more form in FORMS."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.profiles import AuthMethod, Problem, Profile
from app.core.secrets import SecretKind
from app.ui.qt import named
from app.ui.widgets.form_section import FormSection, OpenFile, line


class CredentialForm(FormSection):
    """One kind of credential. It never shows what the keychain holds, only that it holds one."""

    kind: SecretKind

    def __init__(self, open_file: OpenFile, parent: QWidget | None = None) -> None:
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


class SecretForm(CredentialForm):
    """A shared secret (client_secret_basic, client_secret_post, client_secret_jwt)."""

    kind = SecretKind.CLIENT_SECRET

    def __init__(self, open_file: OpenFile, parent: QWidget | None = None) -> None:
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

    def set_stored(self, stored: bool) -> None:
        super().set_stored(stored)
        self.edit.setPlaceholderText(
            "•••••••• stored in the OS keychain — type to replace"
            if stored
            else "kept in the OS keychain, never in a file"
        )

    def problems(self) -> list[Problem]:
        if not self.secret() and not self.stored:
            return [Problem("client_secret", "Enter the client secret.")]
        return []


class PrivateKeyForm(CredentialForm):
    """A private key that signs an assertion (private_key_jwt)."""

    kind = SecretKind.PRIVATE_KEY

    def __init__(self, open_file: OpenFile, parent: QWidget | None = None) -> None:
        super().__init__(open_file, parent)
        self.edit = named(QPlainTextEdit(), "privateKeyEdit")
        self.edit.setAccessibleName("Private key")
        self.edit.setFixedHeight(80)
        self.file_button = named(QPushButton("Choose file…"), "privateKeyFileButton")
        self.file_button.clicked.connect(self._choose_file)
        row = QHBoxLayout()
        row.addWidget(self.edit, 1)
        row.addWidget(self.file_button, 0, Qt.AlignmentFlag.AlignTop)
        inner = QWidget()
        row.setContentsMargins(0, 0, 0, 0)
        inner.setLayout(row)
        self.form.addRow("Private key", self.with_problem("private_key", inner, self.edit))
        self.watch(self.edit)
        self.set_stored(False)

    def _choose_file(self) -> None:
        path = self.open_file("Choose the private key", "Keys (*.pem *.key *.json);;All files (*)")
        if not path:
            return
        try:
            self.edit.setPlainText(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            self.show_problems([Problem("private_key", f"That file could not be read: {exc}")])

    def clear(self) -> None:
        self.edit.clear()

    def secret(self) -> str:
        return self.edit.toPlainText().strip()

    def set_stored(self, stored: bool) -> None:
        super().set_stored(stored)
        self.edit.setPlaceholderText(
            "A private key is stored in the OS keychain — paste or choose a file to replace it"
            if stored
            else "Paste a PEM private key or a private JWK, or choose a file"
        )

    def problems(self) -> list[Problem]:
        if not self.secret() and not self.stored:
            return [Problem("private_key", "Paste the private key or choose its file.")]
        return []


class CertificateForm(CredentialForm):
    """The client proves itself with its TLS certificate (RFC 8705): nothing to type here yet."""

    kind = SecretKind.CLIENT_SECRET  # never collected: secret() is always empty

    def __init__(self, open_file: OpenFile, parent: QWidget | None = None) -> None:
        super().__init__(open_file, parent)
        note = QLabel(
            "The client proves who it is with its TLS certificate. The window cannot choose "
            "the certificate yet; a profile imported or made elsewhere keeps its own.",
            wordWrap=True,
        )
        note.setProperty("role", "hint")
        self.form.addRow(note)

    def clear(self) -> None:
        pass

    def secret(self) -> str:
        return ""


# Which form collects each method's credential; a new method is one more line (and form).
FORMS: dict[AuthMethod, type[CredentialForm]] = {
    AuthMethod.CLIENT_SECRET_BASIC: SecretForm,
    AuthMethod.CLIENT_SECRET_POST: SecretForm,
    AuthMethod.CLIENT_SECRET_JWT: SecretForm,
    AuthMethod.PRIVATE_KEY_JWT: PrivateKeyForm,
    AuthMethod.JWT_BEARER: PrivateKeyForm,
    AuthMethod.TLS_CLIENT_AUTH: CertificateForm,
    AuthMethod.SELF_SIGNED_TLS_CLIENT_AUTH: CertificateForm,
}


class ClientAuthSection(FormSection):
    def __init__(self, open_file: OpenFile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.method_combo = named(QComboBox(), "authMethodCombo")
        self.method_combo.setAccessibleName("How the client signs in")
        for method in AuthMethod:
            self.method_combo.addItem(method.label, method.value)
        self.explanation = named(QLabel(wordWrap=True), "authMethodExplanation")
        self.explanation.setProperty("role", "hint")
        stack = QVBoxLayout()
        stack.addWidget(self.method_combo)
        stack.addWidget(self.explanation)
        self.add_row("How the client signs in", None, stack)

        self.forms: dict[type[CredentialForm], CredentialForm] = {}
        # Only the chosen method's form is shown (a stacked widget would keep the height of
        # the tallest one).
        self.switcher = named(QWidget(), "credentialForms")
        switcher = QVBoxLayout(self.switcher)
        switcher.setContentsMargins(0, 0, 0, 0)
        for form_type in dict.fromkeys(FORMS.values()):
            form = form_type(open_file)
            form.changed.connect(self.changed)
            self.forms[form_type] = form
            switcher.addWidget(form)
        self.form.addRow(self.switcher)
        self.method_combo.currentIndexChanged.connect(self._show_method)
        self.method_combo.currentIndexChanged.connect(self.edited)
        self._show_method()

    def method(self) -> AuthMethod:
        return AuthMethod(self.method_combo.currentData() or AuthMethod.CLIENT_SECRET_BASIC)

    def current(self) -> CredentialForm:
        return self.forms[FORMS[self.method()]]

    def _show_method(self) -> None:
        self.explanation.setText(self.method().explanation)
        current = self.current()
        for form in self.forms.values():
            form.setVisible(form is current)

    def load(self, profile: Profile) -> None:
        index = self.method_combo.findData(profile.auth_method.value)
        self.method_combo.setCurrentIndex(max(0, index))
        for form in self.forms.values():
            form.load(profile)
        self._show_method()

    def values(self) -> dict[str, Any]:
        return {"auth_method": self.method()}

    def set_stored(self, stored: set[SecretKind]) -> None:
        for form in self.forms.values():
            form.set_stored(form.kind in stored)

    def credentials(self) -> dict[SecretKind, str]:
        """The credential typed for the chosen method ("" when the keychain's is kept)."""
        form = self.current()
        return {form.kind: form.secret()} if form.secret() else {}

    def problems(self) -> list[Problem]:
        return self.current().problems()

    def show_problems(self, problems: Any) -> None:
        problems = list(problems)
        for form in self.forms.values():
            form.show_problems(problems)

    def flagged(self) -> set[str]:
        return self.current().flagged()

    def first_flagged(self) -> QWidget | None:
        return self.current().first_flagged()

    def all_problem_labels(self) -> dict[str, QLabel]:
        labels: dict[str, QLabel] = {}
        for form in self.forms.values():
            labels.update(form.all_problem_labels())
        return labels
