"""The composer's response size limit and Stop (issue 10, item 3, window side): an answer past
the limit ends as a response that says it was stopped there; Stop says what it kept. The API is
the fault server: an endless stream and a double-gzip bomb (13 KB that inflates to 256 MiB)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt

from app.ui.main_window import REQUESTS_TAB, MainWindow
from app.ui.response_limit import KEY
from tests.gui.conftest import ScriptedPrompter, Windows
from tests.gui.test_token_window import type_profile
from tests.support.fault_server import FaultServer

pytestmark = [pytest.mark.keychain]


def open_on_faults(
    windows: Windows, qtbot: Any, faults: FaultServer
) -> tuple[MainWindow, ScriptedPrompter]:
    window, prompter = windows.open()
    type_profile(qtbot, window, "Faults", "https://idp.example/token", "c", "s", "", faults.url(""))
    window.tabs.setCurrentIndex(REQUESTS_TAB)
    composer = window.requests_panel.composer
    composer.auth.setCurrentIndex(composer.auth.findData("none"))
    return window, prompter


def start_send(qtbot: Any, window: MainWindow, path: str) -> None:
    composer = window.requests_panel.composer
    composer.url.clear()
    qtbot.keyClicks(composer.url, path)
    qtbot.mouseClick(composer.send, Qt.MouseButton.LeftButton)


@pytest.mark.parametrize("path", ["/endless", "/gzip-bomb"])
def test_a_too_large_answer_is_shown_stopped_at_the_limit(
    windows: Windows, qtbot: Any, faults: FaultServer, path: str
) -> None:
    window, prompter = open_on_faults(windows, qtbot, faults)
    prompter.text_answer = "2"
    window.response_limit.action.trigger()  # Settings → Stop API answers at …
    assert window.response_limit.action.text() == "Stop API answers at 2 MiB…"
    saved = QSettings(str(windows.config / "window.ini"), QSettings.Format.IniFormat)
    assert int(str(saved.value(KEY))) == 2  # persisted for the next start

    start_send(qtbot, window, path)
    viewer = window.requests_panel.viewer
    qtbot.waitUntil(lambda: viewer.notes.isVisibleTo(viewer), timeout=30000)
    assert "Stopped at 2 MiB" in viewer.notes.text()
    assert "200" in viewer.status.text()
    assert viewer.size_label.text() == "2.0 MB · stopped, not the whole answer"
    assert not viewer.error.isVisibleTo(viewer)
    qtbot.waitUntil(lambda: window.requests_panel.composer.send.text() == "Send", timeout=5000)


def test_a_wrong_limit_is_refused_and_the_old_one_kept(
    windows: Windows, qtbot: Any, faults: FaultServer
) -> None:
    window, prompter = open_on_faults(windows, qtbot, faults)
    for answer in ("0", "lots", "-5"):
        prompter.text_answer = answer
        window.response_limit.action.trigger()
        assert window.response_limit.max_bytes() == 1024**3
        assert "Not changed" in window.statusBar().currentMessage()


def test_stop_says_what_it_kept(windows: Windows, qtbot: Any, faults: FaultServer) -> None:
    window, _ = open_on_faults(windows, qtbot, faults)
    start_send(qtbot, window, "/endless")
    viewer = window.requests_panel.viewer
    composer = window.requests_panel.composer
    qtbot.waitUntil(lambda: "received" in viewer.size_label.text(), timeout=15000)
    qtbot.mouseClick(composer.send, Qt.MouseButton.LeftButton)  # the button now reads Stop
    qtbot.waitUntil(lambda: viewer.error.isVisibleTo(viewer), timeout=5000)
    assert viewer.error.message.text().startswith("Stopped by you after ")
    assert "had arrived; that part was not kept" in viewer.error.message.text()
    assert "size limit" in viewer.error.hint.text()
