"""What the token is for: scopes, audience, resource indicators, the API it is sent to, the
composer's variables, and whether it renews itself."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QWidget

from app.core.profiles import Profile, split_scopes
from app.core.request_spec import Row
from app.ui.qt import named
from app.ui.widgets.form_section import FormSection, line
from app.ui.widgets.rows_table import RowsTable


class ApiSection(FormSection):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scope = line("scopeEdit", "Scopes", "space-separated, e.g. orders:read orders:write")
        self.audience = line("audienceEdit", "Audience", "only if your docs mention one")
        self.resource = line(
            "resourceEdit", "Resource", "the API's identifier (RFC 8707); several: space-separated"
        )
        self.api_base = line("apiBaseUrlEdit", "API base URL", "https://api.example.com/v1")
        self.variables = RowsTable(
            "variablesTable", "Request variables", hint="name → value, used as {{name}}"
        )
        self.variables.setFixedHeight(110)
        self.variables.setToolTip(
            "Use them as {{name}} in the Requests tab's URL, headers and body"
        )
        self.auto_refresh = named(
            QCheckBox("Renew the token automatically before it expires"), "autoRefreshCheck"
        )
        self.add_row("Scopes", "scopes", self.scope)
        self.add_row("Audience", None, self.audience)
        self.add_row("Resource", "resources", self.resource)
        self.add_row("API base URL", "api_base_url", self.api_base)
        self.add_row("Request variables", "variables", self.variables)
        self.add_row("", None, self.auto_refresh)
        self.watch(
            self.scope,
            self.audience,
            self.resource,
            self.api_base,
            self.variables,
            self.auto_refresh,
        )

    def load(self, profile: Profile) -> None:
        self.scope.setText(profile.scope_string)
        self.audience.setText(profile.audience)
        self.resource.setText(" ".join(profile.resources))
        self.api_base.setText(profile.api_base_url)
        self.variables.set_rows(tuple(Row(k, v) for k, v in profile.variables))
        self.auto_refresh.setChecked(profile.auto_refresh)

    def values(self) -> dict[str, Any]:
        return {
            "scopes": split_scopes(self.scope.text()),
            "audience": self.audience.text().strip(),
            "resources": tuple(self.resource.text().split()),
            "api_base_url": self.api_base.text().strip(),
            "variables": tuple((r.name, r.value) for r in self.variables.rows() if r.enabled),
            "auto_refresh": self.auto_refresh.isChecked(),
        }
