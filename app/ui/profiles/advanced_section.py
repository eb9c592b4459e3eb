"""Rarely needed settings, folded away: extra token request parameters, TLS checks, other API
addresses that may receive the token, how Basic credentials are written, the key id, notes."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.profiles import BasicEncoding, Profile
from app.ui.qt import named
from app.ui.widgets.form_section import FormSection, OpenFile, line


class AdvancedSection(FormSection):
    def __init__(self, open_file: OpenFile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.open_file = open_file
        self.extra_params = named(QTableWidget(0, 2), "extraParamsTable")
        self.extra_params.setHorizontalHeaderLabels(["Parameter", "Value"])
        self.extra_params.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.extra_params.verticalHeader().setVisible(False)
        self.extra_params.setAccessibleName("Extra token request parameters")
        self.extra_params.setToolTip("Sent with every token request, e.g. tenant=contoso")
        self.extra_params.setFixedHeight(110)
        add = named(QToolButton(), "addParamButton")
        add.setText("+")
        add.setAccessibleName("Add an extra parameter")
        add.clicked.connect(lambda: self.extra_params.insertRow(self.extra_params.rowCount()))
        remove = named(QToolButton(), "removeParamButton")
        remove.setText("−")
        remove.setAccessibleName("Remove the selected extra parameter")
        remove.clicked.connect(self._remove_param)
        self.verify_tls = named(
            QCheckBox("Check the server's certificate (turn off only for test servers)"),
            "verifyTlsCheck",
        )
        self.ca_bundle = line("caBundleEdit", "CA bundle", "PEM file with your company's CA")
        ca_button = named(QPushButton("Choose…"), "caBundleButton")
        ca_button.clicked.connect(self._choose_ca_bundle)
        self.allowed_origins = line(
            "allowedOriginsEdit",
            "Also send the token to",
            "other API addresses that may receive this token, space-separated",
        )
        self.basic_encoding = named(QComboBox(), "basicEncodingCombo")
        self.basic_encoding.setAccessibleName("Basic credentials")
        self.basic_encoding.setToolTip(
            "Automatic sends the RFC's form-encoded credentials and, if the server refuses "
            "them, the credentials as typed once (then remembers what worked)."
        )
        for encoding in BasicEncoding:
            self.basic_encoding.addItem(encoding.label, encoding.value)
        self.key_id = line(
            "keyIdEdit", "Key id", "the kid of signed assertions, if the server asks (Okta)"
        )
        self.notes = named(QPlainTextEdit(), "notesEdit")
        self.notes.setAccessibleName("Notes")
        self.notes.setFixedHeight(60)

        side = QVBoxLayout()
        side.addWidget(add)
        side.addWidget(remove)
        side.addStretch(1)
        params = QHBoxLayout()
        params.addWidget(self.extra_params, 1)
        params.addLayout(side)
        params_box = QWidget()
        params.setContentsMargins(0, 0, 0, 0)
        params_box.setLayout(params)
        self.form.addRow(
            "Extra parameters", self.with_problem("extra_params", params_box, self.extra_params)
        )
        self.add_row("", None, self.verify_tls)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_bundle, 1)
        ca_row.addWidget(ca_button)
        ca_box = QWidget()
        ca_row.setContentsMargins(0, 0, 0, 0)
        ca_box.setLayout(ca_row)
        self.form.addRow("CA bundle", self.with_problem("ca_bundle", ca_box, self.ca_bundle))
        self.add_row("Also send the token to", "allowed_origins", self.allowed_origins)
        self.add_row("Basic credentials", None, self.basic_encoding)
        self.add_row("Key id", "key_id", self.key_id)
        self.add_row("Notes", None, self.notes)
        self.watch(
            self.extra_params, self.verify_tls, self.ca_bundle, self.allowed_origins, self.key_id
        )
        self.basic_encoding.currentIndexChanged.connect(self.edited)
        self.notes.textChanged.connect(self.edited)

    def _remove_param(self) -> None:
        row = self.extra_params.currentRow()
        if row >= 0:
            self.extra_params.removeRow(row)
            self.edited()

    def _choose_ca_bundle(self) -> None:
        path = self.open_file(
            "Choose a CA bundle", "Certificates (*.pem *.crt *.cer);;All files (*)"
        )
        if path:
            self.ca_bundle.setText(path)
            self.edited()

    def has_settings(self, profile: Profile) -> bool:
        """Open the section when the profile uses any of it."""
        return bool(
            profile.extra_params
            or not profile.verify_tls
            or profile.ca_bundle
            or profile.notes
            or profile.allowed_origins
            or profile.basic_encoding is not BasicEncoding.AUTO
            or profile.key_id
        )

    def load(self, profile: Profile) -> None:
        self.extra_params.setRowCount(0)
        for key, value in profile.extra_params:
            row = self.extra_params.rowCount()
            self.extra_params.insertRow(row)
            self.extra_params.setItem(row, 0, QTableWidgetItem(key))
            self.extra_params.setItem(row, 1, QTableWidgetItem(value))
        self.verify_tls.setChecked(profile.verify_tls)
        self.ca_bundle.setText(profile.ca_bundle)
        self.allowed_origins.setText(" ".join(profile.allowed_origins))
        self.notes.setPlainText(profile.notes)
        index = self.basic_encoding.findData(profile.basic_encoding.value)
        self.basic_encoding.setCurrentIndex(max(0, index))
        self.key_id.setText(profile.key_id)

    def _params(self) -> tuple[tuple[str, str], ...]:
        pairs = []
        for row in range(self.extra_params.rowCount()):
            key_item, value_item = self.extra_params.item(row, 0), self.extra_params.item(row, 1)
            key = key_item.text().strip() if key_item else ""
            value = value_item.text() if value_item else ""
            if key or value:
                pairs.append((key, value))
        return tuple(pairs)

    def values(self) -> dict[str, Any]:
        return {
            "extra_params": self._params(),
            "verify_tls": self.verify_tls.isChecked(),
            "ca_bundle": self.ca_bundle.text().strip(),
            "allowed_origins": tuple(self.allowed_origins.text().split()),
            "notes": self.notes.toPlainText(),
            "basic_encoding": BasicEncoding(self.basic_encoding.currentData() or "auto"),
            "key_id": self.key_id.text().strip(),
        }
