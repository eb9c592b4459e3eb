"""Colours for JSON in the ordinary (small-body) text view."""

from __future__ import annotations

import re

from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
)

from app.ui.theme import is_dark

LIGHT = {"key": "#0550ae", "string": "#0a3069", "number": "#953800", "literal": "#cf222e"}
DARK = {"key": "#79c0ff", "string": "#a5d6ff", "number": "#ffa657", "literal": "#ff7b72"}

_TOKENS = [
    ("key", re.compile(r'"(?:[^"\\]|\\.)*"(?=\s*:)')),
    ("string", re.compile(r'(?<=:\s)"(?:[^"\\]|\\.)*"|^\s*"(?:[^"\\]|\\.)*"(?=,?$)')),
    ("number", re.compile(r"(?<![\w\"])-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")),
    ("literal", re.compile(r"\b(?:true|false|null)\b")),
]


class JsonHighlighter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument, *, dark: bool) -> None:
        super().__init__(document)
        self._formats: dict[str, QTextCharFormat] = {}
        self.set_dark(dark)
        self.enabled = True
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._scheme_changed)

    def _scheme_changed(self) -> None:
        self.set_dark(is_dark())
        self.rehighlight()

    def set_dark(self, dark: bool) -> None:
        for name, colour in (DARK if dark else LIGHT).items():
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(colour))
            self._formats[name] = fmt

    def highlightBlock(self, text: str) -> None:
        if not self.enabled:
            return
        for name, pattern in _TOKENS:
            for match in pattern.finditer(text):
                self.setFormat(match.start(), match.end() - match.start(), self._formats[name])
