"""GUI test fixtures: a qasync loop inside pytest-qt, and the real wired window.

Recipe from FIELD-NOTES: the loop is created `already_running`; teardown cancels what is left,
pumps events, marks the loop stopped and closes it — never loop.stop(), which calls app.exit()
and breaks every later waitUntil in the session.
"""

from __future__ import annotations

import asyncio
import gc
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.main import build_window
from app.ui.main_window import MainWindow
from app.ui.tasks import install_asyncgen_hooks
from app.ui.theme import stylesheet


@pytest.fixture(autouse=True)
def _collect_on_the_gui_thread() -> Iterator[None]:
    """Qt objects must die on the GUI thread. Left to chance, Python's cyclic GC may run on a
    helper thread (keychain, test servers) and destroy a finished test's widgets there."""
    yield
    gc.collect()


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    qapp.setStyleSheet(stylesheet())
    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    hooks = sys.get_asyncgen_hooks()
    install_asyncgen_hooks(loop)  # as app.main does
    yield loop
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    for _ in range(20):
        qapp.processEvents()
        if all(t.done() for t in pending):
            break
    loop._QEventLoop__is_running = False  # type: ignore[attr-defined]
    asyncio.events._set_running_loop(None)
    loop.close()
    asyncio.set_event_loop(None)
    sys.set_asyncgen_hooks(*hooks)


class ScriptedPrompter:
    """Answers the window's questions the way a test says; records what was asked."""

    def __init__(self) -> None:
        self.confirm_answer = True
        self.text_answer: str | None = None
        self.open_answer: str | None = None
        self.open_answers: list[str] = []  # answered first, in order, before open_answer
        self.password_answer: str | None = None
        self.save_answer: str | None = None
        self.unsaved_answer = "discard"
        self.choice_answer: str | None = None
        self.defaults: list[str] = []
        self.asked: list[tuple[str, str]] = []

    def confirm(self, title: str, text: str, **_kwargs: Any) -> bool:
        self.asked.append((title, text))
        return self.confirm_answer

    def choose(self, title: str, text: str, choices: list[str], default: str | None) -> str | None:
        self.asked.append((title, text))
        self.defaults.append(default or "Cancel")
        assert self.choice_answer is None or self.choice_answer in choices
        return self.choice_answer

    def ask_save_changes(self, name: str) -> str:
        self.asked.append(("Unsaved changes", f"Save changes to “{name}”?"))
        return self.unsaved_answer

    def ask_text(self, title: str, label: str, text: str = "", **_kwargs: Any) -> str | None:
        self.asked.append((title, label))
        return self.text_answer

    def open_file(self, title: str, _filters: str) -> str | None:
        self.asked.append((title, ""))
        return self.open_answers.pop(0) if self.open_answers else self.open_answer

    def ask_password(self, title: str, label: str) -> str | None:
        self.asked.append((title, label))
        return self.password_answer

    def save_file(self, title: str, _suggested: str, _filters: str) -> str | None:
        self.asked.append((title, ""))
        return self.save_answer


class Windows:
    """Builds real windows on one config dir, as restarts of the app would."""

    def __init__(self, qtbot: Any, root: Path) -> None:
        self.qtbot = qtbot
        self.config = root / "config"
        self.data = root / "data"
        self.opened: list[MainWindow] = []

    def open(self) -> tuple[MainWindow, ScriptedPrompter]:
        prompter = ScriptedPrompter()
        window = build_window(self.config, self.data, prompter=prompter)
        self.qtbot.addWidget(window)
        window.show()
        self.opened.append(window)
        return window, prompter

    def close(self, window: MainWindow) -> None:
        window.close()
        task = asyncio.ensure_future(window.shutdown())
        self.qtbot.waitUntil(task.done, timeout=10000)
        self.opened.remove(window)


@pytest.fixture
def windows(qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> Iterator[Windows]:
    made = Windows(qtbot, tmp_path)
    yield made
    for window in list(made.opened):
        made.close(window)


def wait_for_answer(qtbot: Any, window: MainWindow, timeout: int = 15000) -> None:
    """Wait for what a person waits for after Send: the button says Send again and the status
    shows the outcome, not "… Sending"."""
    composer = window.requests_panel.composer
    status = window.requests_panel.viewer.status
    qtbot.waitUntil(
        lambda: composer.send.text() == "Send" and not status.text().startswith("…"),
        timeout=timeout,
    )


def send_and_wait(qtbot: Any, window: MainWindow, timeout: int = 15000) -> str:
    """Press Send, wait for the outcome; the response status as shown."""
    composer = window.requests_panel.composer
    qtbot.mouseClick(composer.send, Qt.MouseButton.LeftButton)
    assert composer.send.text() == "Cancel"  # the press started a send (it ends on the loop)
    wait_for_answer(qtbot, window, timeout)
    return window.requests_panel.viewer.status.text()
