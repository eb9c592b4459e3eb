"""The start-up baseline: a bare PySide6 QMainWindow reporting its first paint and memory the
same way tokendesk_window.py reports Tokendesk's."""

import sys

from paint_report import PaintReporter  # run as a script: this folder is on sys.path
from PySide6.QtWidgets import QApplication, QMainWindow

app = QApplication(sys.argv)
window = QMainWindow()
window.resize(1100, 720)
reporter = PaintReporter(app.quit)
window.installEventFilter(reporter)
window.show()
app.exec()
