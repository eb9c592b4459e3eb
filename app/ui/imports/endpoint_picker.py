"""The composer's endpoint picker: every saved request of the profile as one searchable line,
“GET /orders/{id} — Get an order · needs orders:read”; choosing one loads its template."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.desk.views import SavedRequest
from app.ui.qt import named

ID_ROLE = Qt.ItemDataRole.UserRole
_LEADING_VARIABLE = re.compile(r"^\{\{[^}]+\}\}")
_VARIABLE = re.compile(r"\{\{\s*([^}\s]+)\s*\}\}")


def endpoint_path(url: str) -> str:
    """The path as API docs write it: no base, no query, `{id}` for the `{{id}}` variable."""
    path = _LEADING_VARIABLE.sub("", url.split("?", 1)[0])
    if urlsplit(path).scheme in {"http", "https"}:
        path = urlsplit(path).path
    return _VARIABLE.sub(r"{\1}", path) or "/"


def endpoint_label(saved: SavedRequest) -> str:
    title = saved.name.split(" / ")[-1]
    label = f"{saved.spec.method} {endpoint_path(saved.spec.url)} — {title}"
    note = saved.note.splitlines()[0] if saved.note else ""
    return f"{label} · {note}" if note else label


class EndpointPicker(QDialog):
    """Signals:
    endpoint_chosen(int): the id of the saved request chosen.
    """

    endpoint_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("endpointPicker")
        self.setWindowTitle("Endpoints")
        self.resize(620, 420)
        self.search = named(QLineEdit(), "endpointSearchEdit")
        self.search.setPlaceholderText("Search by method, path, summary or scope…")
        self.search.setClearButtonEnabled(True)
        self.list = named(QListWidget(), "endpointList")
        self.list.setAccessibleName("Endpoints of this profile")
        self.count = named(QLabel(), "endpointCountLabel")
        self.count.setProperty("role", "hint")
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.count)
        self.search.textChanged.connect(self.filter)
        self.search.returnPressed.connect(self._choose_first)
        self.list.itemActivated.connect(self._chosen)
        self.list.itemDoubleClicked.connect(self._chosen)

    def set_endpoints(self, saved: list[SavedRequest]) -> None:
        self.list.clear()
        for entry in saved:
            item = QListWidgetItem(endpoint_label(entry))
            item.setData(ID_ROLE, entry.id)
            item.setToolTip(entry.note or entry.name)
            # The folder (an OpenAPI tag) is searchable too.
            item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, entry.name.casefold())
            self.list.addItem(item)
        self.filter(self.search.text())

    def filter(self, text: str) -> None:
        words = text.casefold().split()
        shown = 0
        for row in range(self.list.count()):
            item = self.list.item(row)
            haystack = (
                f"{item.text().casefold()} {item.data(Qt.ItemDataRole.AccessibleDescriptionRole)}"
            )
            hidden = not all(word in haystack for word in words)
            item.setHidden(hidden)
            shown += not hidden
        total = self.list.count()
        self.count.setText(f"{shown} of {total} endpoints" if words else f"{total} endpoints")
        first = self.visible_items()
        if first:
            self.list.setCurrentItem(first[0])

    def visible_items(self) -> list[QListWidgetItem]:
        items = (self.list.item(row) for row in range(self.list.count()))
        return [item for item in items if not item.isHidden()]

    def _choose_first(self) -> None:
        current = self.list.currentItem()
        if current is not None and not current.isHidden():
            self._chosen(current)

    def _chosen(self, item: QListWidgetItem) -> None:
        self.endpoint_chosen.emit(int(item.data(ID_ROLE)))
        self.accept()
