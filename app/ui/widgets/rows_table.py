"""A name/value table with a tick per row (query parameters, headers, form fields). A blank row
at the end is always there to type into; it gets its tick once something is typed in it, and
while the table is empty a hint says what goes there."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from app.core.request_spec import Row


class RowsTable(QTableWidget):
    """Signals:
    edited(): the person changed a row (not emitted by set_rows).
    """

    edited = Signal()

    def __init__(
        self, name: str, label: str, parent: QWidget | None = None, *, hint: str = ""
    ) -> None:
        super().__init__(0, 3, parent)
        self.hint = hint or "Type a name and a value; another empty row appears."
        self.setObjectName(name)
        self.setAccessibleName(label)
        self.setHorizontalHeaderLabels(["On", "Name", "Value"])
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.setColumnWidth(1, 200)
        self.verticalHeader().setVisible(False)
        self._quiet = False
        self.itemChanged.connect(self._changed)
        self.set_rows(())

    def _append_blank(self, row: Row | None = None) -> None:
        index = self.rowCount()
        self.insertRow(index)
        tick = QTableWidgetItem()
        if row is not None:
            self._tick(tick, row.enabled)
        else:
            tick.setFlags(Qt.ItemFlag.ItemIsEnabled)  # a blank row has nothing to switch on
        self.setItem(index, 0, tick)
        self.setItem(index, 1, QTableWidgetItem(row.name if row else ""))
        self.setItem(index, 2, QTableWidgetItem(row.value if row else ""))

    @staticmethod
    def _tick(item: QTableWidgetItem, enabled: bool) -> None:
        item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
        item.setCheckState(Qt.CheckState.Checked if enabled else Qt.CheckState.Unchecked)

    def _text(self, row: int, column: int) -> str:
        item = self.item(row, column)
        return item.text() if item is not None else ""

    def set_rows(self, rows: tuple[Row, ...] | list[Row]) -> None:
        self._quiet = True
        self.setRowCount(0)
        for row in rows:
            self._append_blank(row)
        self._append_blank()
        self._quiet = False

    def rows(self) -> tuple[Row, ...]:
        found = []
        for index in range(self.rowCount()):
            name, value = self._text(index, 1), self._text(index, 2)
            if not name and not value:
                continue
            tick = self.item(index, 0)
            enabled = (
                tick is None
                or not tick.flags() & Qt.ItemFlag.ItemIsUserCheckable
                or tick.checkState() == Qt.CheckState.Checked
            )
            found.append(Row(name.strip(), value, enabled))
        return tuple(found)

    def _changed(self, item: QTableWidgetItem) -> None:
        if self._quiet:
            return
        last = self.rowCount() - 1
        if item.row() == last and (self._text(last, 1) or self._text(last, 2)):
            self._quiet = True
            tick = self.item(last, 0)
            if tick is not None:
                self._tick(tick, True)
            self._append_blank()
            self._quiet = False
        self.edited.emit()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.rowCount() > 1 or self._text(0, 1) or self._text(0, 2):
            return
        painter = QPainter(self.viewport())
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        top = self.rowHeight(0) + 6 if self.rowCount() else 6
        area = QRect(8, top, self.viewport().width() - 16, self.viewport().height() - top)
        flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
        painter.drawText(area, int(flags), self.hint)
        painter.end()
