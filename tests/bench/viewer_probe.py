"""One response-viewer measurement, in its own process: time to the first screen, time until the
whole body is formatted and shown, and the longest stall of a 5 ms timer meanwhile; plus the
baseline (json.loads + json.dumps(indent=2) of the same bytes).

    python -m tests.bench.viewer_probe MEGABYTES
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.core.api_call import ApiResponse, Timing
from app.core.api_response import IN_MEMORY
from app.ui.prompter import DialogPrompter
from app.ui.response.presenter import BodyPresenter
from app.ui.response.viewer import ResponseViewer
from tests.support.resource_server import big_json


async def measure(size: float, folder: Path) -> dict[str, float]:
    body = folder / "response-1.body"
    data = big_json(size)
    body.write_bytes(data)
    viewer = ResponseViewer()
    viewer.resize(1000, 700)
    viewer.show()
    marks: dict[str, float] = {}
    original_text, original_large = viewer.show_text, viewer.show_large

    def text(*args: object, **kwargs: object) -> None:
        original_text(*args, **kwargs)  # type: ignore[arg-type]
        marks.setdefault("first", time.perf_counter())

    def large(*args: object, **kwargs: object) -> None:
        original_large(*args, **kwargs)  # type: ignore[arg-type]
        marks.setdefault("formatted", time.perf_counter())

    viewer.show_text = text  # type: ignore[method-assign]
    viewer.show_large = large  # type: ignore[method-assign]
    presenter = BodyPresenter(
        viewer, copy=lambda *_: None, notify=lambda _: None, prompter=DialogPrompter(viewer)
    )
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(5)
    await asyncio.sleep(0.2)
    response = ApiResponse(
        200,
        "OK",
        "HTTP/1.1",
        "http://x",
        [("Content-Type", "application/json")],
        [],
        body,
        data if len(data) <= IN_MEMORY else None,  # as api_call keeps it
        len(data),
        Timing(total=0.0),
    )
    started = time.perf_counter()
    await presenter.present(response)
    await asyncio.sleep(0.2)  # a few paints of the large view
    viewer.large.verticalScrollBar().setValue(viewer.large.line_count // 2)
    await asyncio.sleep(0.1)
    timer.stop()
    before = [t for t in ticks if t < started][-1:]  # so a stall right at the start counts
    window = before + [t for t in ticks if t >= started]
    gaps = [b - a for a, b in itertools.pairwise(window)]
    baseline_started = time.perf_counter()
    json.dumps(json.loads(data), indent=2, ensure_ascii=False)
    baseline = time.perf_counter() - baseline_started
    formatted = marks.get("formatted", marks.get("first", started))
    return {
        "first_screen_s": marks["first"] - started,
        "formatted_s": formatted - started,
        "longest_stall_s": max(gaps) if gaps else 0.0,
        "baseline_s": baseline,
    }


def main() -> int:
    app = QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory() as folder, loop:
        result = loop.run_until_complete(measure(float(sys.argv[1]), Path(folder)))
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
