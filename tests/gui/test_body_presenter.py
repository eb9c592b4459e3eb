"""The body presenter with the real viewer: the as-sent note, and Copy/Save of large bodies
done off the window's thread (or declined, in plain words, past COPY_LIMIT)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core.api_response import IN_MEMORY, ApiResponse, Timing
from app.ui.response.presenter import COPY_LIMIT, BodyPresenter
from app.ui.response.viewer import LARGE, TEXT, ResponseViewer
from tests.gui.conftest import ScriptedPrompter
from tests.support.resource_server import big_json


class Seen:
    def __init__(self) -> None:
        self.copied: list[str] = []
        self.notes: list[str] = []


@pytest.fixture
def shown(
    qtbot: Any, qloop: asyncio.AbstractEventLoop
) -> Iterator[tuple[ResponseViewer, BodyPresenter, Seen, ScriptedPrompter]]:
    viewer = ResponseViewer()
    qtbot.addWidget(viewer)
    seen = Seen()
    prompter = ScriptedPrompter()
    presenter = BodyPresenter(
        viewer,
        copy=lambda text, _what, _sensitive: seen.copied.append(text),
        notify=seen.notes.append,
        prompter=prompter,
    )
    yield viewer, presenter, seen, prompter
    viewer.large.close_file()  # the memory map of the last large body


def response(tmp_path: Path, data: bytes) -> ApiResponse:
    path = tmp_path / "response-1.body"
    if len(data) > IN_MEMORY:  # as api_call does
        path.write_bytes(data)
    return ApiResponse(
        200,
        "OK",
        "HTTP/1.1",
        "http://x",
        [("Content-Type", "application/json")],
        [],
        path,
        data if len(data) <= IN_MEMORY else None,
        len(data),
        Timing(),
    )


def present(qtbot: Any, presenter: BodyPresenter, answer: ApiResponse) -> None:
    task = asyncio.ensure_future(presenter.present(answer))
    qtbot.waitUntil(task.done, timeout=60000)
    task.result()


def test_a_small_body_says_when_it_is_shown_as_sent(
    qtbot: Any, tmp_path: Path, shown: tuple[ResponseViewer, BodyPresenter, Seen, Any]
) -> None:
    viewer, presenter, _, _ = shown
    present(qtbot, presenter, response(tmp_path, b'{"name": "Caf\\u00e9", "n": 1e3}'))
    assert viewer.stack.currentIndex() == TEXT
    assert viewer.text.toPlainText() == '{\n  "name": "Caf\\u00e9",\n  "n": 1e3\n}'
    assert not viewer.body_note.isHidden()
    assert "Shown as sent" in viewer.body_note.toolTip()
    present(qtbot, presenter, response(tmp_path, '{"name": "Café"}'.encode()))
    assert viewer.body_note.isHidden()


def test_a_body_in_memory_past_the_text_view_is_mapped_copied_and_saved(
    qtbot: Any, tmp_path: Path, shown: tuple[ResponseViewer, BodyPresenter, Seen, ScriptedPrompter]
) -> None:
    viewer, presenter, seen, prompter = shown
    data = big_json(0.5)
    present(qtbot, presenter, response(tmp_path, data))
    qtbot.waitUntil(lambda: viewer.stack.currentIndex() == LARGE)
    assert viewer.large.line_count > 10_000
    presenter.copy_body()
    qtbot.waitUntil(lambda: bool(seen.copied))
    assert seen.copied[0].startswith('{\n  "count": ')
    assert seen.copied[0].count("\n") == viewer.large.line_count - 1
    viewer.pretty.setChecked(False)  # the raw view of a body held in memory
    assert viewer.large.line_count == 1 + len(data) // 2000
    prompter.save_answer = str(tmp_path / "saved.json")
    presenter.save_body()
    qtbot.waitUntil(lambda: any(n.startswith("Saved the body") for n in seen.notes))
    assert (tmp_path / "saved.json").read_bytes() == data


def test_copy_of_a_body_past_the_limit_says_to_save_instead(
    qtbot: Any, tmp_path: Path, shown: tuple[ResponseViewer, BodyPresenter, Seen, Any]
) -> None:
    viewer, presenter, seen, _ = shown
    data = big_json(COPY_LIMIT / 1024 / 1024 * 0.7)  # its pretty form is past the limit
    present(qtbot, presenter, response(tmp_path, data))
    qtbot.waitUntil(lambda: viewer.stack.currentIndex() == LARGE, timeout=60000)
    presenter.copy_body()
    qtbot.wait(50)
    assert seen.copied == []
    assert seen.notes[-1].startswith("The body is too large to copy (")
    assert "Use Save… to keep it in a file." in seen.notes[-1]


def test_a_large_body_says_when_it_is_shown_as_sent(
    qtbot: Any, tmp_path: Path, shown: tuple[ResponseViewer, BodyPresenter, Seen, Any]
) -> None:
    viewer, presenter, _, _ = shown
    data = big_json(0.3)[:-1] + b', "name": "Caf\\u00e9"}'  # past TEXT_VIEW: formatted apart
    present(qtbot, presenter, response(tmp_path, data))
    qtbot.waitUntil(lambda: viewer.stack.currentIndex() == LARGE)
    assert not viewer.body_note.isHidden()
    present(qtbot, presenter, response(tmp_path, big_json(0.3)))
    qtbot.waitUntil(lambda: viewer.stack.currentIndex() == LARGE)
    assert viewer.body_note.isHidden()
