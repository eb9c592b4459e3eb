"""Decides how a response body is shown, and does the slow parts away from the window's thread.

Small bodies are formatted in-process. A large body is shown at once as its first screen (a
tolerant indenter over the first 64 KB), while a separate process formats the whole and indexes
its lines; the view then switches to a memory-mapped, paint-what-is-visible text view. Searching
a large body walks the memory map in slices, yielding to the event loop between them.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtGui import QPixmap, QTextDocument

from app.core import format_worker
from app.core.api_response import ApiResponse
from app.core.body_format import (
    HIGHLIGHT,
    TEXT_VIEW,
    BodyKindShown,
    as_sent_note,
    hex_preview,
    indent_head,
    pretty,
    sniff,
)
from app.ui.prompter import Prompter
from app.ui.response.viewer import LARGE, TEXT, ResponseViewer, human_size

SEARCH_SLICE = 4 * 1024 * 1024
IMAGE_LIMIT = 30 * 1024 * 1024
COPY_LIMIT = 8 * 1024 * 1024  # bytes of text; past it, Copy says to use Save…


def worker_command(body: Path, out: Path, as_json: bool) -> list[str]:
    mode = ["json"] if as_json else []
    if getattr(sys, "frozen", False):  # a packaged app: the executable runs the worker itself
        return [sys.executable, "--format-worker", str(body), str(out), *mode]
    return [sys.executable, "-m", "app.core.format_worker", str(body), str(out), *mode]


class BodyPresenter:
    def __init__(
        self,
        viewer: ResponseViewer,
        *,
        copy: Callable[[str, str, bool], None],
        notify: Callable[[str], None],
        prompter: Prompter,
    ) -> None:
        self.viewer = viewer
        self._copy = copy
        self._notify = notify
        self._prompter = prompter
        self.response: ApiResponse | None = None
        self.kind = BodyKindShown.EMPTY
        self._small_text: tuple[str, str] | None = None  # (pretty, raw)
        self._views: Path | None = None  # the worker's output dir, once finished
        self._worker: asyncio.subprocess.Process | None = None
        self._search_from = 0
        self._chores: set[asyncio.Future[None]] = set()
        viewer.pretty_toggled.connect(lambda _on: self._show_current())
        viewer.copy_requested.connect(self.copy_body)
        viewer.save_requested.connect(self.save_body)

    async def present(self, response: ApiResponse) -> None:
        await self._stop_worker()
        self.response = response
        self._small_text = None
        self._views = None
        self._search_from = 0
        head = response.head()
        self.kind = sniff(response.content_type, head)
        viewer = self.viewer
        viewer.pretty.setEnabled(self.kind in (BodyKindShown.JSON, BodyKindShown.XML))
        viewer.show_body_note("")  # until this body's formatting says otherwise
        if self.kind is BodyKindShown.EMPTY:
            viewer.show_message("The response has no body.")
        elif self.kind is BodyKindShown.IMAGE:
            self._present_image(response)
        elif self.kind is BodyKindShown.BINARY:
            viewer.show_message(
                f"<b>Binary content</b> ({response.content_type or 'unknown type'}, "
                f"{human_size(response.size)}). Use Save… to keep it.<pre>{hex_preview(head)}</pre>"
            )
        elif response.size <= TEXT_VIEW:
            data = response.read()
            shown, problem = pretty(data, self.kind)
            self._small_text = (shown, data.decode("utf-8", errors="replace"))
            if problem:
                self._notify(problem)
            elif self.kind is BodyKindShown.JSON:
                viewer.show_body_note(as_sent_note(data))
            self._show_current()
        else:
            await self._present_large(response, head)

    def _present_image(self, response: ApiResponse) -> None:
        pixmap = QPixmap()
        if response.size <= IMAGE_LIMIT and pixmap.loadFromData(response.read()):
            self.viewer.show_image(pixmap)
        else:
            self.viewer.show_message(
                f"An image ({response.content_type}, {human_size(response.size)}) that cannot be "
                "previewed. Use Save… to keep it."
            )

    async def _present_large(self, response: ApiResponse, head: bytes) -> None:
        as_json = self.kind is BodyKindShown.JSON
        first = head.decode("utf-8", errors="replace")
        self.viewer.show_text(indent_head(first) if as_json else first, json_colours=as_json)
        self.viewer.show_busy_note(
            f"Formatting the whole body ({human_size(response.size)}); the first part is shown."
        )
        out = response.body_path.with_suffix(".view")
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir()
        errors = b""
        failed = False
        if response.content is not None:  # at most IN_MEMORY bytes: a thread is enough
            await asyncio.to_thread(_format_in_memory, response.content, out, as_json)
        else:
            self._worker = await asyncio.create_subprocess_exec(
                *worker_command(response.body_path, out, as_json),
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
            _, errors = await self._worker.communicate()
            failed = self._worker.returncode != 0
            self._worker = None
        if self.response is not response:
            return  # a newer response replaced this one meanwhile
        self.viewer.show_busy_note("")
        if failed:
            self._notify("The body could not be formatted; it is shown as received.")
            self.viewer.notes.setToolTip(errors.decode("utf-8", "replace")[-2000:])
        if (out / "error.txt").exists():
            reason = (out / "error.txt").read_text(encoding="utf-8")
            if reason.startswith("too large"):
                self._notify(f"Not pretty-printed: {reason}. Shown as received.")
            else:
                self._notify(f"Not valid JSON ({reason}); shown as received.")
        if (out / "as-sent.txt").exists():
            self.viewer.show_body_note((out / "as-sent.txt").read_text(encoding="utf-8"))
        self._views = out
        self._show_current()

    async def _stop_worker(self) -> None:
        if self._worker is not None and self._worker.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self._worker.kill()
            await self._worker.wait()
        self._worker = None

    def _large_paths(self) -> tuple[Path, Path] | None:
        if self._views is None or self.response is None:
            return None
        if self.viewer.pretty.isChecked() and (self._views / "pretty.txt").exists():
            return self._views / "pretty.txt", self._views / "pretty.idx"
        raw = self._views / "raw.txt"  # a body kept in memory is written there for the map
        return raw if raw.exists() else self.response.body_path, self._views / "raw.idx"

    def _show_current(self) -> None:
        as_json = self.kind is BodyKindShown.JSON
        if self._small_text is not None:
            shown, raw = self._small_text
            text = shown if self.viewer.pretty.isChecked() else raw
            self.viewer.show_text(text, json_colours=as_json and len(text) <= HIGHLIGHT)
            return
        paths = self._large_paths()
        if paths is not None:
            self.viewer.show_large(*paths, json_colours=as_json and self.viewer.pretty.isChecked())

    # Search, copy, save ------------------------------------------------------------------

    async def search(self, text: str, forward: bool = True) -> None:
        if not text:
            self.viewer.search_status.clear()
            return
        if self.viewer.stack.currentIndex() == TEXT:
            flags = QTextDocument.FindFlag(0) if forward else QTextDocument.FindFlag.FindBackward
            found = self.viewer.text.find(text, flags)
            if not found:  # wrap around once
                cursor = self.viewer.text.textCursor()
                cursor.movePosition(
                    cursor.MoveOperation.Start if forward else cursor.MoveOperation.End
                )
                self.viewer.text.setTextCursor(cursor)
                found = self.viewer.text.find(text, flags)
            self.viewer.search_status.setText("" if found else "Not found")
            return
        if self.viewer.stack.currentIndex() == LARGE:
            await self._search_large(text.encode(), forward)

    async def _search_large(self, needle: bytes, forward: bool) -> None:
        view = self.viewer.large
        data, index = view.text_map(), view.index()
        if data is None or index is None:
            return
        size = len(data)
        self.viewer.search_status.setText("Searching…")
        start = self._search_from if forward else max(0, self._search_from - 1)
        found = -1
        for attempt in range(2):  # to the end, then wrap around from the start
            if forward:
                pos = start if attempt == 0 else 0
                limit = size if attempt == 0 else start
                while pos < limit and found == -1:
                    found = data.find(needle, pos, min(limit, pos + SEARCH_SLICE + len(needle)))
                    pos += SEARCH_SLICE
                    await asyncio.sleep(0)
            else:
                end = start if attempt == 0 else size
                floor = 0 if attempt == 0 else start
                while end > floor and found == -1:
                    found = data.rfind(needle, max(floor, end - SEARCH_SLICE - len(needle)), end)
                    end -= SEARCH_SLICE
                    await asyncio.sleep(0)
            if found != -1:
                break
        if found == -1:
            self.viewer.search_status.setText("Not found")
            return
        self._search_from = found + 1 if forward else found
        line = index.line_of(found)
        view.show_line(line)
        self.viewer.search_status.setText(f"Line {line + 1:,}")

    def copy_body(self) -> None:
        if self.response is None:
            return
        if self._small_text is not None:
            shown, raw = self._small_text
            self._copy(shown if self.viewer.pretty.isChecked() else raw, "response body", False)
            return
        paths = self._large_paths()
        if paths is None:
            self._notify("The body is still being formatted; copy it in a moment.")
            return
        size = paths[0].stat().st_size
        if size > COPY_LIMIT:
            # The clipboard would hold it all in the window's memory, and most programs choke
            # on a paste this size: a file is the better way to hand it on.
            self._notify(
                f"The body is too large to copy ({human_size(size)}). "
                "Use Save… to keep it in a file."
            )
            return
        self._background(self._copy_file(paths[0]))

    async def _copy_file(self, source: Path) -> None:
        text = await asyncio.to_thread(source.read_text, encoding="utf-8", errors="replace")
        self._copy(text, "response body", False)

    def save_body(self) -> None:
        response = self.response
        if response is None:
            return
        suffix = {"json": ".json", "xml": ".xml", "html": ".html"}.get(self.kind.value, ".bin")
        path = self._prompter.save_file(
            "Save the response body", f"response{suffix}", "All files (*)"
        )
        if path:
            self._background(self._save(response, path))

    async def _save(self, response: ApiResponse, path: str) -> None:
        await asyncio.to_thread(response.save, path)  # 50 MB written off the window's thread
        self._notify(f"Saved the body ({human_size(response.size)}) to {path}.")

    def _background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(work)
        self._chores.add(task)
        task.add_done_callback(self._chores.discard)


def _format_in_memory(content: bytes, out: Path, as_json: bool) -> None:
    (out / "raw.txt").write_bytes(content)  # the raw view reads through a memory map
    format_worker.format_body(content, out, as_json=as_json)
