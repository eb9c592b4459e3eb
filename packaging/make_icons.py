"""Render resources/tokendesk.svg to the PNG sizes Linux desktops expect (hicolor theme)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def main() -> int:
    root = Path(__file__).resolve().parents[1] / "resources"
    app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(root / "tokendesk.svg"))
    if not renderer.isValid():
        print("the SVG icon could not be read", file=sys.stderr)
        return 1
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        target = root / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "tokendesk.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        image.save(str(target))
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
