"""The request composer: method, URL (absolute or relative to the API base), query parameters
in step with the URL, headers, body, and which token (if any) to send."""

from __future__ import annotations

import json

from PySide6.QtCore import Signal
from PySide6.QtGui import QFontDatabase, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import ProfileError
from app.core.request_spec import (
    METHODS,
    AuthMode,
    Body,
    BodyKind,
    RequestSpec,
    join_query,
    split_query,
    substitute,
    variables_in,
)
from app.ui.clipboard import CURL_RULE
from app.ui.qt import named
from app.ui.widgets.rows_table import RowsTable

AUTH_LABELS = {
    AuthMode.PROFILE: "The profile's token",
    AuthMode.NONE: "No token (public API)",
    AuthMode.PASTED: "A token I paste",
}
BODY_LABELS = {
    BodyKind.NONE: "No body",
    BodyKind.JSON: "JSON",
    BodyKind.FORM: "Form fields",
    BodyKind.RAW: "Raw text",
    BodyKind.FILE: "A file",
}


class Composer(QWidget):
    """Signals:
    send_requested(): Send clicked or Ctrl+Enter (while sending: cancel).
    paste_curl_requested(), save_requested(), endpoints_requested(): those buttons.
    copy_curl_requested(bool): copy as curl; True means with the real token.
    reveal_requested(bool): show/hide the real token in the header preview.
    """

    send_requested = Signal()
    paste_curl_requested = Signal()
    copy_curl_requested = Signal(bool)
    save_requested = Signal()
    endpoints_requested = Signal()
    reveal_requested = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._syncing = False
        self._variables: dict[str, str] = {}
        self._api_base = ""
        self.method = named(QComboBox(), "methodCombo")
        self.method.addItems(list(METHODS))
        self.method.setEditable(False)
        self.method.setAccessibleName("HTTP method")
        self.url = named(QLineEdit(), "urlEdit")
        self.url.setPlaceholderText("/orders  or  https://api.example.com/v1/orders")
        self.url.setAccessibleName("Address to call")
        self.url.setClearButtonEnabled(True)
        self.send = named(QPushButton("Send"), "sendButton")
        self.send.setDefault(True)
        self.send.setToolTip("Send the request (Ctrl+Enter)")
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.send_requested.emit)
        self.url.returnPressed.connect(self.send_requested)
        self.send.clicked.connect(self.send_requested)

        self.auth = named(QComboBox(), "authModeCombo")
        self.auth.setAccessibleName("Which token to send")
        for mode, label in AUTH_LABELS.items():
            self.auth.addItem(label, mode.value)
        self.pasted = named(QLineEdit(), "pastedTokenEdit")
        self.pasted.setEchoMode(QLineEdit.EchoMode.Password)
        self.pasted.setPlaceholderText("Paste the token (used for this request only)")
        self.pasted.setAccessibleName("Pasted token")
        self.auth_preview = named(QLabel(), "authHeaderPreview")
        self.auth_preview.setProperty("role", "hint")
        # Long previews are cut, not allowed to widen the whole window.
        self.auth_preview.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.reveal = named(QToolButton(), "revealTokenButton")
        self.reveal.setText("Show")
        self.reveal.setCheckable(True)
        self.reveal.setAccessibleName("Show the token in the header preview")
        self.reveal.toggled.connect(self._reveal_toggled)
        self.consent = named(QLabel(), "consentLabel")
        self.consent.setProperty("role", "warning")
        self.revoke_consent = named(QToolButton(), "revokeConsentButton")
        self.revoke_consent.setText("Revoke")
        self.revoke_consent.setToolTip("Ask again before the token goes to this server")
        self.consent.setVisible(False)
        self.revoke_consent.setVisible(False)
        self.auth.currentIndexChanged.connect(self._auth_changed)

        self.params = RowsTable("paramsTable", "Query parameters")
        self.headers = RowsTable("headersTable", "Request headers")
        self.body_kind = named(QComboBox(), "bodyKindCombo")
        self.body_kind.setAccessibleName("Kind of body")
        for kind, label in BODY_LABELS.items():
            self.body_kind.addItem(label, kind.value)
        self.body = named(QPlainTextEdit(), "bodyEdit")
        self.body.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.body.setAccessibleName("Request body")
        self.body.setPlaceholderText('{"name": "value"}')
        self.format_button = named(QPushButton("Format"), "formatJsonButton")
        self.format_button.clicked.connect(self.format_json)
        self.body_problem = named(QLabel(wordWrap=True), "bodyProblemLabel")
        self.body_problem.setProperty("role", "problem")
        self.raw_type = named(QLineEdit(), "rawContentTypeEdit")
        self.raw_type.setPlaceholderText("Content type, e.g. text/csv")
        self.form = RowsTable("formFieldsTable", "Form fields")
        self.file = named(QLineEdit(), "bodyFileEdit")
        self.file.setPlaceholderText("File to send as the body")
        file_button = named(QPushButton("Choose…"), "bodyFileButton")
        file_button.clicked.connect(self._choose_file)
        self.timeout = named(QDoubleSpinBox(), "timeoutSpin")
        self.timeout.setRange(1, 600)
        self.timeout.setValue(30)
        self.timeout.setSuffix(" s")
        self.timeout.setAccessibleName("Timeout in seconds")

        self.paste_curl = named(QPushButton("Paste curl…"), "pasteCurlButton")
        self.paste_curl.setToolTip("Turn a curl example from the API docs into this request")
        self.paste_curl.clicked.connect(self.paste_curl_requested)
        self.copy_curl = named(QToolButton(), "copyCurlRequestButton")
        self.copy_curl.setText("Copy as curl")
        self.copy_curl.setToolTip(CURL_RULE)
        self.copy_curl.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.copy_curl.clicked.connect(lambda: self.copy_curl_requested.emit(False))
        menu = QMenu(self.copy_curl)
        menu.addAction(
            "Copy as curl, token as $TOKEN", lambda: self.copy_curl_requested.emit(False)
        )
        menu.addAction(
            "Copy as curl with the real token", lambda: self.copy_curl_requested.emit(True)
        )
        self.copy_curl.setMenu(menu)
        self.save_button = named(QPushButton("Save request…"), "saveRequestButton")
        self.save_button.clicked.connect(self.save_requested)
        self.endpoints_button = named(QPushButton("Endpoints…"), "endpointsButton")
        self.endpoints_button.setToolTip("Pick one of the profile's saved or imported endpoints")
        self.endpoints_button.clicked.connect(self.endpoints_requested)

        self._layout(file_button)
        self.url.textEdited.connect(self._url_edited)
        self.url.textChanged.connect(self._update_tooltip)
        self.params.edited.connect(self._params_edited)
        self.body_kind.currentIndexChanged.connect(self._body_kind_changed)
        self.body.textChanged.connect(self._check_json)
        self.method.currentTextChanged.connect(self._method_changed)
        self._auth_changed()
        self._body_kind_changed()

    def _layout(self, file_button: QPushButton) -> None:
        top = QHBoxLayout()
        top.addWidget(self.method)
        top.addWidget(self.url, 1)
        top.addWidget(self.send)
        auth_row = QHBoxLayout()
        auth_row.addWidget(QLabel("Token:"))
        auth_row.addWidget(self.auth)
        auth_row.addWidget(self.pasted, 1)
        auth_row.addWidget(self.auth_preview, 1)
        auth_row.addWidget(self.reveal)
        auth_row.addWidget(self.consent)
        auth_row.addWidget(self.revoke_consent)

        self.body_stack = QStackedWidget()
        none = QLabel("This request has no body.")
        none.setProperty("role", "hint")
        text_page = QWidget()
        text_layout = QVBoxLayout(text_page)
        text_layout.setContentsMargins(0, 0, 0, 0)
        text_tools = QHBoxLayout()
        text_tools.addWidget(self.raw_type, 1)
        text_tools.addWidget(self.format_button)
        text_layout.addLayout(text_tools)
        text_layout.addWidget(self.body, 1)
        text_layout.addWidget(self.body_problem)
        file_page = QWidget()
        file_row = QHBoxLayout(file_page)
        file_row.addWidget(self.file, 1)
        file_row.addWidget(file_button)
        for page in (none, text_page, self.form, file_page):
            self.body_stack.addWidget(page)
        body_page = QWidget()
        body_layout = QVBoxLayout(body_page)
        body_layout.addWidget(self.body_kind)
        body_layout.addWidget(self.body_stack, 1)
        options = QWidget()
        options_form = QFormLayout(options)
        options_form.addRow("Timeout", self.timeout)

        self.tabs = named(QTabWidget(), "composerTabs")
        self.tabs.addTab(self.params, "Params")
        self.tabs.addTab(self.headers, "Headers")
        self.tabs.addTab(body_page, "Body")
        self.tabs.addTab(options, "Options")
        actions = QHBoxLayout()
        actions.addWidget(self.paste_curl)
        actions.addWidget(self.copy_curl)
        actions.addStretch(1)
        actions.addWidget(self.endpoints_button)
        actions.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(auth_row)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(actions)

    # Behaviour -------------------------------------------------------------------------------

    def auth_mode(self) -> AuthMode:
        return AuthMode(self.auth.currentData())

    def body_kind_value(self) -> BodyKind:
        return BodyKind(self.body_kind.currentData())

    def _auth_changed(self) -> None:
        mode = self.auth_mode()
        self.pasted.setVisible(mode is AuthMode.PASTED)
        self.auth_preview.setVisible(mode is not AuthMode.PASTED)
        self.reveal.setVisible(mode is AuthMode.PROFILE)
        if mode is AuthMode.NONE:
            self._set_preview("No Authorization header will be sent.")
        self.reveal_requested.emit(self.reveal.isChecked())

    def _reveal_toggled(self, shown: bool) -> None:
        self.reveal.setText("Hide" if shown else "Show")
        self.reveal_requested.emit(shown)

    def show_consent(self, where: str) -> None:
        """`where` (host:port) may get the token this session because the person said so."""
        self.consent.setText(f"· allowed for this session: {where}" if where else "")
        self.consent.setToolTip(
            f"You allowed the token to go to {where} until Tokendesk quits." if where else ""
        )
        shown = bool(where) and self.auth_mode() is AuthMode.PROFILE
        self.consent.setVisible(shown)
        self.revoke_consent.setVisible(shown)

    def show_token_preview(self, text: str) -> None:
        if self.auth_mode() is AuthMode.PROFILE:
            self._set_preview(text)

    def _set_preview(self, text: str) -> None:
        # A narrow window cuts the line short: the whole of it is one hover away.
        self.auth_preview.setText(text)
        self.auth_preview.setToolTip(text)

    def _method_changed(self, method: str) -> None:
        if method in ("POST", "PUT", "PATCH") and self.body_kind_value() is BodyKind.NONE:
            self.body_kind.setCurrentIndex(self.body_kind.findData(BodyKind.JSON.value))

    def _body_kind_changed(self) -> None:
        kind = self.body_kind_value()
        page = {
            BodyKind.NONE: 0,
            BodyKind.JSON: 1,
            BodyKind.RAW: 1,
            BodyKind.FORM: 2,
            BodyKind.FILE: 3,
        }
        self.body_stack.setCurrentIndex(page[kind])
        self.raw_type.setVisible(kind is BodyKind.RAW)
        self.format_button.setVisible(kind is BodyKind.JSON)
        self._check_json()

    def _check_json(self) -> None:
        if self.body_kind_value() is not BodyKind.JSON or not self.body.toPlainText().strip():
            self.body_problem.setVisible(False)
            return
        try:
            json.loads(_without_variables(self.body.toPlainText()))
        except ValueError as exc:
            self.body_problem.setText(f"Not valid JSON yet: {exc}")
            self.body_problem.setVisible(True)
        else:
            self.body_problem.setVisible(False)

    def format_json(self) -> None:
        try:
            data = json.loads(self.body.toPlainText())
        except ValueError:
            self._check_json()
            return
        self.body.setPlainText(json.dumps(data, indent=2, ensure_ascii=False))

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose the file to send")
        if path:
            self.file.setText(path)

    def _url_edited(self, text: str) -> None:
        if self._syncing:
            return
        self._syncing = True
        self.params.set_rows(split_query(text)[1])
        self._syncing = False

    def _params_edited(self) -> None:
        if self._syncing:
            return
        self._syncing = True
        base = split_query(self.url.text())[0]
        self.url.setText(join_query(base, self.params.rows()))
        self._syncing = False

    def set_context(self, api_base: str, variables: dict[str, str]) -> None:
        self._api_base = api_base
        self._variables = variables
        self.url.setPlaceholderText(
            f"/orders  (relative to {api_base})"
            if api_base
            else "https://api.example.com/v1/orders"
        )
        self._update_tooltip()

    def _update_tooltip(self) -> None:
        text = self.url.text()
        names = variables_in(text)
        if not names:
            self.url.setToolTip("")
            return
        shown = {n: self._variables.get(n, f"⟨{n}: no value⟩") for n in names}
        try:
            resolved = substitute(text, shown)
        except ProfileError:
            resolved = text
        self.url.setToolTip(f"Resolves to: {resolved}")

    # Model <-> form ------------------------------------------------------------------------

    def load(self, spec: RequestSpec) -> None:
        self._syncing = True
        self.method.setCurrentText(spec.method.upper())
        self.url.setText(spec.url)
        self.params.set_rows(split_query(spec.url)[1])
        self.headers.set_rows(spec.headers)
        self.body_kind.setCurrentIndex(self.body_kind.findData(spec.body.kind.value))
        self.body.setPlainText(spec.body.text)
        self.raw_type.setText(spec.body.content_type)
        self.form.set_rows(spec.body.fields)
        self.file.setText(spec.body.file)
        self.auth.setCurrentIndex(self.auth.findData(spec.auth.value))
        self.pasted.setText(spec.pasted_token)
        self.timeout.setValue(spec.timeout)
        self._syncing = False

    def to_model(self) -> RequestSpec:
        return RequestSpec(
            method=self.method.currentText(),
            url=self.url.text().strip(),
            headers=self.headers.rows(),
            body=Body(
                kind=self.body_kind_value(),
                text=self.body.toPlainText(),
                content_type=self.raw_type.text().strip(),
                fields=self.form.rows(),
                file=self.file.text().strip(),
            ),
            auth=self.auth_mode(),
            pasted_token=self.pasted.text().strip(),
            timeout=self.timeout.value(),
        )

    def set_sending(self, sending: bool) -> None:
        self.send.setText("Cancel" if sending else "Send")
        self.send.setToolTip(
            "Stop waiting (Ctrl+Enter)" if sending else "Send the request (Ctrl+Enter)"
        )


def _without_variables(text: str) -> str:
    """JSON with {{variables}} inside strings is still valid JSON; bare ones become numbers."""
    return text.replace("{{", "0").replace("}}", "") if '"{{' not in text else text
