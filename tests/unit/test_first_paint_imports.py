"""The window paints before the heavy libraries load (make bench: cold start to first paint).
Building the window must not import httpx, PyJWT, cryptography or keyring: they load on first
use."""

from __future__ import annotations

import subprocess
import sys

HEAVY = (
    "httpx",
    "jwt",
    "cryptography",
    "keyring",
    "app.core.api_call",
    "app.sandbox.sandbox",
    "app.ui.composer.composer",  # the Requests tab is built after the first paint
)


def test_building_the_window_loads_none_of_the_heavy_libraries(tmp_path: object) -> None:
    code = (
        "import sys, asyncio\n"
        "import qasync\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from app.main import build_window\n"
        "app = QApplication([])\n"
        "loop = qasync.QEventLoop(app)\n"
        "asyncio.set_event_loop(loop)\n"
        f"window = build_window({str(tmp_path)!r} + '/c', {str(tmp_path)!r} + '/d')\n"
        "window.show(); app.processEvents()\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    lines = result.stdout.strip().splitlines()
    assert lines, result.stderr[-2000:]
    assert lines[-1] == "[]", result.stderr[-2000:]
