"""The composition root: the only place that wires real collaborators to the window."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import qasync
from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from app import logs
from app.desk.wiring import open_desk
from app.services.workbench import Workbench
from app.storage import paths
from app.ui.crash import CrashHandler
from app.ui.main_window import MainWindow
from app.ui.theme import stylesheet

RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def has_display() -> bool:
    """Qt aborts with a misleading xcb message when there is no display; ask first."""
    if sys.platform != "linux":
        return True
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def resource(name: str) -> Path:
    # Frozen builds (PyInstaller) unpack resources under sys._MEIPASS.
    frozen = getattr(sys, "_MEIPASS", None)
    return Path(frozen) / "resources" / name if frozen else RESOURCES / name


def build_window(
    config_dir: Path | str | None = None, data_dir: Path | str | None = None
) -> MainWindow:
    """The fully wired main window, not shown, event loop not entered. The caller has made the
    QApplication and the qasync loop; None means the platformdirs defaults."""
    config = paths.config_dir(Path(config_dir) if config_dir is not None else None)
    config.mkdir(parents=True, exist_ok=True)
    data = paths.data_dir(Path(data_dir) if data_dir is not None else None)
    data.mkdir(parents=True, exist_ok=True)
    desk = open_desk(config, data, session=True)
    workbench = Workbench(desk)
    settings = QSettings(str(config / "window.ini"), QSettings.Format.IniFormat)
    window = MainWindow(workbench, settings=settings, icon=QIcon(str(resource("tokendesk.svg"))))
    window.crash = CrashHandler(window)
    window.start()
    return window


class _FirstPaintReporter(QObject):
    """`make bench` sets TOKENDESK_REPORT_FIRST_PAINT: print when the window first painted and
    the memory used, then (after an idle pause) the idle memory, and quit."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not getattr(self, "done", False):
            self.done = True
            painted = time.time()
            import resource  # POSIX only: imported here so the window starts on Windows

            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            QTimer.singleShot(0, lambda: self._report(watched, painted, peak))
        return False

    def _report(self, window: QObject, painted: float, peak: int) -> None:
        def idle() -> None:
            status = Path("/proc/self/status").read_text()
            rss = next(
                (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")),
                0,
            )
            print(
                json.dumps({"painted_at": painted, "peak_rss_kb": peak, "idle_rss_kb": rss}),
                flush=True,
            )
            if isinstance(window, MainWindow):
                window.close()

        QTimer.singleShot(int(os.environ.get("TOKENDESK_IDLE_MS", "1500")), idle)


async def _run_until_closed(window: MainWindow, *, self_test: bool = False) -> None:
    closed = asyncio.Event()
    window.closed.connect(closed.set)
    if os.environ.get("TOKENDESK_REPORT_FIRST_PAINT"):
        reporter = _FirstPaintReporter(window)
        window.installEventFilter(reporter)
    window.show()
    if self_test:
        # A packaged build's smoke test: the window comes up, paints, checks the keychain,
        # then closes by itself.
        await asyncio.sleep(0.5)
        window.grab()
        print("tokendesk: self-test ok (window shown and closed by itself)")
        window.close()
    await closed.wait()
    await window.shutdown()


def main(argv: Sequence[str] = ()) -> int:
    if not has_display():
        print(
            "tokendesk: there is no display to open the window on.\n"
            "What to do: run it from a desktop session, or use the command line "
            "(tokendesk --help), e.g. `tokendesk token NAME`.",
            file=sys.stderr,
        )
        return 2
    app = QApplication([sys.argv[0], *argv])
    app.setApplicationName("Tokendesk")
    app.setDesktopFileName("tokendesk")
    app.setQuitOnLastWindowClosed(False)
    app.setStyleSheet(stylesheet())
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    log_file = logs.setup(verbose="--verbose" in argv)
    window = build_window()
    if window.crash is not None:
        window.crash.install(loop)
    logging.getLogger(__name__).info("Window started; log at %s", log_file)
    if "--sandbox" in argv:
        window.start_sandbox()
    with loop:
        loop.run_until_complete(_run_until_closed(window, self_test="--self-test" in argv))
    return 0
