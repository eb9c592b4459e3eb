"""The decoded token: JWT header and claims (times as local time and "in 4 min"), and the
server's introspection answer. Always says whether the signature has been checked."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.jwtinfo import TIME_CLAIMS, DecodedJwt
from app.core.timefmt import local_time, relative
from app.ui.qt import named

CLAIM_MEANINGS = {
    "iss": "issued by",
    "sub": "subject (who the token is about)",
    "aud": "audience (which API may accept it)",
    "exp": "expires",
    "nbf": "not valid before",
    "iat": "issued",
    "jti": "unique token id",
    "scope": "what the token allows",
    "scp": "what the token allows",
    "client_id": "the client that asked for it",
    "azp": "the client that asked for it",
    "alg": "signature algorithm",
    "kid": "id of the signing key",
    "typ": "token type",
    "active": "the server still accepts the token",
}


class ClaimsView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status = named(QLabel(wordWrap=True), "claimsStatusLabel")
        self.tree = named(QTreeWidget(), "claimsView")
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["Claim", "Value", "Meaning"])
        self.tree.setAccessibleName("Decoded token claims")
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        # Value sized to its text and Meaning taking the rest, so Meaning stays beside the
        # values on wide screens instead of drifting to the far right.
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.status)
        layout.addWidget(self.tree, 1)
        self._times: list[tuple[QTreeWidgetItem, datetime]] = []

    def show_token(
        self,
        decoded: DecodedJwt | None,
        now: datetime,
        *,
        opaque: bool = False,
        introspection: dict[str, Any] | None = None,
    ) -> None:
        self.tree.clear()
        self._times = []
        if decoded is None:
            self.status.setText(
                "This token is opaque (not a JWT): only the server can tell what it contains."
                if opaque
                else ""
            )
        elif decoded.verified:
            self.status.setText("✔ Signature verified against the issuer's published keys.")
        else:
            self.status.setText(
                "Decoded, not verified: anyone can write these claims. "
                "Use “Verify signature” to check them against the issuer."
            )
        self.status.setProperty("verified", bool(decoded and decoded.verified))
        self.status.style().polish(self.status)
        if decoded is not None:
            self._section("Header", decoded.header, now)
            self._section("Claims", decoded.claims, now)
        if introspection is not None:
            self._section("Introspection (from the server)", introspection, now)
        self.tree.expandAll()

    def _section(self, title: str, values: dict[str, Any], now: datetime) -> None:
        root = QTreeWidgetItem([title])
        font = root.font(0)
        font.setBold(True)
        root.setFont(0, font)
        self.tree.addTopLevelItem(root)
        for key, value in values.items():
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            meaning = CLAIM_MEANINGS.get(key, "")
            if (
                key in TIME_CLAIMS
                and isinstance(value, int | float)
                and not isinstance(value, bool)
            ):
                when = datetime.fromtimestamp(value, UTC)
                text = f"{local_time(when)}  ({relative(when, now)})"
                meaning = f"{meaning} · {value}" if meaning else str(value)
                item = QTreeWidgetItem([key, text, meaning])
                self._times.append((item, when))
            else:
                item = QTreeWidgetItem([key, text, meaning])
            item.setToolTip(1, text)
            root.addChild(item)

    def tick(self, now: datetime) -> None:
        """Keep "(in 49 s)" in step with the countdown."""
        for item, when in self._times:
            item.setText(1, f"{local_time(when)}  ({relative(when, now)})")
