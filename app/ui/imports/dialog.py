"""The import dialog: what an import would do (nothing written yet), Import / Cancel, then what
it did. Bad input shows the plain error and leaves Import disabled."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import TokendeskError
from app.ui.qt import named
from app.ui.widgets.error_box import ErrorBox

if TYPE_CHECKING:
    from app.importers.apply import ApplyReport
    from app.importers.plan import ImportPlan


def _source_name(path: str) -> str:
    return path if "://" in path else Path(path).name or path


def plan_html(plan: ImportPlan) -> str:
    """Per source: the secrets to remove from it, what was kept without auth, warnings; then the
    profiles and how many saved requests and environments each brings."""
    parts: list[str] = []
    for report in plan.reports:
        lines = []
        if report.secrets:
            lines.append(
                "<b>Secrets that go into the keychain — remove them from this file:</b> "
                + escape(", ".join(report.secrets))
            )
        if report.kept_without_auth:
            lines.append(
                "<b>Kept without auth</b> (Tokendesk sends them without a token): "
                + escape("; ".join(report.kept_without_auth))
            )
        lines += [f"⚠ {escape(w)}" for w in report.warnings]
        body = "".join(f"<li>{line}</li>" for line in lines) or "<li>Nothing to remark.</li>"
        parts.append(f"<p><b>{escape(_source_name(report.path))}</b></p><ul>{body}</ul>")
    for planned in plan.profiles:
        envs = ", ".join(e.name for e in planned.profile.environments)
        parts.append(
            f"<p>Profile <b>{escape(planned.profile.name)}</b>: {len(planned.requests)} saved "
            f"request(s){escape(f'; environments: {envs}' if envs else '')}.</p>"
        )
    parts.append("<p>The source files are not changed.</p>")
    return "".join(parts)


class ImportDialog(QDialog):
    """Signals:
    import_confirmed(): the person clicked Import on the summary.
    """

    import_confirmed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importDialog")
        self.setWindowTitle("Import")
        self.resize(640, 460)
        self.headline = named(QLabel(wordWrap=True), "importSummaryLabel")
        font = self.headline.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.headline.setFont(font)
        self.details = named(QTextBrowser(), "importDetailsView")
        self.details.setOpenLinks(False)
        self.error = ErrorBox(self, name="importError")
        self._plan_html = ""
        self.buttons = QDialogButtonBox()
        self.import_button = named(
            QPushButton("Import"), "importConfirmButton"
        )  # not the default: Enter must not write by accident
        self.import_button.setAutoDefault(False)
        self.cancel_button = named(QPushButton("Cancel"), "importCancelButton")
        self.buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.import_button.clicked.connect(self.import_confirmed)
        self.cancel_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.error)
        layout.addWidget(self.details, 1)
        layout.addWidget(self.buttons)

    def show_reading(self, what: str) -> None:
        self.headline.setText(f"Reading {what}…")
        self._plan_html = ""
        self.details.clear()
        self.details.setVisible(True)
        self.error.clear()
        self.import_button.setEnabled(False)

    def show_plan(self, plan: ImportPlan) -> None:
        self.error.clear()
        self.headline.setText(plan.summary() + ".")
        self._plan_html = plan_html(plan)
        self.details.setHtml(self._plan_html)
        self.import_button.setEnabled(bool(plan.profiles))
        self.import_button.setVisible(True)
        self.cancel_button.setText("Cancel")

    def show_working(self) -> None:
        self.headline.setText("Importing… secrets are going into the keychain.")
        self.import_button.setEnabled(False)
        self.cancel_button.setEnabled(False)

    def show_report(self, report: ApplyReport) -> None:
        self.headline.setText(report.summary())
        changes = "".join(f"<li>{escape(line)}</li>" for line in report.changes)
        self.details.setHtml(f"<ul>{changes}</ul>{self._plan_html}")
        self.import_button.setVisible(False)
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Close")

    def show_error(self, error: TokendeskError) -> None:
        self.headline.setText("Nothing was imported.")
        self.error.show_error(error)
        self.import_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Close")
        self.details.setVisible(bool(self._plan_html))
        self.error.setFocus(Qt.FocusReason.OtherFocusReason)
