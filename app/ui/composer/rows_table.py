"""A name/value table with a tick per row (query parameters, headers, form fields). A blank row
at the end is always there to type into."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from app.core.request_spec import Row


class RowsTable(QTableWidget):
    """Signals:
    edited(): the person changed a row (not emitted by set_rows).
    """

    edited = Signal()

    def __init__(self, name: str, label: str, parent: QWidget | None = None) -> None:
        super().__init__(0, 3, parent)
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
        tick.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
        enabled = row.enabled if row is not None else True
        tick.setCheckState(Qt.CheckState.Checked if enabled else Qt.CheckState.Unchecked)
        self.setItem(index, 0, tick)
        self.setItem(index, 1, QTableWidgetItem(row.name if row else ""))
        self.setItem(index, 2, QTableWidgetItem(row.value if row else ""))

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
            enabled = tick is None or tick.checkState() == Qt.CheckState.Checked
            found.append(Row(name.strip(), value, enabled))
        return tuple(found)

    def _changed(self, item: QTableWidgetItem) -> None:
        if self._quiet:
            return
        last = self.rowCount() - 1
        if item.row() == last and (self._text(last, 1) or self._text(last, 2)):
            self._quiet = True
            self._append_blank()
            self._quiet = False
        self.edited.emit()
