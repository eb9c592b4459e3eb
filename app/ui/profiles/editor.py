"""The profile form, worded for people who have never read RFC 6749."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.profiles import AuthMethod, Problem, Profile, split_scopes
from app.core.request_spec import Row
from app.core.secrets import SecretKind
from app.ui.composer.rows_table import RowsTable
from app.ui.qt import named
from app.ui.widgets.error_box import ErrorBox

TOKEN_URL, ISSUER_URL = 0, 1


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

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._profile: Profile | None = None
        self._stored: set[SecretKind] = set()
        self._errors: dict[str, QLabel] = {}
        self._loading = False
        self._build_fields()
        self._build_layout()
        self._connect()
        self.load(None)

    def _build_fields(self) -> None:
        self.name = self._line("profileNameEdit", "Profile name", "e.g. Orders API (production)")
        self.endpoint_kind = named(QComboBox(), "endpointKindCombo")
        self.endpoint_kind.addItems(["Token URL", "Issuer URL (find endpoints automatically)"])
        self.endpoint_kind.setAccessibleName("How to find the token endpoint")
        self.token_url = self._line(
            "tokenUrlEdit", "Token URL", "https://login.example.com/oauth2/token"
        )
        self.issuer_url = self._line("issuerUrlEdit", "Issuer URL", "https://login.example.com")
        self.client_id = self._line("clientIdEdit", "Client ID", "from your identity server")
        self.auth_method = named(QComboBox(), "authMethodCombo")
        self.auth_method.setAccessibleName("How the client signs in")
        for method in AuthMethod:
            self.auth_method.addItem(method.label, method.value)
        self.auth_explanation = named(QLabel(wordWrap=True), "authMethodExplanation")
        self.auth_explanation.setProperty("role", "hint")
        self.secret = self._line("clientSecretEdit", "Client secret", "kept in the OS keychain")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.reveal = QAction("Show", self.secret)
        self.reveal.setCheckable(True)
        self.reveal.setObjectName("revealSecretAction")
        self.reveal.setIcon(QIcon.fromTheme("view-reveal-symbolic"))
        self.reveal.toggled.connect(self._toggle_reveal)
        self.secret.addAction(self.reveal, QLineEdit.ActionPosition.TrailingPosition)
        self.private_key = named(QPlainTextEdit(), "privateKeyEdit")
        self.private_key.setPlaceholderText(
            "Paste a PEM private key or a private JWK, or choose a file"
        )
        self.private_key.setAccessibleName("Private key")
        self.private_key.setFixedHeight(80)
        self.key_file_button = named(QPushButton("Choose file…"), "privateKeyFileButton")
        self.key_file_button.clicked.connect(self._choose_key_file)
        self.scope = self._line(
            "scopeEdit", "Scopes", "space-separated, e.g. orders:read orders:write"
        )
        self.audience = self._line("audienceEdit", "Audience", "only if your docs mention one")
        self.resource = self._line(
            "resourceEdit", "Resource", "the API's identifier (RFC 8707); several: space-separated"
        )
        self.api_base = self._line("apiBaseUrlEdit", "API base URL", "https://api.example.com/v1")
        self.auto_refresh = named(
            QCheckBox("Renew the token automatically before it expires"), "autoRefreshCheck"
        )

        self.extra_params = named(QTableWidget(0, 2), "extraParamsTable")
        self.extra_params.setHorizontalHeaderLabels(["Parameter", "Value"])
        self.extra_params.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.extra_params.verticalHeader().setVisible(False)
        self.extra_params.setAccessibleName("Extra token request parameters")
        self.extra_params.setFixedHeight(110)
        add_param = named(QToolButton(), "addParamButton")
        add_param.setText("+")
        add_param.setAccessibleName("Add an extra parameter")
        add_param.clicked.connect(lambda: self.extra_params.insertRow(self.extra_params.rowCount()))
        remove_param = named(QToolButton(), "removeParamButton")
        remove_param.setText("−")
        remove_param.setAccessibleName("Remove the selected extra parameter")
        remove_param.clicked.connect(self._remove_param)
        self.verify_tls = named(
            QCheckBox(
                "Check the server's certificate (turn off only for test servers)",
            ),
            "verifyTlsCheck",
        )
        self.ca_bundle = self._line("caBundleEdit", "CA bundle", "PEM file with your company's CA")
        ca_button = named(QPushButton("Choose…"), "caBundleButton")
        ca_button.clicked.connect(self._choose_ca_bundle)
        self.variables = RowsTable("variablesTable", "Request variables")
        self.variables.setFixedHeight(110)
        self.variables.setToolTip(
            "Use them as {{name}} in the Requests tab's URL, headers and body"
        )
        self.allowed_origins = self._line(
            "allowedOriginsEdit",
            "Also send the token to",
            "other API addresses that may receive this token, space-separated",
        )
        self.notes = named(QPlainTextEdit(), "notesEdit")
        self.notes.setAccessibleName("Notes")
        self.notes.setFixedHeight(60)

        self.save_button = named(QPushButton("Save"), "saveProfileButton")
        self.save_button.setDefault(True)
        self.test_button = named(QPushButton("Test connection"), "testConnectionButton")
        self.test_button.setToolTip("Ask the identity server for a token with these settings")
        self.revert_button = named(QPushButton("Revert"), "revertProfileButton")
        self.test_result = named(QLabel(wordWrap=True), "testResultLabel")
        self.test_result.setProperty("role", "success")
        self.test_result.setVisible(False)
        self.test_error = ErrorBox(self, name="testError")
        self._add_param, self._remove_param_button, self._ca_button = (
            add_param,
            remove_param,
            ca_button,
        )

    def _build_layout(self) -> None:
        form = self._form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Name", self._with_error("name", self.name))
        form.addRow("Find tokens at", self.endpoint_kind)
        self.token_url_row = self._with_error("token_url", self.token_url)
        form.addRow("Token URL", self.token_url_row)
        self.issuer_row = self._with_error("issuer_url", self.issuer_url)
        form.addRow("Issuer URL", self.issuer_row)
        form.addRow("Client ID", self._with_error("client_id", self.client_id))
        form.addRow("How the client signs in", self._stack(self.auth_method, self.auth_explanation))
        self.secret_row = self._with_error("client_secret", self.secret)
        form.addRow("Client secret", self.secret_row)
        key_row = QHBoxLayout()
        key_row.addWidget(self.private_key, 1)
        key_row.addWidget(self.key_file_button, 0, Qt.AlignmentFlag.AlignTop)
        self.key_row = self._wrap(key_row, "private_key")
        form.addRow("Private key", self.key_row)
        form.addRow("Scopes", self._with_error("scopes", self.scope))
        form.addRow("Audience", self.audience)
        form.addRow("Resource", self._with_error("resources", self.resource))
        form.addRow("API base URL", self._with_error("api_base_url", self.api_base))
        form.addRow("Request variables", self._with_error("variables", self.variables))
        form.addRow("", self.auto_refresh)

        self.advanced = named(QToolButton(), "advancedToggle")
        self.advanced.setText("Advanced: extra parameters, TLS, notes")
        self.advanced.setCheckable(True)
        self.advanced.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced.setArrowType(Qt.ArrowType.RightArrow)
        self.advanced.setAutoRaise(True)
        self.advanced.toggled.connect(
            lambda on: self.advanced.setArrowType(
                Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow
            )
        )
        self.advanced_body = named(QWidget(), "advancedBody")
        advanced_form = QFormLayout(self.advanced_body)
        params_buttons = QVBoxLayout()
        params_buttons.addWidget(self._add_param)
        params_buttons.addWidget(self._remove_param_button)
        params_buttons.addStretch(1)
        params_row = QHBoxLayout()
        params_row.addWidget(self.extra_params, 1)
        params_row.addLayout(params_buttons)
        advanced_form.addRow("Extra parameters", self._wrap(params_row, "extra_params"))
        advanced_form.addRow("", self.verify_tls)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_bundle, 1)
        ca_row.addWidget(self._ca_button)
        advanced_form.addRow("CA bundle", self._wrap(ca_row, "ca_bundle"))
        advanced_form.addRow(
            "Also send the token to", self._with_error("allowed_origins", self.allowed_origins)
        )
        advanced_form.addRow("Notes", self.notes)
        self.advanced.toggled.connect(self.advanced_body.setVisible)
        self.advanced_body.setVisible(False)

        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)

        body = QWidget()
        column = QVBoxLayout(body)
        column.addLayout(form)
        column.addWidget(self.advanced)
        column.addWidget(self.advanced_body)
        column.addWidget(self.test_result)
        column.addWidget(self.test_error)
        column.addStretch(1)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll, 1)
        outer.addLayout(buttons)

    def _connect(self) -> None:
        self.endpoint_kind.currentIndexChanged.connect(self._show_endpoint_kind)
        self.auth_method.currentIndexChanged.connect(self._show_auth_method)
        self.save_button.clicked.connect(self.save_requested)
        self.test_button.clicked.connect(self.test_requested)
        self.revert_button.clicked.connect(self.revert)
        for line in self.findChildren(QLineEdit):
            line.textEdited.connect(self._edited)
        for text in (self.private_key, self.notes):
            text.textChanged.connect(self._edited)
        for box in (self.auto_refresh, self.verify_tls):
            box.toggled.connect(self._edited)
        self.auth_method.currentIndexChanged.connect(self._edited)
        self.extra_params.itemChanged.connect(self._edited)
        self.variables.edited.connect(self._edited)

    # Building helpers ----------------------------------------------------------------------

    def _line(self, name: str, accessible: str, placeholder: str) -> QLineEdit:
        line = named(QLineEdit(placeholderText=placeholder), name)
        line.setAccessibleName(accessible)
        line.setClearButtonEnabled(True)
        return line

    def _with_error(self, field: str, widget: QWidget) -> QWidget:
        label = named(QLabel(wordWrap=True), f"{field}Problem")
        label.setProperty("role", "problem")
        label.setVisible(False)
        self._errors[field] = label
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(widget)
        layout.addWidget(label)
        return box

    def _wrap(self, row: QHBoxLayout, field: str) -> QWidget:
        inner = QWidget()
        row.setContentsMargins(0, 0, 0, 0)
        inner.setLayout(row)
        return self._with_error(field, inner)

    @staticmethod
    def _stack(*widgets: QWidget) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in widgets:
            layout.addWidget(widget)
        return box

    # Showing and hiding --------------------------------------------------------------------

    def _show_endpoint_kind(self, index: int) -> None:
        by_issuer = index == ISSUER_URL
        self._form.setRowVisible(self.token_url_row, not by_issuer)
        self._form.setRowVisible(self.issuer_row, by_issuer)

    def _show_auth_method(self) -> None:
        method = self.method()
        self.auth_explanation.setText(method.explanation)
        self._form.setRowVisible(self.secret_row, method.needs_secret)
        self._form.setRowVisible(self.key_row, method.needs_private_key)
        self._update_secret_placeholders()

    def _update_secret_placeholders(self) -> None:
        if SecretKind.CLIENT_SECRET in self._stored:
            self.secret.setPlaceholderText("•••••••• stored in the OS keychain — type to replace")
        else:
            self.secret.setPlaceholderText("kept in the OS keychain, never in a file")
        if SecretKind.PRIVATE_KEY in self._stored:
            self.private_key.setPlaceholderText(
                "A private key is stored in the OS keychain — paste or choose a file to replace it"
            )

    def _toggle_reveal(self, shown: bool) -> None:
        self.secret.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.reveal.setText("Hide" if shown else "Show")

    def _remove_param(self) -> None:
        row = self.extra_params.currentRow()
        if row >= 0:
            self.extra_params.removeRow(row)
            self._edited()

    def _choose_key_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose the private key", "", "Keys (*.pem *.key *.json);;All files (*)"
        )
        if path:
            try:
                self.private_key.setPlainText(Path(path).read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError) as exc:
                self.show_problems([Problem("private_key", f"That file could not be read: {exc}")])

    def _choose_ca_bundle(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose a CA bundle", "", "Certificates (*.pem *.crt *.cer);;All files (*)"
        )
        if path:
            self.ca_bundle.setText(path)
            self._edited()

    def _edited(self) -> None:
        if not self._loading:
            self.changed.emit()

    # Model <-> form ------------------------------------------------------------------------

    def method(self) -> AuthMethod:
        return AuthMethod(self.auth_method.currentData() or AuthMethod.CLIENT_SECRET_BASIC)

    @property
    def profile(self) -> Profile | None:
        return self._profile

    def load(self, profile: Profile | None, stored: set[SecretKind] | None = None) -> None:
        """Show `profile` (None: a blank form for a new profile)."""
        self._loading = True
        self._profile = profile
        self._stored = set(stored or ())
        p = profile or Profile(name="", client_id="")
        self.name.setText(p.name)
        self.endpoint_kind.setCurrentIndex(ISSUER_URL if p.issuer_url else TOKEN_URL)
        self.token_url.setText(p.token_url)
        self.issuer_url.setText(p.issuer_url)
        self.client_id.setText(p.client_id)
        self.auth_method.setCurrentIndex(max(0, self.auth_method.findData(p.auth_method.value)))
        self.secret.clear()
        self.reveal.setChecked(False)
        self.private_key.clear()
        self.scope.setText(p.scope_string)
        self.audience.setText(p.audience)
        self.resource.setText(" ".join(p.resources))
        self.api_base.setText(p.api_base_url)
        self.auto_refresh.setChecked(p.auto_refresh)
        self.extra_params.setRowCount(0)
        for key, value in p.extra_params:
            row = self.extra_params.rowCount()
            self.extra_params.insertRow(row)
            self.extra_params.setItem(row, 0, QTableWidgetItem(key))
            self.extra_params.setItem(row, 1, QTableWidgetItem(value))
        self.verify_tls.setChecked(p.verify_tls)
        self.ca_bundle.setText(p.ca_bundle)
        self.notes.setPlainText(p.notes)
        self.variables.set_rows(tuple(Row(k, v) for k, v in p.variables))
        self.allowed_origins.setText(" ".join(p.allowed_origins))
        self.advanced.setChecked(
            bool(p.extra_params or not p.verify_tls or p.ca_bundle or p.notes or p.allowed_origins)
        )
        self._show_endpoint_kind(self.endpoint_kind.currentIndex())
        self._show_auth_method()
        self.show_problems([])
        self.test_result.setVisible(False)
        self.test_error.clear()
        self._loading = False

    def set_stored(self, stored: set[SecretKind]) -> None:
        """What the keychain holds for this profile (it answers after the form is shown)."""
        self._stored = set(stored)
        self._update_secret_placeholders()
        self.recheck()

    def revert(self) -> None:
        self.load(self._profile, self._stored)

    def _params(self) -> tuple[tuple[str, str], ...]:
        pairs = []
        for row in range(self.extra_params.rowCount()):
            key_item, value_item = self.extra_params.item(row, 0), self.extra_params.item(row, 1)
            key = key_item.text().strip() if key_item else ""
            value = value_item.text() if value_item else ""
            if key or value:
                pairs.append((key, value))
        return tuple(pairs)

    def to_model(self) -> Profile:
        """The form as a Profile (same id when editing). Secrets are read separately."""
        by_issuer = self.endpoint_kind.currentIndex() == ISSUER_URL
        values = {
            "name": self.name.text().strip(),
            "token_url": "" if by_issuer else self.token_url.text().strip(),
            "issuer_url": self.issuer_url.text().strip() if by_issuer else "",
            "client_id": self.client_id.text().strip(),
            "auth_method": self.method(),
            "scopes": split_scopes(self.scope.text()),
            "audience": self.audience.text().strip(),
            "resources": tuple(self.resource.text().split()),
            "extra_params": self._params(),
            "api_base_url": self.api_base.text().strip(),
            "verify_tls": self.verify_tls.isChecked(),
            "ca_bundle": self.ca_bundle.text().strip(),
            "notes": self.notes.toPlainText(),
            "variables": tuple((r.name, r.value) for r in self.variables.rows() if r.enabled),
            "allowed_origins": tuple(self.allowed_origins.text().split()),
            "auto_refresh": self.auto_refresh.isChecked(),
        }
        if self._profile is not None:
            return self._profile.with_changes(**values)
        return Profile(**values)  # type: ignore[arg-type]  # values are typed per field above

    def secret_value(self) -> str:
        return self.secret.text() if self.method().needs_secret else ""

    def private_key_value(self) -> str:
        return self.private_key.toPlainText().strip() if self.method().needs_private_key else ""

    def problems(self) -> list[Problem]:
        """The model's own checks plus what only the form knows: a missing secret or key."""
        found = self.to_model().problems()
        method = self.method()
        if (
            method.needs_secret
            and not self.secret_value()
            and SecretKind.CLIENT_SECRET not in self._stored
        ):
            found.append(Problem("client_secret", "Enter the client secret."))
        if (
            method.needs_private_key
            and not self.private_key_value()
            and SecretKind.PRIVATE_KEY not in self._stored
        ):
            found.append(Problem("private_key", "Paste the private key or choose its file."))
        if self.endpoint_kind.currentIndex() == ISSUER_URL:
            for problem in found:
                if problem.field == "token_url" and not self.issuer_url.text().strip():
                    found[found.index(problem)] = Problem("issuer_url", "Enter the issuer URL.")
        return found

    def show_problems(self, problems: list[Problem]) -> None:
        by_field: dict[str, list[str]] = {}
        for problem in problems:
            by_field.setdefault(problem.field, []).append(problem.message)
        for field, label in self._errors.items():
            messages = by_field.get(field, [])
            label.setText(" ".join(messages))
            label.setProperty("blocking", any(p.blocking for p in problems if p.field == field))
            label.setVisible(bool(messages))
            label.style().unpolish(label)
            label.style().polish(label)

    def recheck(self) -> None:
        """While typing: drop the problems that are fixed; new ones only appear on Save."""
        flagged = {field for field, label in self._errors.items() if not label.isHidden()}
        self.show_problems([p for p in self.problems() if p.field in flagged])

    def show_test_result(self, text: str) -> None:
        self.test_error.clear()
        self.test_result.setText(text)
        self.test_result.setVisible(True)
