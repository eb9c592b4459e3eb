"""How large an API answer the composer keeps before it stops reading (issue 10, item 3).

A hostile or broken API can send without end, or a small gzip that inflates to gigabytes; the
answer is cut at this size and the viewer says so. Kept in the window's QSettings, in MiB.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QSettings
from PySide6.QtGui import QAction

from app.ui.prompter import Prompter
from app.ui.qt import named

KEY = "requests/max_response_mib"
MIB = 1024 * 1024
DEFAULT_MIB = 1024
MAX_MIB = 1024 * 1024  # 1 TiB: beyond that it is not a limit


def size_words(mib: int) -> str:
    return f"{mib // 1024} GiB" if mib % 1024 == 0 else f"{mib} MiB"


class ResponseLimit(QObject):
    def __init__(
        self,
        settings: QSettings,
        *,
        prompter: Prompter,
        notify: Callable[[str], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._prompter = prompter
        self._notify = notify
        self.action = named(QAction(parent), "responseLimitAction")
        self.action.triggered.connect(self.ask)
        self._label()

    @property
    def mib(self) -> int:
        try:
            value = int(str(self._settings.value(KEY, DEFAULT_MIB)))
        except ValueError:
            return DEFAULT_MIB
        return value if 1 <= value <= MAX_MIB else DEFAULT_MIB

    def max_bytes(self) -> int:
        return self.mib * MIB

    def set_mib(self, mib: int) -> None:
        self._settings.setValue(KEY, mib)
        self._label()

    def _label(self) -> None:
        self.action.setText(f"Stop API answers at {size_words(self.mib)}…")

    def ask(self) -> None:
        text = self._prompter.ask_text(
            "Response size limit",
            "Stop reading an API answer after this many MiB (1024 MiB = 1 GiB). What arrived "
            "until then is kept and shown.",
            str(self.mib),
        )
        if text is None:
            return
        try:
            mib = int(text.strip())
        except ValueError:
            mib = 0
        if not 1 <= mib <= MAX_MIB:
            self._notify(f"Not changed: give a whole number of MiB from 1 to {MAX_MIB}.")
            return
        self.set_mib(mib)
        self._notify(f"API answers now stop at {size_words(mib)}.")
