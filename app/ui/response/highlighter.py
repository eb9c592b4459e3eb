"""Colours for JSON in the ordinary (small-body) text view."""

from __future__ import annotations

import re

from PySide6.QtGui import QColor, QSyntaxHighlighter, QTextCharFormat, QTextDocument

_TOKENS = [
    ("key", re.compile(r'"(?:[^"\\]|\\.)*"(?=\s*:)')),
    ("string", re.compile(r'(?<=:\s)"(?:[^"\\]|\\.)*"|^\s*"(?:[^"\\]|\\.)*"(?=,?$)')),
    ("number", re.compile(r"(?<![\w\"])-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")),
    ("literal", re.compile(r"\b(?:true|false|null)\b")),
]


class JsonHighlighter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument, *, dark: bool) -> None:
        super().__init__(document)
        palette = (
            {"key": "#79c0ff", "string": "#a5d6ff", "number": "#ffa657", "literal": "#ff7b72"}
            if dark
            else {"key": "#0550ae", "string": "#0a3069", "number": "#953800", "literal": "#cf222e"}
        )
        self._formats: dict[str, QTextCharFormat] = {}
        for name, colour in palette.items():
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(colour))
            self._formats[name] = fmt
        self.enabled = True

    def highlightBlock(self, text: str) -> None:
        if not self.enabled:
            return
        for name, pattern in _TOKENS:
            for match in pattern.finditer(text):
                self.setFormat(match.start(), match.end() - match.start(), self._formats[name])
