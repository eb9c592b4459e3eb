"""The start-up bench's report: when a window first painted and the memory used, then (after an
idle pause, TOKENDESK_IDLE_MS, default 1.5 s) the idle memory, printed as one JSON line. The bare
baseline and Tokendesk report through this one class, so both are measured alike."""

from __future__ import annotations

import json
import os
import resource
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer


class PaintReporter(QObject):
    """Install on the window; `finish()` is called once the report is printed."""

    def __init__(self, finish: Callable[[], None]) -> None:
        super().__init__()
        self._finish = finish
        self.done = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.done:
            self.done = True
            painted = time.time()
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            idle_ms = int(os.environ.get("TOKENDESK_IDLE_MS", "1500"))
            QTimer.singleShot(idle_ms, lambda: self._report(painted, peak))
        return False

    def _report(self, painted: float, peak: int) -> None:
        status = Path("/proc/self/status").read_text().splitlines()
        rss = next(int(x.split()[1]) for x in status if x.startswith("VmRSS:"))
        report = {"painted_at": painted, "peak_rss_kb": peak, "idle_rss_kb": rss}
        print(json.dumps(report), flush=True)
        self._finish()
