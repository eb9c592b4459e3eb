"""A history that cannot be used never stops the window or a send: a damaged file is set aside
and a new one started (said once), one that cannot be opened is said in the history list and
the status bar, and the request still goes out and shows its answer."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt

from app.desk.wiring import open_desk
from app.services.workbench import Workbench
from app.ui.main_window import MainWindow
from tests.support.memory_secrets import MemorySecretStore

REQUESTS_TAB = 1


def start(qtbot: Any, tmp_path: Path) -> MainWindow:
    desk = open_desk(tmp_path / "config", tmp_path / "data", secrets=MemorySecretStore())
    window = MainWindow(
        Workbench(desk),
        settings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat),
    )
    qtbot.addWidget(window)
    window.start()
    window.show()
    return window


def stop(qtbot: Any, window: MainWindow) -> None:
    window.close()
    task = asyncio.ensure_future(window.shutdown())
    qtbot.waitUntil(task.done, timeout=5000)


def sandbox_send(qtbot: Any, window: MainWindow) -> None:
    qtbot.mouseClick(window.welcome.try_sandbox, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Valid" in window.token_panel.state.text(), timeout=20000)
    window.tabs.setCurrentIndex(REQUESTS_TAB)
    composer = window.requests_panel.composer
    composer.url.setText("/items")
    qtbot.mouseClick(composer.send, Qt.MouseButton.LeftButton)
    viewer = window.requests_panel.viewer
    qtbot.waitUntil(lambda: "Blue widget" in viewer.text.toPlainText(), timeout=10000)
    assert "200" in viewer.status.text()


def test_a_history_that_cannot_be_opened_never_stops_a_send(
    qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    (tmp_path / "data" / "history.sqlite3").mkdir(parents=True)  # a folder where the file goes
    window = start(qtbot, tmp_path)
    try:
        said = window.statusBar().currentMessage
        sandbox_send(qtbot, window)
        assert "cannot be opened" in said(), said()
        panel = window.requests_panel
        for listing in (panel.history, panel.saved):  # said where the entries would be
            assert listing.count() == 0
            assert "cannot be opened" in listing.hint
            assert "history.sqlite3" in listing.toolTip()  # the raw cause, one hover away
    finally:
        stop(qtbot, window)


def test_a_damaged_history_is_set_aside_and_a_new_one_kept(
    qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    (tmp_path / "data").mkdir()
    junk = os.urandom(4096)
    (tmp_path / "data" / "history.sqlite3").write_bytes(junk)
    window = start(qtbot, tmp_path)
    try:
        said = window.statusBar().currentMessage
        qtbot.waitUntil(lambda: "damaged, so a new history was started" in said(), timeout=5000)
        aside = list((tmp_path / "data").glob("history.sqlite3.damaged-*"))
        assert [p.read_bytes() for p in aside] == [junk]
        sandbox_send(qtbot, window)
        history = window.requests_panel.history
        qtbot.waitUntil(lambda: history.count() == 1, timeout=5000)
        assert "/items" in history.item(0).text()
    finally:
        stop(qtbot, window)
