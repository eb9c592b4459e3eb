"""Request history and saved requests, in sqlite in the user data dir.

What is written is redacted first: no Authorization value, no pasted token, no secret-looking
header, query parameter or body field. History is for re-sending, never for keeping secrets.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from app.core import redact
from app.core.redact import SECRET_QUERY, redact_text
from app.core.request_spec import RequestSpec

SCHEMA = """
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    profile_id TEXT NOT NULL,
    profile_name TEXT NOT NULL,
    method TEXT NOT NULL,
    url TEXT NOT NULL,
    status INTEGER,
    elapsed_ms REAL,
    size INTEGER,
    spec TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS history_at ON history(at DESC);
CREATE TABLE IF NOT EXISTS saved (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    profile_id TEXT NOT NULL,
    name TEXT NOT NULL,
    spec TEXT NOT NULL,
    updated REAL NOT NULL,
    UNIQUE(profile_id, name)
);
"""
# Added after the first release: saved requests' folder and note, and whether an import made them
# (re-importing the same source replaces those, and leaves the person's own saved requests alone).
SAVED_COLUMNS = (
    ("folder", "TEXT NOT NULL DEFAULT ''"),
    ("note", "TEXT NOT NULL DEFAULT ''"),
    ("imported", "INTEGER NOT NULL DEFAULT 0"),
)
_ENTRIES = (
    "SELECT id, at, profile_id, profile_name, method, url, status, elapsed_ms, size"
    " FROM history ORDER BY id DESC"
)
T = TypeVar("T")
__all__ = ["SECRET_QUERY", "HistoryEntry", "HistoryStore", "SavedRequest", "redact_spec"]


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    at: float
    profile_id: str
    profile_name: str
    method: str
    url: str
    status: int | None
    elapsed_ms: float | None
    size: int | None


@dataclass(frozen=True)
class SavedRequest:
    id: int
    profile_id: str
    name: str
    spec: RequestSpec
    folder: tuple[str, ...] = ()
    note: str = ""
    imported: bool = False


@dataclass(frozen=True)
class ImportedRequest:
    """A saved request an import makes; `name` is unique within its profile."""

    name: str
    spec: RequestSpec
    folder: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class ImportChanges:
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


def redact_url(url: str, secrets: tuple[str, ...] = ()) -> str:
    return redact.redact_url(url, secrets)


def redact_spec(spec: RequestSpec, secrets: tuple[str, ...] = ()) -> RequestSpec:
    return redact.redact_request(spec, secrets)


class HistoryStore:
    """The history and the saved requests of one data dir.

    Writes go, in order, to one writer thread: `record()` returns at once, so a send never
    waits for the disk on the window's thread (the window's event loop is its GUI thread).
    The database is in WAL mode with synchronous=NORMAL: a commit appends to the WAL without
    an fsync (a crash may lose the last few entries, never corrupt the file). Reads use their
    own connection, which WAL lets run beside the writer, after the writes already queued have
    landed, so every caller reads what it wrote. `newest()` reads on the writer thread instead,
    for callers that must not wait at all.
    """

    def __init__(self, data_dir: Path, *, keep: int = 10_000) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / "history.sqlite3"
        self.keep = keep
        # SQLite gives the -wal and -shm files the database file's mode: make it 0600 before
        # SQLite first opens it, so no file holding history is ever readable by others.
        os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
        self.path.chmod(0o600)
        self._db = sqlite3.connect(self.path, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self._migrate()
        for suffix in ("-wal", "-shm"):  # left by an older version with another mode
            beside = Path(f"{self.path}{suffix}")
            if beside.exists():
                beside.chmod(0o600)
        self._reader = sqlite3.connect(self.path, check_same_thread=False)
        self._lock = threading.Lock()  # guards the reader connection
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="history-writer")
        self._last_write: Future[Any] | None = None

    def _migrate(self) -> None:
        with self._db:
            have = {row[1] for row in self._db.execute("PRAGMA table_info(saved)")}
            for name, declaration in SAVED_COLUMNS:
                if name not in have:
                    self._db.execute(f"ALTER TABLE saved ADD COLUMN {name} {declaration}")

    def _write(self, work: Callable[[sqlite3.Connection], T]) -> Future[T]:
        def run() -> T:
            with self._db:
                return work(self._db)

        future = self._writer.submit(run)
        self._last_write = future
        return future

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        last = self._last_write
        if last is not None:
            wait([last])  # one writer, in order: the last write done means all are done
        with self._lock:
            return self._reader.execute(sql, params).fetchall()

    def flush(self) -> None:
        """Wait until every write queued so far is on disk (in the WAL)."""
        self._write(lambda _db: None).result()

    def close(self) -> None:
        self._writer.shutdown(wait=True)
        with self._lock:
            self._reader.close()
            self._db.close()

    def record(
        self,
        *,
        profile_id: str,
        profile_name: str,
        spec: RequestSpec,
        url: str,
        status: int | None,
        elapsed_ms: float | None,
        size: int | None,
        secrets: tuple[str, ...] = (),
    ) -> Future[int]:
        """Queue one sent request; the future gives its id once written. Redacting, encoding
        and writing all happen on the writer thread (the spec is immutable)."""
        when = time.time()
        keep = self.keep

        def insert(db: sqlite3.Connection) -> int:
            row = (
                when,
                profile_id,
                profile_name,
                spec.method,
                redact_text(redact_url(url, secrets), (*secrets, spec.pasted_token)),
                status,
                elapsed_ms,
                size,
                json.dumps(redact_spec(spec, secrets).to_dict()),
            )
            cursor = db.execute(
                "INSERT INTO history (at, profile_id, profile_name, method, url, status,"
                " elapsed_ms, size, spec) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            new_id = int(cursor.lastrowid or 0)
            # Ids only rise, so the newest `keep` rows all have ids above new_id - keep: a
            # primary-key range delete touching only the row(s) falling out, not an OFFSET scan
            # of `keep` rows. (Rows of a deleted profile leave gaps: then fewer are kept.)
            db.execute("DELETE FROM history WHERE id <= ?", (new_id - keep,))
            return new_id

        return self._write(insert)

    def entries(self, limit: int = 500, offset: int = 0) -> list[HistoryEntry]:
        rows = self._read(f"{_ENTRIES} LIMIT ? OFFSET ?", (limit, offset))
        return [HistoryEntry(*row) for row in rows]

    def newest(self, limit: int = 1) -> Future[list[HistoryEntry]]:
        """The newest entries once the writes queued so far have landed, read on the writer
        thread: the caller's thread never waits (for the window, after a send)."""

        def read(db: sqlite3.Connection) -> list[HistoryEntry]:
            return [HistoryEntry(*row) for row in db.execute(f"{_ENTRIES} LIMIT ?", (limit,))]

        return self._write(read)

    def count(self) -> int:
        return int(self._read("SELECT COUNT(*) FROM history")[0][0])

    def spec(self, entry_id: int) -> RequestSpec | None:
        rows = self._read("SELECT spec FROM history WHERE id = ?", (entry_id,))
        return RequestSpec.from_dict(json.loads(rows[0][0])) if rows else None

    def clear(self) -> Future[None]:
        """Forget every entry, in the file too: VACUUM rewrites it without the freed pages,
        and a TRUNCATE checkpoint copies the WAL back and empties it (old pages would
        otherwise stay readable in the -wal file)."""

        def clear(db: sqlite3.Connection) -> None:
            db.execute("DELETE FROM history")
            db.commit()
            db.execute("VACUUM")
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

        return self._write(clear)

    # Saved requests ----------------------------------------------------------------------

    def save_request(
        self, profile_id: str, name: str, spec: RequestSpec, secrets: tuple[str, ...] = ()
    ) -> Future[None]:
        row = (profile_id, name.strip(), json.dumps(redact_spec(spec, secrets).to_dict()))

        def save(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT INTO saved (profile_id, name, spec, updated) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(profile_id, name) DO UPDATE SET spec = excluded.spec,"
                " updated = excluded.updated",
                (*row, time.time()),
            )

        return self._write(save)

    def saved(self, profile_id: str) -> list[SavedRequest]:
        rows = self._read(
            "SELECT id, profile_id, name, spec, folder, note, imported FROM saved"
            " WHERE profile_id = ? ORDER BY name",
            (profile_id,),
        )
        return [
            SavedRequest(
                row[0],
                row[1],
                row[2],
                RequestSpec.from_dict(json.loads(row[3])),
                tuple(json.loads(row[4])) if row[4] else (),
                row[5],
                bool(row[6]),
            )
            for row in rows
        ]

    def replace_imported(
        self,
        profile_id: str,
        requests: list[ImportedRequest],
        secrets: tuple[str, ...] = (),
    ) -> ImportChanges:
        """Make the profile's imported saved requests exactly `requests`, in one transaction.
        Saved requests the person made themselves are kept (one of the same name is replaced)."""
        wanted = {
            r.name.strip(): (
                json.dumps(redact_spec(r.spec, secrets).to_dict()),
                json.dumps(list(r.folder)) if r.folder else "",
                r.note,
            )
            for r in requests
        }

        def replace(db: sqlite3.Connection) -> dict[str, tuple[str, str, str]]:
            old = {
                row[0]: (row[1], row[2], row[3])
                for row in db.execute(
                    "SELECT name, spec, folder, note FROM saved WHERE profile_id = ?"
                    " AND imported = 1",
                    (profile_id,),
                )
            }
            db.executemany(
                "DELETE FROM saved WHERE profile_id = ? AND name = ? AND imported = 1",
                [(profile_id, name) for name in sorted(set(old) - set(wanted))],
            )
            now = time.time()
            db.executemany(
                "INSERT INTO saved (profile_id, name, spec, updated, folder, note, imported)"
                " VALUES (?, ?, ?, ?, ?, ?, 1) ON CONFLICT(profile_id, name) DO UPDATE SET"
                " spec = excluded.spec, updated = excluded.updated, folder = excluded.folder,"
                " note = excluded.note, imported = 1",
                [(profile_id, name, *row[:1], now, *row[1:]) for name, row in wanted.items()],
            )
            return old

        old = self._write(replace).result()  # one transaction, on the writer thread
        removed = sorted(set(old) - set(wanted))
        return ImportChanges(
            added=tuple(n for n in wanted if n not in old),
            changed=tuple(n for n in wanted if n in old and old[n] != wanted[n]),
            removed=tuple(removed),
        )

    def delete_saved(self, saved_id: int) -> Future[None]:
        def delete(db: sqlite3.Connection) -> None:
            db.execute("DELETE FROM saved WHERE id = ?", (saved_id,))

        return self._write(delete)

    def forget_profile(self, profile_id: str) -> Future[None]:
        """A deleted profile leaves nothing behind: its saved requests and its history."""

        def forget(db: sqlite3.Connection) -> None:
            db.execute("DELETE FROM saved WHERE profile_id = ?", (profile_id,))
            db.execute("DELETE FROM history WHERE profile_id = ?", (profile_id,))

        return self._write(forget)
