"""Which client, and where it gets its tokens: the profile's name, the token endpoint (or the
issuer that publishes it) and the client ID."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QWidget

from app.core.profiles import Problem, Profile
from app.ui.qt import named
from app.ui.widgets.form_section import FormSection, line

TOKEN_URL, ISSUER_URL = 0, 1


class EndpointSection(FormSection):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = line("profileNameEdit", "Profile name", "e.g. Orders API (production)")
        self.endpoint_kind = named(QComboBox(), "endpointKindCombo")
        self.endpoint_kind.addItems(["Token URL", "Issuer URL (find endpoints automatically)"])
        self.endpoint_kind.setAccessibleName("How to find the token endpoint")
        self.token_url = line("tokenUrlEdit", "Token URL", "https://login.example.com/oauth2/token")
        self.issuer_url = line("issuerUrlEdit", "Issuer URL", "https://login.example.com")
        self.client_id = line("clientIdEdit", "Client ID", "from your identity server")

        self.add_row("Name", "name", self.name)
        self.add_row("Find tokens at", None, self.endpoint_kind)
        self.token_url_row = self.add_row("Token URL", "token_url", self.token_url)
        self.issuer_row = self.add_row("Issuer URL", "issuer_url", self.issuer_url)
        self.add_row("Client ID", "client_id", self.client_id)
        self.endpoint_kind.currentIndexChanged.connect(self._show_kind)
        self.endpoint_kind.currentIndexChanged.connect(self.edited)
        self.watch(self.name, self.token_url, self.issuer_url, self.client_id)

    def by_issuer(self) -> bool:
        return self.endpoint_kind.currentIndex() == ISSUER_URL

    def _show_kind(self) -> None:
        self.set_row_visible(self.token_url_row, not self.by_issuer())
        self.set_row_visible(self.issuer_row, self.by_issuer())

    def load(self, profile: Profile) -> None:
        self.name.setText(profile.name)
        self.endpoint_kind.setCurrentIndex(ISSUER_URL if profile.issuer_url else TOKEN_URL)
        self.token_url.setText(profile.token_url)
        self.issuer_url.setText(profile.issuer_url)
        self.client_id.setText(profile.client_id)
        self._show_kind()

    def values(self) -> dict[str, Any]:
        by_issuer = self.by_issuer()
        return {
            "name": self.name.text().strip(),
            "token_url": "" if by_issuer else self.token_url.text().strip(),
            "issuer_url": self.issuer_url.text().strip() if by_issuer else "",
            "client_id": self.client_id.text().strip(),
        }

    def reword(self, problems: list[Problem]) -> list[Problem]:
        """The model says "token URL" when neither endpoint is set; with the issuer chosen, the
        field to fix is the issuer URL."""
        if not self.by_issuer() or self.issuer_url.text().strip():
            return problems
        return [
            Problem("issuer_url", "Enter the issuer URL.") if p.field == "token_url" else p
            for p in problems
        ]
