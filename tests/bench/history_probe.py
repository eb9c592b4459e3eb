"""Open the history view over N stored entries, in its own process: seconds to fill the list.

python -m tests.bench.history_probe ENTRIES
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import tempfile
import time
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from app.core.request_spec import RequestSpec
from app.desk.wiring import open_desk
from app.services.workbench import Workbench
from app.storage.history_store import HistoryStore
from app.ui.composer.controller import RequestsController
from app.ui.composer.panel import RequestsPanel
from app.ui.prompter import DialogPrompter
from tests.support.memory_secrets import MemorySecretStore


def stored(data_dir: Path) -> int:
    """The entries on disk, read as any sqlite client would (the store offers no count)."""
    with closing(sqlite3.connect(data_dir / "history.sqlite3")) as db:
        return int(db.execute("SELECT COUNT(*) FROM history").fetchone()[0])


def main() -> int:
    entries = int(sys.argv[1])
    app = QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        history = HistoryStore(root / "data", keep=entries)
        spec = json.dumps(RequestSpec(url="/orders?page=1").to_dict())
        with history._db:
            history._db.executemany(
                "INSERT INTO history (at, profile_id, profile_name, method, url, status,"
                " elapsed_ms, size, spec) VALUES (?, 'p', 'Profile', 'GET', ?, 200, 12.5, 90, ?)",
                [
                    (time.time() - i, f"https://api.example.com/orders?page={i}", spec)
                    for i in range(entries)
                ],
            )
        history.close()
        desk = open_desk(
            root / "config",
            root / "data",
            secrets=MemorySecretStore(),
            clock=lambda: datetime.now(UTC),
        )
        workbench = Workbench(desk)
        panel = RequestsPanel()
        panel.show()
        started = time.perf_counter()
        controller = RequestsController(
            workbench,
            panel,
            prompter=DialogPrompter(panel),  # never asked: nothing here asks
            copy=lambda *_: None,
            notify=lambda _: None,
        )
        app.processEvents()
        opened = time.perf_counter() - started
        print(
            json.dumps(
                {
                    "entries": stored(root / "data"),
                    "open_s": opened,
                    "shown": panel.history.count(),
                }
            ),
            flush=True,
        )
        del controller
        history.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
