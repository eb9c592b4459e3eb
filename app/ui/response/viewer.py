"""The response: status in words and colour, time with its phases, size, headers, notes about
the token, and the body — pretty or raw, searchable, copyable, savable, whatever its size."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.api_response import ApiResponse
from app.core.errors import TokendeskError
from app.ui.qt import named
from app.ui.response.highlighter import JsonHighlighter
from app.ui.response.large_text import LargeTextView
from app.ui.theme import is_dark
from app.ui.widgets.error_box import ErrorBox

TEXT, LARGE, IMAGE, MESSAGE = 0, 1, 2, 3


def status_words(status: int) -> tuple[str, str]:
    """(words, state for the stylesheet) — the glyph and words carry the meaning, not colour."""
    if status < 300:
        return "✔ Success", "valid"
    if status < 400:
        return "↪ Redirect", "expiring"
    if status in (401, 403):
        return "✕ Refused", "failed"
    if status < 500:
        return "✕ Client error", "failed"
    return "⚠ Server error", "failed"


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


class ResponseViewer(QWidget):
    """Signals:
    pretty_toggled(bool): the person switched between pretty and raw.
    search_requested(str, bool): find text (forward when True) in the whole body.
    copy_requested(): copy the whole body. save_requested(): save the body to a file.
    """

    pretty_toggled = Signal(bool)
    search_requested = Signal(str, bool)
    copy_requested = Signal()
    save_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status = named(QLabel("No response yet"), "responseStatusLabel")
        self.status.setProperty("role", "badge")
        self.status.setProperty("state", "none")
        self.status.setAccessibleName("Response status")
        self.time = named(QLabel(), "responseTimeLabel")
        self.time.setAccessibleName("Response time")
        self.size_label = named(QLabel(), "responseSizeLabel")
        self.notes = named(QLabel(wordWrap=True), "responseNotesLabel")
        self.notes.setProperty("role", "warning")
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notes.setVisible(False)
        self._notes: list[str] = []
        self.error = ErrorBox(self, name="responseError")

        self.text = named(QPlainTextEdit(), "responseBodyView")
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setAccessibleName("Response body")
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.highlighter = JsonHighlighter(self.text.document(), dark=is_dark())
        self.large = LargeTextView()
        self.large.copy_requested.connect(self.copy_requested)
        self.image = named(QLabel(), "responseImage")
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        image_scroll = QScrollArea()
        image_scroll.setWidget(self.image)
        image_scroll.setWidgetResizable(True)
        self.message = named(QLabel(wordWrap=True), "responseBodyMessage")
        self.message.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.stack = named(QStackedWidget(), "responseBodyStack")
        for widget in (self.text, self.large, image_scroll, self.message):
            self.stack.addWidget(widget)

        self.pretty = named(QPushButton("Pretty"), "prettyToggle")
        self.pretty.setCheckable(True)
        self.pretty.setChecked(True)
        self.pretty.setToolTip("Switch between formatted and raw body")
        self.pretty.toggled.connect(self._pretty_toggled)
        self.search = named(QLineEdit(), "responseSearchEdit")
        self.search.setPlaceholderText("Find in body (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(90)
        self.search.setAccessibleName("Find in the response body")
        self.search.returnPressed.connect(
            lambda: self.search_requested.emit(self.search.text(), True)
        )
        self.search_status = named(QLabel(), "responseSearchStatus")
        self.body_note = named(QLabel("ⓘ Shown as sent"), "bodyNoteLabel")
        self.body_note.setVisible(False)
        find_next = named(QToolButton(), "findNextButton")
        find_next.setArrowType(Qt.ArrowType.DownArrow)
        find_next.setToolTip("Next match (Enter)")
        find_next.setAccessibleName("Next match")
        find_next.clicked.connect(lambda: self.search_requested.emit(self.search.text(), True))
        find_previous = named(QToolButton(), "findPreviousButton")
        find_previous.setArrowType(Qt.ArrowType.UpArrow)
        find_previous.setToolTip("Previous match")
        find_previous.setAccessibleName("Previous match")
        find_previous.clicked.connect(lambda: self.search_requested.emit(self.search.text(), False))
        self.copy_button = named(QPushButton("Copy"), "copyBodyButton")
        self.copy_button.clicked.connect(self.copy_requested)
        self.save_button = named(QPushButton("Save…"), "saveBodyButton")
        self.save_button.clicked.connect(self.save_requested)
        QShortcut(QKeySequence.StandardKey.Find, self, self._focus_search)

        self.headers = named(QTableWidget(0, 2), "responseHeadersTable")
        self.headers.setHorizontalHeaderLabels(["Header", "Value"])
        self.headers.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents
        )
        self.headers.horizontalHeader().setStretchLastSection(True)
        self.headers.verticalHeader().setVisible(False)
        self.headers.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.headers.setAccessibleName("Response headers")

        summary = QHBoxLayout()
        summary.addWidget(self.status)
        summary.addWidget(self.time)
        summary.addWidget(self.size_label)
        summary.addStretch(1)
        tools = QHBoxLayout()
        tools.addWidget(self.pretty)
        tools.addWidget(self.search, 1)
        tools.addWidget(find_previous)
        tools.addWidget(find_next)
        tools.addWidget(self.search_status)
        tools.addWidget(self.body_note)
        tools.addWidget(self.copy_button)
        tools.addWidget(self.save_button)
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 4, 0, 0)
        body_layout.addLayout(tools)
        body_layout.addWidget(self.stack, 1)
        self.tabs = named(QTabWidget(), "responseTabs")
        self.tabs.addTab(body, "Body")
        self.tabs.addTab(self.headers, "Headers")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(summary)
        layout.addWidget(self.notes)
        layout.addWidget(self.error)
        layout.addWidget(self.tabs, 1)
        self.clear()

    def _focus_search(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.search.setFocus()
        self.search.selectAll()

    def _pretty_toggled(self, on: bool) -> None:
        self.pretty.setText("Pretty" if on else "Raw")
        self.pretty_toggled.emit(on)

    def _set_state(self, state: str) -> None:
        self.status.setProperty("state", state)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

    def clear(self) -> None:
        self.error.clear()
        self.status.setText("No response yet")
        self._set_state("none")
        self.large.close_file()
        self.text.clear()
        self.headers.setRowCount(0)
        self.time.clear()
        self.size_label.clear()
        self._notes = []
        self.notes.setVisible(False)
        self.search_status.clear()
        self.show_body_note("")
        for widget in (self.copy_button, self.save_button, self.pretty):
            widget.setEnabled(False)

    def show_sending(self, what: str) -> None:
        self.clear()
        self.status.setText(f"… {what}")
        self._set_state("none")
        self.show_message("Waiting for the answer…")

    def show_progress(self, received: int) -> None:
        self.size_label.setText(f"{human_size(received)} received…")

    def show_failure(self, message: str, hint: str, details: str = "") -> None:
        """No response to show: one plain sentence, what to do, the raw details one click away."""
        self.status.setText("⚠ No response")
        self._set_state("failed")
        self.show_message("")
        self.error.show_error(TokendeskError(message, hint, details=details))

    def show_response(self, response: ApiResponse, notes: list[str]) -> None:
        words, state = status_words(response.status)
        self.status.setText(f"{words} · {response.status} {response.reason}".rstrip())
        self._set_state(state)
        self.time.setText(f"{response.timing.total * 1000:.0f} ms")
        phases = "\n".join(
            f"{name}: {value * 1000:.1f} ms" for name, value in response.timing.breakdown()
        )
        self.time.setToolTip(
            phases or "No phase timings (a reused connection has no connect step)."
        )
        # A cut answer says so where its size is read, not only in the notes above the body.
        cut = " · stopped, not the whole answer" if response.stopped else ""
        self.size_label.setText(human_size(response.size) + cut)
        self.size_label.setToolTip(response.stopped)
        self._notes = list(notes)
        self.show_busy_note("")
        self.headers.setRowCount(len(response.headers))
        for row, (name, value) in enumerate(response.headers):
            self.headers.setItem(row, 0, QTableWidgetItem(name))
            self.headers.setItem(row, 1, QTableWidgetItem(value))
        for widget in (self.copy_button, self.save_button):
            widget.setEnabled(response.size > 0)

    def show_busy_note(self, note: str) -> None:
        """A passing note (e.g. "Formatting…") shown after the response's own notes, which stay:
        "stopped at 1 GiB" must not vanish because formatting began and ended."""
        shown = [*self._notes, note] if note else self._notes
        self.notes.setText("\n".join(f"ℹ {n}" for n in shown))
        self.notes.setVisible(bool(shown))

    # Body presentations ------------------------------------------------------------------

    def show_text(self, text: str, *, json_colours: bool) -> None:
        # Detached rather than switched off: even a no-op highlightBlock costs a Python call
        # per line, all at once when the text is set.
        self.highlighter.setDocument(self.text.document() if json_colours else None)
        self.text.setPlainText(text)
        self.stack.setCurrentIndex(TEXT)

    def show_large(self, text_path: Path, index_path: Path, *, json_colours: bool) -> None:
        self.large.open(text_path, index_path, json_colours=json_colours)
        self.stack.setCurrentIndex(LARGE)

    def show_image(self, pixmap: QPixmap) -> None:
        self.image.setPixmap(pixmap)
        self.stack.setCurrentIndex(IMAGE)

    def show_body_note(self, note: str) -> None:
        """A short mark beside the tools (the whole sentence in its tooltip and for screen
        readers) when the pretty text keeps what the API sent instead of rewriting it."""
        self.body_note.setToolTip(note)
        self.body_note.setAccessibleDescription(note)
        self.body_note.setVisible(bool(note))

    def show_message(self, html: str) -> None:
        self.message.setText(html)
        self.stack.setCurrentIndex(MESSAGE)
