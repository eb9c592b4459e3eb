"""The Requests tab: saved requests and history on the left, the composer above the response."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.ui.composer.composer import Composer
from app.ui.qt import named
from app.ui.response.viewer import ResponseViewer
from app.ui.widgets.hinted_list import HintedList


class RequestsPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.composer = Composer(self)
        self.viewer = ResponseViewer(self)
        self.saved = named(
            HintedList("No saved requests for this profile. “Save request…” keeps the one above."),
            "savedRequestsList",
        )
        self.saved.setAccessibleName("Saved requests of this profile")
        self.delete_saved = named(QPushButton("Delete"), "deleteSavedButton")
        self.history = named(
            HintedList("Requests you send appear here, newest first."), "historyList"
        )
        self.history.setAccessibleName("Request history")
        self.clear_history = named(QPushButton("Clear history…"), "clearHistoryButton")
        self.history.setUniformItemSizes(True)

        saved_page = QWidget()
        saved_layout = QVBoxLayout(saved_page)
        saved_layout.setContentsMargins(0, 0, 0, 0)
        saved_layout.addWidget(self.saved, 1)
        saved_layout.addWidget(self.delete_saved)
        history_page = QWidget()
        history_layout = QVBoxLayout(history_page)
        history_layout.setContentsMargins(0, 0, 0, 0)
        history_layout.addWidget(self.history, 1)
        history_layout.addWidget(self.clear_history)
        self.side = named(QTabWidget(), "requestsSideTabs")
        self.side.addTab(saved_page, "Saved")
        self.side.addTab(history_page, "History")

        self.vertical = named(QSplitter(Qt.Orientation.Vertical), "requestSplitter")
        self.vertical.addWidget(self.composer)
        self.vertical.addWidget(self.viewer)
        self.vertical.setSizes([300, 420])
        self.vertical.setChildrenCollapsible(False)
        self.horizontal = named(QSplitter(Qt.Orientation.Horizontal), "requestsSplitter")
        self.horizontal.addWidget(self.side)
        self.horizontal.addWidget(self.vertical)
        self.horizontal.setStretchFactor(1, 1)
        self.horizontal.setSizes([190, 700])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.horizontal)
