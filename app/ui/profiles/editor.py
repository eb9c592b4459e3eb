"""The profile form, worded for people who have never read RFC 6749: four sections (endpoint,
client authentication, API, advanced) composed here, each loading and reading its own fields."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.certs import CertificateCredential
from app.core.profiles import AuthMethod, Problem, Profile
from app.core.secrets import SecretKind
from app.core.service_account import ServiceAccountKey
from app.ui.profiles.advanced_section import AdvancedSection
from app.ui.profiles.api_section import ApiSection
from app.ui.profiles.certificate_picker import AskPassword
from app.ui.profiles.client_auth import ClientAuthSection, PrivateKeyForm, SecretForm
from app.ui.profiles.endpoint_section import TOKEN_URL, EndpointSection
from app.ui.qt import named
from app.ui.widgets.error_box import ErrorBox
from app.ui.widgets.form_section import FormSection, OpenFile
from app.ui.widgets.warning_list import WarningList


class ProfileEditor(QWidget):
    """Edits one profile. `load(profile, stored)` fills it; `to_model()` reads it back.

    Signals:
        save_requested(): the person clicked Save (read the form with to_model()/secret()).
        test_requested(): the person clicked Test connection.
        changed(): any field changed (the form is now "dirty").
    """

    save_requested = Signal()
    test_requested = Signal()
    changed = Signal()

    def __init__(
        self,
        open_file: OpenFile,
        parent: QWidget | None = None,
        ask_password: AskPassword | None = None,
    ) -> None:
        super().__init__(parent)
        self._profile: Profile | None = None
        self._stored: set[SecretKind] = set()
        self._baseline: dict[str, Any] = {}
        self._loading = False
        self.endpoint = EndpointSection()
        self.client_auth = ClientAuthSection(open_file, ask_password=ask_password)
        self.client_auth.account_read.connect(self._fill_from_account)
        self.api = ApiSection()
        self.advanced_section = AdvancedSection(open_file)
        self.sections: tuple[FormSection, ...] = (
            self.endpoint,
            self.client_auth,
            self.api,
            self.advanced_section,
        )
        self.save_button = named(QPushButton("Save"), "saveProfileButton")
        self.save_button.setDefault(True)
        self.save_button.setToolTip("Save the profile (Ctrl+S)")
        self.test_button = named(QPushButton("Test connection"), "testConnectionButton")
        self.test_button.setToolTip("Ask the identity server for a token with these settings")
        self.revert_button = named(QPushButton("Revert"), "revertProfileButton")
        self.test_result = named(QLabel(wordWrap=True), "testResultLabel")
        self.test_result.setProperty("role", "success")
        self.test_result.setVisible(False)
        self.test_error = ErrorBox(self, name="testError")
        self.test_warnings = WarningList("testWarnings", self)
        self._build_layout()
        self._align_labels()
        for section in self.sections:
            section.changed.connect(self._edited)
        self.save_button.clicked.connect(self.save_requested)
        self.test_button.clicked.connect(self.test_requested)
        self.revert_button.clicked.connect(self.revert)
        self.load(None)

    def _build_layout(self) -> None:
        self.advanced = named(QToolButton(), "advancedToggle")
        self.advanced.setText("Advanced: extra parameters, TLS, Basic credentials, key id, notes")
        self.advanced.setCheckable(True)
        self.advanced.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced.setArrowType(Qt.ArrowType.RightArrow)
        self.advanced.setAutoRaise(True)
        self.advanced.toggled.connect(self._show_advanced)
        self.advanced_section.setVisible(False)

        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        body = QWidget()
        column = QVBoxLayout(body)
        for section in (self.endpoint, self.client_auth, self.api):
            column.addWidget(section)
        column.addWidget(self.advanced)
        column.addWidget(self.advanced_section)
        column.addWidget(self.test_result)
        column.addWidget(self.test_warnings)
        column.addWidget(self.test_error)
        column.addStretch(1)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        self.scroll_area = scroll
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll, 1)
        outer.addLayout(buttons)

    def _align_labels(self) -> None:
        """Each section has its own form; one label width keeps their fields in one column."""
        labels: list[QWidget] = []
        for section in (*self.sections, *self.client_auth.forms.values()):
            for row in range(section.form.rowCount()):
                item = section.form.itemAt(row, QFormLayout.ItemRole.LabelRole)
                label = item.widget() if item is not None else None
                if label is not None:
                    labels.append(label)
        width = max((label.sizeHint().width() for label in labels), default=0)
        for label in labels:
            label.setMinimumWidth(width)

    def _fill_from_account(self, account: ServiceAccountKey) -> None:
        """A service-account key file names the client, the token URL and the key id."""
        made = account.profile
        self.endpoint.endpoint_kind.setCurrentIndex(TOKEN_URL)
        self.endpoint.token_url.setText(made.token_url)
        self.endpoint.client_id.setText(made.client_id)
        if not self.endpoint.name.text().strip():
            self.endpoint.name.setText(made.name or made.client_id)
        self.advanced_section.key_id.setText(made.key_id)
        self._edited()

    def _show_advanced(self, on: bool) -> None:
        self.advanced.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
        self.advanced_section.setVisible(on)

    def _edited(self) -> None:
        if not self._loading:
            self.changed.emit()

    # The fields people and tests drive, by their old names ---------------------------------

    @property
    def name(self) -> QLineEdit:
        return self.endpoint.name

    @property
    def token_url(self) -> QLineEdit:
        return self.endpoint.token_url

    @property
    def client_id(self) -> QLineEdit:
        return self.endpoint.client_id

    @property
    def scope(self) -> QLineEdit:
        return self.api.scope

    @property
    def audience_edit(self) -> QLineEdit:
        return self.api.audience

    @property
    def api_base(self) -> QLineEdit:
        return self.api.api_base

    @property
    def auth_method(self) -> QComboBox:
        return self.client_auth.method_combo

    @property
    def auth_explanation(self) -> QLabel:
        return self.client_auth.explanation

    @property
    def secret_form(self) -> SecretForm:
        form = self.client_auth.forms[SecretForm]
        assert isinstance(form, SecretForm)
        return form

    @property
    def secret(self) -> QLineEdit:
        return self.secret_form.edit

    @property
    def reveal(self) -> QToolButton:
        return self.secret_form.reveal

    @property
    def private_key(self) -> QPlainTextEdit:
        form = self.client_auth.forms[PrivateKeyForm]
        assert isinstance(form, PrivateKeyForm)
        return form.edit

    # Model <-> form ------------------------------------------------------------------------

    def method(self) -> AuthMethod:
        return self.client_auth.method()

    @property
    def profile(self) -> Profile | None:
        return self._profile

    def load(self, profile: Profile | None, stored: set[SecretKind] | None = None) -> None:
        """Show `profile` (None: a blank form for a new profile)."""
        self._loading = True
        for section in self.sections:
            section.loading = True
        self._profile = profile
        shown = profile or Profile(name="", client_id="")
        for section in self.sections:
            section.load(shown)
        self.set_stored(set(stored or ()), check=False)
        self.advanced.setChecked(self.advanced_section.has_settings(shown))
        self.show_problems([])
        self.test_result.setVisible(False)
        self.test_warnings.show_warnings(())
        self.test_error.clear()
        for section in self.sections:
            section.loading = False
        self._loading = False
        self._baseline = self._values()

    def start_from(self, profile: Profile, secret: str = "", private_key: str = "") -> None:
        """A new profile filled in for the person (a provider preset): its fields and its
        secret or key count as typed, so Save keeps them and leaving asks first."""
        self.load(None)
        self._loading = True
        for section in self.sections:
            section.loading = True
            section.load(profile)
        form = self.client_auth.current()
        if isinstance(form, PrivateKeyForm):
            form.edit.setPlainText(private_key)
        elif isinstance(form, SecretForm):
            form.edit.setText(secret)
        self.advanced.setChecked(self.advanced_section.has_settings(profile))
        for section in self.sections:
            section.loading = False
        self._loading = False

    def set_stored(self, stored: set[SecretKind], *, check: bool = True) -> None:
        """What the keychain holds for this profile (it answers after the form is shown)."""
        self._stored = set(stored)
        self.client_auth.set_stored(self._stored)
        if check:
            self.recheck()

    def revert(self) -> None:
        self.load(self._profile, self._stored)

    def _values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for section in self.sections:
            values.update(section.values())
        return values

    def to_model(self) -> Profile:
        """The form as a Profile (same id when editing). Secrets are read separately."""
        values = self._values()
        if self._profile is not None:
            return self._profile.with_changes(**values)
        return Profile(**values)

    def is_dirty(self) -> bool:
        """Anything typed since the last load: a changed field or a new secret."""
        typed = self.secret_value() or self.key_value() or self.pending_certificates()
        return self._values() != self._baseline or bool(typed)

    def display_name(self) -> str:
        return (
            self.name.text().strip()
            or (self._profile.name if self._profile else "")
            or ("the new profile")
        )

    def secret_value(self) -> str:
        return self.client_auth.credentials().get(SecretKind.CLIENT_SECRET, "")

    def key_value(self) -> str:
        return self.client_auth.credentials().get(SecretKind.PRIVATE_KEY, "")

    private_key_value = key_value

    def pending_certificates(self) -> list[tuple[CertificateCredential, bool]]:
        """Certificates chosen since the last load, with their keys: (credential, tls)."""
        return self.client_auth.pending_certificates()

    def problems(self) -> list[Problem]:
        """The model's own checks plus what only the form knows: a missing secret or key."""
        found = self.endpoint.reword(self.to_model().problems())
        for section in self.sections:
            found.extend(section.problems())
        return found

    def show_problems(self, problems: list[Problem]) -> None:
        for section in self.sections:
            section.show_problems(problems)
        fields = {p.field for p in problems}
        if fields & set(self.advanced_section.problem_labels):
            self.advanced.setChecked(True)

    def problem_labels(self) -> dict[str, QLabel]:
        labels: dict[str, QLabel] = {}
        for section in self.sections:
            labels.update(section.all_problem_labels())
        return labels

    def focus_first_problem(self) -> None:
        for section in self.sections:
            widget = section.first_flagged()
            if widget is not None:
                self.scroll_area.ensureWidgetVisible(widget)
                widget.setFocus()
                return

    def recheck(self) -> None:
        """While typing: drop the problems that are fixed; new ones only appear on Save."""
        flagged: set[str] = set()
        for section in self.sections:
            flagged |= section.flagged()
        self.show_problems([p for p in self.problems() if p.field in flagged])

    def show_test_result(self, text: str, warnings: tuple[str, ...] = ()) -> None:
        self.test_error.clear()
        self.test_result.setText(text)
        self.test_result.setVisible(True)
        self.test_warnings.show_warnings(warnings)
