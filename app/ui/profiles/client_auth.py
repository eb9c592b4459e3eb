"""How the client signs in: the method, and behind a switcher one small form per kind of
credential. A new method (certificate, service account, mTLS, DPoP) is one more form in FORMS."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.core.certs import CertificateCredential
from app.core.profiles import DPOP_ALGORITHMS, AuthMethod, Problem, Profile
from app.core.secrets import SecretKind
from app.ui.profiles.certificate_picker import AskPassword, CertificatePicker
from app.ui.profiles.credential_forms import (
    CertificateForm,
    CredentialForm,
    PrivateKeyForm,
    SecretForm,
    ServiceAccountForm,
)
from app.ui.qt import named
from app.ui.widgets.form_section import FormSection, OpenFile, buttons_beside

__all__ = ["FORMS", "ClientAuthSection", "CredentialForm", "PrivateKeyForm", "SecretForm"]


# Which form collects each method's credential; a new method is one more line (and form).
FORMS: dict[AuthMethod, type[CredentialForm]] = {
    AuthMethod.CLIENT_SECRET_BASIC: SecretForm,
    AuthMethod.CLIENT_SECRET_POST: SecretForm,
    AuthMethod.CLIENT_SECRET_JWT: SecretForm,
    AuthMethod.PRIVATE_KEY_JWT: PrivateKeyForm,
    AuthMethod.JWT_BEARER: ServiceAccountForm,
    AuthMethod.TLS_CLIENT_AUTH: CertificateForm,
    AuthMethod.SELF_SIGNED_TLS_CLIENT_AUTH: CertificateForm,
}


class ClientAuthSection(FormSection):
    """The method, its credential form, the TLS client certificate (the mTLS methods, or any
    method with certificate-bound tokens) and DPoP.

    Signals:
        account_read(object): a service-account key file was read (a ServiceAccountKey).
    """

    account_read = Signal(object)

    def __init__(
        self,
        open_file: OpenFile,
        parent: QWidget | None = None,
        ask_password: AskPassword | None = None,
    ) -> None:
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
        self._chosen = True

        self.forms: dict[type[CredentialForm], CredentialForm] = {}
        # Only the chosen method's form is shown (a stacked widget would keep the height of
        # the tallest one).
        self.switcher = named(QWidget(), "credentialForms")
        switcher = QVBoxLayout(self.switcher)
        switcher.setContentsMargins(0, 0, 0, 0)
        for form_type in dict.fromkeys(FORMS.values()):
            form = form_type(open_file, ask_password=ask_password)
            form.changed.connect(self.changed)
            self.forms[form_type] = form
            switcher.addWidget(form)
        self.form.addRow(self.switcher)
        account_form = self.forms[ServiceAccountForm]
        assert isinstance(account_form, ServiceAccountForm)
        account_form.account_read.connect(self.account_read)

        self.mtls_bound = named(
            QCheckBox("Bind the tokens to a client certificate (mutual TLS, RFC 8705)"),
            "mtlsBoundCheck",
        )
        self.mtls_row = self.add_row("", None, self.mtls_bound)
        self.client_cert = CertificatePicker("clientCert", open_file, ask_password)
        self.client_cert_row = self.add_row("Client certificate", "client_cert", self.client_cert)
        self.client_cert.changed.connect(self.edited)
        self.client_cert.failed.connect(
            lambda text: self.show_problems([Problem("client_cert", text)])
        )
        self.dpop = named(
            QCheckBox("Prove possession of a key on every request (DPoP, RFC 9449)"), "dpopCheck"
        )
        self.dpop_alg = named(QComboBox(), "dpopAlgCombo")
        self.dpop_alg.setAccessibleName("DPoP key algorithm")
        for alg in DPOP_ALGORITHMS:
            self.dpop_alg.addItem(alg, alg)
        self.add_row("DPoP", "dpop_alg", buttons_beside(self.dpop, self.dpop_alg))
        self.watch(self.mtls_bound, self.dpop)
        self.dpop_alg.currentIndexChanged.connect(self.edited)
        self.mtls_bound.toggled.connect(self._show_method)
        self.dpop.toggled.connect(self._show_method)
        self.method_combo.currentIndexChanged.connect(self._show_method)
        self.method_combo.currentIndexChanged.connect(self.edited)
        self.method_combo.activated.connect(self._person_chose)
        self._show_method()

    def _person_chose(self) -> None:
        self._chosen = True

    def method(self) -> AuthMethod:
        return AuthMethod(self.method_combo.currentData() or AuthMethod.CLIENT_SECRET_BASIC)

    def set_method(self, method: AuthMethod) -> None:
        """Switch the method as if the person chose it."""
        self.method_combo.setCurrentIndex(max(0, self.method_combo.findData(method.value)))
        self._chosen = True

    def current(self) -> CredentialForm:
        return self.forms[FORMS[self.method()]]

    def _show_method(self) -> None:
        method = self.method()
        self.explanation.setText(method.explanation)
        current = self.current()
        for form in self.forms.values():
            form.setVisible(form is current)
        tls = method.uses_tls_certificate
        self.set_row_visible(self.mtls_row, not tls)
        self.set_row_visible(self.client_cert_row, tls or self.mtls_bound.isChecked())
        self.dpop_alg.setEnabled(self.dpop.isChecked())

    def load(self, profile: Profile) -> None:
        index = self.method_combo.findData(profile.auth_method.value)
        self.method_combo.setCurrentIndex(max(0, index))
        self._chosen = profile.auth_method_chosen
        for form in self.forms.values():
            form.load(profile)
        self.mtls_bound.setChecked(profile.mtls_bound)
        self.client_cert.load(profile.client_cert)
        self.dpop.setChecked(profile.dpop)
        self.dpop_alg.setCurrentIndex(max(0, self.dpop_alg.findData(profile.dpop_alg)))
        self._show_method()

    def values(self) -> dict[str, Any]:
        private_key_form = self.forms[PrivateKeyForm]
        return {
            "auth_method": self.method(),
            "auth_method_chosen": self._chosen,
            "client_cert": self.client_cert.pem(),
            "mtls_bound": self.mtls_bound.isChecked(),
            "dpop": self.dpop.isChecked(),
            "dpop_alg": self.dpop_alg.currentData() or DPOP_ALGORITHMS[0],
            **private_key_form.values(),
        }

    def set_stored(self, stored: set[SecretKind]) -> None:
        for form in self.forms.values():
            form.set_stored(form.kind in stored)

    def credentials(self) -> dict[SecretKind, str]:
        """The credential typed for the chosen method ("" when the keychain's is kept)."""
        form = self.current()
        return {form.kind: form.secret()} if form.secret() else {}

    def pending_certificates(self) -> list[tuple[CertificateCredential, bool]]:
        """Newly chosen certificates and keys to keep on Save: (credential, tls)."""
        found = list(self.current().pending_certificates())
        pending = self.client_cert.pending()
        if pending is not None and self.client_cert_row.isVisibleTo(self):
            found.append((pending, True))
        return found

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
