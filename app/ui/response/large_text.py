"""A read-only view of a text file of any size: it paints only the lines on screen, reading
them from a memory map through a sparse line index (see core/format_worker.py). Scrolling a
80 MB document costs the same as scrolling a small one."""

from __future__ import annotations

import mmap
import re
import struct
from pathlib import Path

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFontDatabase,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from app.core.format_worker import BLOCK, next_line

MAX_SHOWN_CHARS = 2000
_JSON_TOKEN = re.compile(
    r'"(?:[^"\\]|\\.)*"(?=\s*:)|"(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*|true|false|null'
)


class LineIndex:
    def __init__(self, data: mmap.mmap, index: bytes) -> None:
        self.data = data
        self.size = len(data)
        lines, count = struct.unpack_from("<QQ", index)
        self.lines: int = int(lines)
        self.marks: tuple[int, ...] = struct.unpack_from(f"<{count}Q", index, 16)

    def line_start(self, line: int) -> int:
        block, rest = divmod(line, BLOCK)
        pos = self.marks[min(block, len(self.marks) - 1)]
        for _ in range(rest):
            pos = next_line(self.data, pos, self.size)
        return pos

    def lines_from(self, first: int, count: int) -> list[str]:
        pos = self.line_start(first)
        found = []
        for _ in range(count):
            if pos >= self.size:
                break
            end = next_line(self.data, pos, self.size)
            raw = self.data[pos:end].rstrip(b"\r\n")
            found.append(raw.decode("utf-8", errors="replace"))
            pos = end
        return found

    def line_of(self, offset: int) -> int:
        """The display line holding byte `offset`."""
        low, high = 0, len(self.marks) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if self.marks[middle] <= offset:
                low = middle
            else:
                high = middle - 1
        line, pos = low * BLOCK, self.marks[low]
        while True:
            end = next_line(self.data, pos, self.size)
            if end > offset or end >= self.size:
                return line
            line, pos = line + 1, end


class LargeTextView(QAbstractScrollArea):
    """Signals:
    copy_requested(): Ctrl+C pressed (the owner copies the whole body: there is no selection).
    """

    copy_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("largeTextView")
        self.setAccessibleName("Response body")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.setFont(font)
        self.viewport().setFont(font)
        self._file: object | None = None
        self._map: mmap.mmap | None = None
        self._index: LineIndex | None = None
        self._json = False
        self._highlight_line = -1
        self._widest = 80
        metrics = self.fontMetrics()
        self._line_height = metrics.height()
        self._char_width = metrics.horizontalAdvance("M")

    @property
    def line_count(self) -> int:
        return int(self._index.lines) if self._index else 0

    def open(self, text_path: Path, index_path: Path, *, json_colours: bool) -> None:
        self.close_file()
        handle = text_path.open("rb")
        self._file = handle
        size = text_path.stat().st_size
        self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else None
        self._index = LineIndex(self._map, index_path.read_bytes()) if self._map else None
        self._json = json_colours
        self._highlight_line = -1
        self._update_scrollbars()
        self.verticalScrollBar().setValue(0)
        self.viewport().update()

    def close_file(self) -> None:
        self._index = None
        if self._map is not None:
            self._map.close()
            self._map = None
        if self._file is not None:
            self._file.close()  # type: ignore[attr-defined]
            self._file = None

    def text_map(self) -> mmap.mmap | None:
        return self._map

    def index(self) -> LineIndex | None:
        return self._index

    def visible_lines(self) -> int:
        return max(1, self.viewport().height() // max(1, self._line_height))

    def _update_scrollbars(self) -> None:
        lines = self.line_count
        bar = self.verticalScrollBar()
        bar.setRange(0, max(0, lines - self.visible_lines()))
        bar.setPageStep(self.visible_lines())
        horizontal = self.horizontalScrollBar()
        horizontal.setRange(0, max(0, self._widest * self._char_width - self.viewport().width()))
        horizontal.setPageStep(self.viewport().width())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_scrollbars()

    def show_line(self, line: int) -> None:
        """Scroll so `line` is in view (a third of the way down) and mark it."""
        self._highlight_line = line
        self.verticalScrollBar().setValue(max(0, line - self.visible_lines() // 3))
        self.viewport().update()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_requested.emit()
            return
        super().keyPressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        palette = self.palette()
        painter.fillRect(event.rect(), palette.color(QPalette.ColorRole.Base))
        if self._index is None:
            return
        first = self.verticalScrollBar().value()
        count = self.visible_lines() + 1
        lines = self._index.lines_from(first, count)
        x0 = 4 - self.horizontalScrollBar().value()
        ascent = self.fontMetrics().ascent()
        text_colour = palette.color(QPalette.ColorRole.Text)
        dark = palette.color(QPalette.ColorRole.Base).lightness() < 128
        colours = _colours(dark)
        widest = self._widest
        for row, line in enumerate(lines):
            shown = line[:MAX_SHOWN_CHARS]
            widest = max(widest, len(shown))
            y = row * self._line_height
            if first + row == self._highlight_line:
                painter.fillRect(
                    QRect(0, y, self.viewport().width(), self._line_height),
                    palette.color(QPalette.ColorRole.Highlight).lighter(170)
                    if not dark
                    else palette.color(QPalette.ColorRole.Highlight).darker(150),
                )
            baseline = y + ascent
            if not self._json:
                painter.setPen(text_colour)
                painter.drawText(x0, baseline, shown)
                continue
            cursor = 0
            for match in _JSON_TOKEN.finditer(shown):
                if match.start() > cursor:
                    painter.setPen(text_colour)
                    painter.drawText(
                        x0 + cursor * self._char_width, baseline, shown[cursor : match.start()]
                    )
                token = match.group()
                if token.startswith('"'):
                    key = shown[match.end() :].lstrip().startswith(":")
                    painter.setPen(colours["key" if key else "string"])
                elif token in ("true", "false", "null"):
                    painter.setPen(colours["literal"])
                else:
                    painter.setPen(colours["number"])
                painter.drawText(x0 + match.start() * self._char_width, baseline, token)
                cursor = match.end()
            if cursor < len(shown):
                painter.setPen(text_colour)
                painter.drawText(x0 + cursor * self._char_width, baseline, shown[cursor:])
        if widest != self._widest:
            self._widest = widest
            self._update_scrollbars()


def _colours(dark: bool) -> dict[str, QColor]:
    if dark:
        return {
            "key": QColor("#79c0ff"),
            "string": QColor("#a5d6ff"),
            "number": QColor("#ffa657"),
            "literal": QColor("#ff7b72"),
        }
    return {
        "key": QColor("#0550ae"),
        "string": QColor("#0a3069"),
        "number": QColor("#953800"),
        "literal": QColor("#cf222e"),
    }
