"""Tokendesk started as the `tokendesk` command starts it (app.cli → app.main.main, both phases),
reporting its first paint and memory the way bare_window.py reports the bare baseline's, then
closing the window. The reporter is attached from here, so the product carries no bench code.

    python tests/bench/tokendesk_window.py      (the harness runs it; XDG dirs point at a temp dir)
"""

import sys
from pathlib import Path

from paint_report import PaintReporter  # run as a script: this folder is on sys.path
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

import app.main
from app.cli import main
from app.ui.main_window import MainWindow

first_frame = app.main.show_first_frame
catchers: list["Catcher"] = []  # alive until the process ends


class Catcher(QObject):
    """Finds the main window at its first event (it is built inside show_first_frame, before
    it is shown) and puts the reporter on it alone: an application-wide filter would run Python
    for every event of the start being measured."""

    def __init__(self, application: QApplication) -> None:
        super().__init__()
        self.application = application
        self.reporter: PaintReporter | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.reporter is None and isinstance(watched, MainWindow):
            self.application.removeEventFilter(self)
            self.reporter = PaintReporter(watched.close)  # closing ends main() as a person would
            watched.installEventFilter(self.reporter)
        return False


def reporting_first_frame(config: Path) -> MainWindow:
    application = QApplication.instance()
    assert isinstance(application, QApplication)  # main() made it just before
    catcher = Catcher(application)
    application.installEventFilter(catcher)
    catchers.append(catcher)
    return first_frame(config)


app.main.show_first_frame = reporting_first_frame
sys.exit(main([]))
