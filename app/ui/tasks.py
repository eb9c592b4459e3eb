"""Running coroutines from widgets without blocking the GUI thread.

Equivalent to qasync's @asyncSlot, but typed and keyed: starting a task under a key cancels the
one already running under it ("a new send cancels the one in flight"), and a failure reaches an
error handler instead of a traceback on stderr; anything else goes to the crash handler.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, Protocol

from app.core.errors import TokendeskError

ErrorHandler = Callable[[TokendeskError], None]


class Switchable(Protocol):
    """A widget or an action: anything that can be disabled while a task runs."""

    def setEnabled(self, enabled: bool) -> None: ...


class TaskRunner:
    def __init__(self, on_error: ErrorHandler) -> None:
        self._on_error = on_error
        self._tasks: dict[str, asyncio.Task[Any]] = {}

    def run(
        self,
        key: str,
        coro: Coroutine[Any, Any, Any],
        *,
        busy: Sequence[Switchable] = (),
        on_error: ErrorHandler | None = None,
        on_done: Callable[[], None] | None = None,
    ) -> asyncio.Task[Any]:
        """Run `coro`; disable `busy` widgets until it ends, whatever the outcome, then call
        `on_done` (which may disable some again, e.g. copy buttons with no token)."""
        previous = self._tasks.pop(key, None)
        if previous is not None and not previous.done():
            previous.cancel()
        for widget in busy:
            widget.setEnabled(False)
        handler = on_error or self._on_error

        async def guarded() -> Any:
            try:
                return await coro
            except TokendeskError as exc:
                handler(exc)
            except Exception:
                # Not a failure a person can act on: the one crash path (app/ui/crash.py).
                sys.excepthook(*sys.exc_info())
            return None

        def finished(done: asyncio.Task[Any]) -> None:
            # A task cancelled before it ever ran leaves `coro` un-awaited: close it quietly.
            coro.close()
            for widget in busy:
                widget.setEnabled(True)
            if self._tasks.get(key) is done:
                del self._tasks[key]
            if on_done is not None:
                on_done()

        started = guarded()
        try:
            task = asyncio.ensure_future(started)
        except RuntimeError:  # no event loop any more (the app is shutting down)
            started.close()
            coro.close()
            raise
        task.add_done_callback(finished)
        self._tasks[key] = task
        return task

    def cancel(self, key: str) -> None:
        task = self._tasks.pop(key, None)
        if task is not None:
            task.cancel()

    def running(self, key: str) -> bool:
        task = self._tasks.get(key)
        return task is not None and not task.done()

    def cancel_all(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        self._tasks.clear()


def install_asyncgen_hooks(loop: asyncio.AbstractEventLoop) -> None:
    """What asyncio's own run_forever does and qasync's does not: an async generator dropped
    before its end (a body read stopped at the size limit, a cancelled send) is closed on the
    loop with `aclose()`. Without it the garbage collector closes it synchronously, httpx's
    clean-up cannot await, and "async generator ignored GeneratorExit" lands on stderr."""

    def finalizer(agen: Any) -> None:
        if not loop.is_closed():
            loop.call_soon_threadsafe(lambda: loop.create_task(agen.aclose()))

    sys.set_asyncgen_hooks(firstiter=None, finalizer=finalizer)
