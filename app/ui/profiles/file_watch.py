"""Notices when another window or `tokendesk profile …` changes the profiles file.

The store replaces the file atomically (write a temp file, rename it over), so the watched inode
goes away with every save and Qt drops it from the watch list: the path is added again after
each change. The folder is watched too, for a file that does not exist yet or was just renamed
into place. Bursts of events (temp file, backup, rename) are folded into one `changed`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

SETTLE_MS = 150
APPEAR_POLL_MS = 2000


class ProfilesFileWatcher(QObject):
    """Signals:
    changed(): something in the profiles file's folder changed; re-read it (cheap if not).
    """

    changed = Signal()

    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self._watcher = QFileSystemWatcher(self)
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self._settled)
        # Until the folder exists (no profile saved yet) there is nothing to watch: look again.
        self._appear = QTimer(self)
        self._appear.setInterval(APPEAR_POLL_MS)
        self._appear.timeout.connect(self._look_for_folder)
        self._watcher.fileChanged.connect(self._touched)
        self._watcher.directoryChanged.connect(self._touched)
        self._watch()

    def stop(self) -> None:
        """The window is closing: no more reloads (the application layer is shutting down)."""
        self._settle.stop()
        self._appear.stop()
        self._watcher.blockSignals(True)
        self.blockSignals(True)

    def _watch(self) -> None:
        watched = set(self._watcher.files()) | set(self._watcher.directories())
        folder = self.path.parent
        if not folder.is_dir():
            self._appear.start()
            return
        if str(folder) not in watched:
            self._watcher.addPath(str(folder))
        if self.path.exists() and str(self.path) not in watched:
            self._watcher.addPath(str(self.path))

    def _look_for_folder(self) -> None:
        if self.path.parent.is_dir():
            self._appear.stop()
            self._settled()

    def _touched(self, _path: str) -> None:
        self._settle.start()

    def _settled(self) -> None:
        self._watch()  # the rename swapped the file: watch the new one
        self.changed.emit()
