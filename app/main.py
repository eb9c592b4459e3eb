"""The composition root: the only place that wires real collaborators to the window.

`main()` starts in two phases so that the first frame is the real window, early: it builds and
paints the visible widgets (with the saved profiles) first, and only then imports and opens the
application layer, asyncio/qasync, logging and storage, and attaches them to that same window."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from app.storage import paths
from app.ui.main_window import MainWindow

if TYPE_CHECKING:
    from app.ui.prompter import Prompter

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
    config_dir: Path | str | None = None,
    data_dir: Path | str | None = None,
    *,
    prompter: Prompter | None = None,
) -> MainWindow:
    """The fully wired main window, not shown, event loop not entered. The caller has made the
    QApplication and the qasync loop; None means the platformdirs defaults. `prompter` answers
    the window's questions (None: modal dialogs; tests pass a scripted one)."""
    config, data = _dirs(config_dir, data_dir)
    window = _visible_window(config, prompter)
    attach_services(window, config, data)
    return window


def _dirs(config_dir: Path | str | None, data_dir: Path | str | None) -> tuple[Path, Path]:
    config = paths.config_dir(Path(config_dir) if config_dir is not None else None)
    config.mkdir(parents=True, exist_ok=True)
    data = paths.data_dir(Path(data_dir) if data_dir is not None else None)
    data.mkdir(parents=True, exist_ok=True)
    return config, data


def _visible_window(config: Path, prompter: Prompter | None = None) -> MainWindow:
    """The first phase: the widgets on screen, no application layer."""
    settings = QSettings(str(config / "window.ini"), QSettings.Format.IniFormat)
    icon = QIcon(str(resource("tokendesk.svg")))
    return MainWindow(settings=settings, prompter=prompter, icon=icon)


def _show_saved_profiles(window: MainWindow, config: Path) -> None:
    """The profiles as saved, read before the application layer loads (it reads them again
    when attached), so the first frame shows the list, not the welcome page swapped later."""
    from app.core.errors import ProfileStoreError
    from app.storage.profile_store import ProfileStore

    try:
        window.show_profiles(ProfileStore(config).load())
    except ProfileStoreError as exc:
        window.show_profiles([], exc)


def attach_services(window: MainWindow, config: Path, data: Path) -> None:
    """The second phase: the application layer, storage and the controllers, wired to the
    window; needs the qasync loop."""
    from app.desk.wiring import open_desk
    from app.services.workbench import Workbench
    from app.ui.crash import CrashHandler

    window.attach(Workbench(open_desk(config, data, session=True)))
    window.crash = CrashHandler(window)
    window.start()


def show_first_frame(config: Path) -> MainWindow:
    """The first phase of `main()`: the real window with the saved profiles, shown and painted
    once; nothing of the application layer is loaded yet (`attach_services` follows)."""
    window = _visible_window(config)  # styles itself once built
    _show_saved_profiles(window, config)
    window.show()
    _wait_for_first_paint(window)
    return window


def _wait_for_first_paint(window: MainWindow, timeout_ms: int = 2000) -> None:
    """Run Qt's own event loop until the window has painted once (or `timeout_ms` passed)."""
    from PySide6.QtCore import QEventLoop

    local = QEventLoop()

    class Painted(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                QTimer.singleShot(0, local.quit)  # after this paint is finished
            return False

    painted = Painted()
    window.installEventFilter(painted)
    QTimer.singleShot(timeout_ms, local.quit)
    local.exec()
    window.removeEventFilter(painted)


async def _run_until_closed(window: MainWindow, *, self_test: bool = False) -> None:
    import asyncio

    closed = asyncio.Event()
    window.closed.connect(closed.set)
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
    config, data = _dirs(None, None)
    window = show_first_frame(config)

    import asyncio

    import qasync

    from app import logs
    from app.ui.tasks import install_asyncgen_hooks

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    install_asyncgen_hooks(loop)
    log_file = logs.setup(verbose="--verbose" in argv)
    attach_services(window, config, data)
    if window.crash is not None:
        window.crash.install(loop)
    import logging

    logging.getLogger(__name__).info("Window started; log at %s", log_file)
    if "--sandbox" in argv:
        window.start_sandbox()
    with loop:
        loop.run_until_complete(_run_until_closed(window, self_test="--self-test" in argv))
    return 0
