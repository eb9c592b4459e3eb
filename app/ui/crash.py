"""One path for the unexpected (qutebrowser's crash handler is the model).

`sys.excepthook`, the asyncio loop's exception handler and the task runner's fallback all end in
`CrashHandler.handle`: the error is logged (redacted) and a dialog says "Something went wrong
inside Tokendesk", with the report under Details and *Copy report*. The window keeps running.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from types import TracebackType
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from app.logs import crash_report

log = logging.getLogger(__name__)


class CrashHandler(QObject):
    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self.dialog: QMessageBox | None = None
        self._previous = sys.excepthook

    def install(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        sys.excepthook = self.handle
        if loop is not None:
            loop.set_exception_handler(self._from_loop)

    def uninstall(self) -> None:
        if sys.excepthook == self.handle:
            sys.excepthook = self._previous

    def _from_loop(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        if isinstance(error, BaseException):
            self.handle(type(error), error, error.__traceback__)
        else:
            log.error("Event loop: %s", context.get("message", "unknown problem"))

    def handle(
        self,
        kind: type[BaseException],
        error: BaseException,
        tb: TracebackType | None,
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            self._previous(kind, error, tb)
            return
        log.error("Unexpected error", exc_info=(kind, error, tb))
        report = crash_report(error.with_traceback(tb))
        # Not from inside whatever failed: the dialog opens once control is back in the loop.
        QTimer.singleShot(0, self, lambda: self._show(report))

    def _show(self, report: str) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.setDetailedText(self.dialog.detailedText() + "\n\n" + report)
            return
        box = QMessageBox(self._window)
        box.setObjectName("crashDialog")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Tokendesk")
        box.setText("Something went wrong inside Tokendesk.")
        box.setInformativeText(
            "What you were doing may not have finished; the rest of the window keeps working. "
            "If it happens again, copy the report (secrets removed) and send it to us."
        )
        box.setDetailedText(report)
        copy = box.addButton("Copy report", QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Close)
        copy.setObjectName("crashCopyButton")
        copy.clicked.disconnect()  # keep the dialog open after copying
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(box.detailedText()))
        self.dialog = box
        box.open()
