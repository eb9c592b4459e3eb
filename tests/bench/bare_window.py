"""The start-up baseline: a bare PySide6 QMainWindow reporting its first paint and memory the
same way Tokendesk does when TOKENDESK_REPORT_FIRST_PAINT is set."""

import json
import os
import resource
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow


class Reporter(QObject):
    done = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.done:
            self.done = True
            painted = time.time()
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

            def idle() -> None:
                status = Path("/proc/self/status").read_text().splitlines()
                rss = next(int(x.split()[1]) for x in status if x.startswith("VmRSS:"))
                report = {"painted_at": painted, "peak_rss_kb": peak, "idle_rss_kb": rss}
                print(json.dumps(report), flush=True)
                app.quit()

            QTimer.singleShot(int(os.environ.get("TOKENDESK_IDLE_MS", "1500")), idle)
        return False


app = QApplication(sys.argv)
window = QMainWindow()
window.resize(1100, 720)
reporter = Reporter()
window.installEventFilter(reporter)
window.show()
app.exec()
