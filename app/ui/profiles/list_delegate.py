"""Draws a profile list entry: its name, then its token state, each line measured with the
fonts that actually draw it. CJK names and emoji come from fallback fonts taller and wider than
the list's own; measured with the list's font alone, the state line was cut off and the name
elided early (issue 11)."""

from __future__ import annotations

import math

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QFont, QPainter, QPalette, QTextLayout
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

PAD_X, PAD_Y = 6, 3
Index = QModelIndex | QPersistentModelIndex


def line_size(text: str, font: QFont) -> tuple[float, float]:
    """Width and height of one line as laid out with font fallback (QFontMetrics knows only
    the primary font's height)."""
    layout = QTextLayout(text, font)
    layout.beginLayout()
    line = layout.createLine()
    line.setLineWidth(1e6)
    layout.endLayout()
    return line.naturalTextWidth(), line.height()


class ProfileItemDelegate(QStyledItemDelegate):
    def lines(self, index: Index) -> list[str]:
        return str(index.data(Qt.ItemDataRole.DisplayRole) or "").split("\n")

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        sizes = [line_size(line, option.font) for line in self.lines(index)]
        width = max((w for w, _ in sizes), default=0.0)
        height = sum(h for _, h in sizes)
        return QSize(math.ceil(width) + 2 * PAD_X, math.ceil(height) + 2 * PAD_Y)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        rect: QRect = opt.rect
        font: QFont = opt.font
        painter.save()
        painter.setFont(font)
        painter.setPen(opt.palette.color(role))
        y = rect.top() + PAD_Y
        for line in self.lines(index):
            _, height = line_size(line, font)
            box = QRect(rect.left() + PAD_X, y, rect.width() - 2 * PAD_X, math.ceil(height))
            shown = painter.fontMetrics().elidedText(line, Qt.TextElideMode.ElideRight, box.width())
            painter.drawText(box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, shown)
            y += math.ceil(height)
        painter.restore()
