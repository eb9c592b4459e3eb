"""Drives an import from the window: File → Import… (Ctrl+I), Import from an address…, and files
or folders dropped on the window. Reading runs in a worker thread and the keychain writes run as
Desk coroutines on the event loop, so the window never waits."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QFileDialog, QInputDialog, QWidget

from app.core.errors import TokendeskError
from app.ui.imports.dialog import ImportDialog
from app.ui.qt import named
from app.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from app.desk import Desk
    from app.importers.plan import ImportPlan

FILTERS = "Collections and API descriptions (*.json *.yaml *.yml *.bru);;All files (*)"


class ImportFlow(QObject):
    """Signals:
    imported(list): ids of the profiles the import created or updated.
    """

    imported = Signal(list)

    def __init__(
        self, desk: Desk, window: QWidget, *, ask_url: Callable[[], str | None] | None = None
    ) -> None:
        super().__init__(window)
        self.desk = desk
        self.window = window
        self._ask_url = ask_url or self._ask_url_dialog
        self.tasks = TaskRunner(self._failed)
        self.dialog = ImportDialog(window)
        self.dialog.import_confirmed.connect(self._confirmed)
        self.plan: ImportPlan | None = None
        self.file_action = named(QAction("Import collection or API…", window), "importAction")
        self.file_action.setShortcut(QKeySequence("Ctrl+I"))
        self.file_action.triggered.connect(self.choose_files)
        self.url_action = named(QAction("Import API from an address…", window), "importUrlAction")
        self.url_action.triggered.connect(self.choose_url)
        self.actions = [self.file_action, self.url_action]
        window.setAcceptDrops(True)
        window.installEventFilter(self)

    # Starting ------------------------------------------------------------------------------

    def choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self.window, "Import", "", FILTERS)
        if paths:
            self.import_paths([Path(p) for p in paths])

    def _ask_url_dialog(self) -> str | None:
        text, ok = QInputDialog.getText(
            self.window, "Import an API", "Address of the OpenAPI file (JSON or YAML):"
        )
        return text if ok else None

    def choose_url(self) -> None:
        url = self._ask_url()
        if url and url.strip():
            self.import_url(url.strip())

    def import_paths(self, paths: list[Path]) -> None:
        """Read `paths` (files, or Bruno folders) and show what importing them would do."""
        names = ", ".join(p.name for p in paths)
        self._start(names, asyncio.to_thread(self.desk.read_import, paths))

    def import_url(self, url: str) -> None:
        self._start(url, self.desk.read_import_url(url))

    def _start(self, what: str, reading: Awaitable[ImportPlan]) -> None:
        self.plan = None
        self.dialog.show_reading(what)
        self.dialog.open()
        self.tasks.run("read", self._read(reading), on_error=self.dialog.show_error)

    async def _read(self, reading: Awaitable[ImportPlan]) -> None:
        self.plan = await reading
        self.dialog.show_plan(self.plan)

    # Writing -------------------------------------------------------------------------------

    def _confirmed(self) -> None:
        if self.plan is None:
            return
        self.dialog.show_working()
        self.tasks.run("apply", self._apply(self.plan), on_error=self.dialog.show_error)

    async def _apply(self, plan: ImportPlan) -> None:
        report = await self.desk.apply_import(plan)
        self.dialog.show_report(report)
        touched = {*report.created, *report.updated}
        self.imported.emit([p.id for p in self.desk.profiles() if p.name in touched])

    def _failed(self, error: TokendeskError) -> None:
        self.dialog.show_error(error)

    # Drag and drop ---------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in {QEvent.Type.DragEnter, QEvent.Type.DragMove}:
            drag = event
            assert isinstance(drag, QDragEnterEvent | QDropEvent)
            if _local_paths(drag):
                drag.acceptProposedAction()
                return True
        elif event.type() == QEvent.Type.Drop:
            drop = event
            assert isinstance(drop, QDropEvent)
            paths = _local_paths(drop)
            if paths:
                drop.acceptProposedAction()
                self.import_paths(paths)
                return True
        return super().eventFilter(watched, event)


def _local_paths(event: QDropEvent) -> list[Path]:
    data = event.mimeData()
    if data is None or not data.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in data.urls() if url.isLocalFile()]
