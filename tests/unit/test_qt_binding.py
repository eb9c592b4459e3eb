"""The Qt binding must not corrupt Python's reference counts (PySide6 6.12.0 decrefs None when a
call returns nothing, which aborts Python 3.11 at some later, random point)."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
from PySide6.QtWidgets import QApplication, QLabel, QListWidget
app = QApplication([])
label, empty = QLabel(), QListWidget()
for _ in range(100_000):
    label.property("unset")
    empty.currentItem()
import gc
gc.collect()
print("intact")
"""


def test_returning_nothing_does_not_free_none() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
    )
    assert result.stdout.strip() == "intact", result.stderr[-500:]
