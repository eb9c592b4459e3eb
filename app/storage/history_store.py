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
from app.core.errors import HistoryError
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


def _is_damage(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorname", "") in {"SQLITE_NOTADB", "SQLITE_CORRUPT"}


def _set_aside(path: Path) -> Path:
    """Rename the damaged file (and its WAL, which may hold the damage) out of the way, whole."""
    stamp = f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}"
    aside, n = path.with_name(stamp), 1
    while aside.exists():  # two in the same second: never over an earlier one
        n += 1
        aside = path.with_name(f"{stamp}~{n}")
    path.replace(aside)
    for suffix in ("-wal", "-shm"):
        beside = Path(f"{path}{suffix}")
        if beside.exists():
            beside.replace(Path(f"{aside}{suffix}"))
    return aside


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
        """Raises HistoryError when the file cannot be opened. One that is not a database at
        all is renamed aside whole (`set_aside`) and a new one started: a damaged history must
        not stop anyone from sending requests."""
        self.path = data_dir / "history.sqlite3"
        self.keep = keep
        self.set_aside: Path | None = None
        self._damaged = False
        self._closed = False
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            try:
                self._db = self._open()
            except sqlite3.DatabaseError as exc:
                if not _is_damage(exc):
                    raise
                self.set_aside = _set_aside(self.path)
                self._db = self._open()
            self._reader = sqlite3.connect(self.path, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise HistoryError(
                "The request history file cannot be opened.",
                f"Check that {data_dir} is a folder you can write to, with space left.",
                details=f"{self.path}: {exc}",
            ) from exc
        self._lock = threading.Lock()  # guards the reader connection
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="history-writer")
        self._last_write: Future[Any] | None = None

    def _open(self) -> sqlite3.Connection:
        # SQLite gives the -wal and -shm files the database file's mode: make it 0600 before
        # SQLite first opens it, so no file holding history is ever readable by others.
        os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
        self.path.chmod(0o600)
        db = sqlite3.connect(self.path, check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(SCHEMA)
            with db:
                have = {row[1] for row in db.execute("PRAGMA table_info(saved)")}
                for name, declaration in SAVED_COLUMNS:
                    if name not in have:
                        db.execute(f"ALTER TABLE saved ADD COLUMN {name} {declaration}")
        except sqlite3.Error:
            db.close()
            raise
        for suffix in ("-wal", "-shm"):  # left by an older version with another mode
            beside = Path(f"{self.path}{suffix}")
            if beside.exists():
                beside.chmod(0o600)
        return db

    def _failed(self, exc: sqlite3.Error) -> HistoryError:
        if _is_damage(exc):
            self._damaged = True  # set aside on close(): the next start begins a new one
            return HistoryError(
                "The request history file is damaged.",
                "Tokendesk will set it aside and start a new history the next time it starts.",
                details=f"{self.path}: {exc}",
            )
        return HistoryError(
            "The request history could not be written or read.",
            f"Check that {self.path.parent} can be written to and has space left.",
            details=f"{self.path}: {exc}",
        )

    def _check_open(self) -> None:
        if self._closed:
            raise HistoryError(
                "The request history is closed: Tokendesk is shutting down.",
                "Start Tokendesk again.",
            )

    def _write(self, work: Callable[[sqlite3.Connection], T]) -> Future[T]:
        self._check_open()

        def run() -> T:
            try:
                with self._db:
                    return work(self._db)
            except sqlite3.Error as exc:
                raise self._failed(exc) from exc

        future = self._writer.submit(run)
        self._last_write = future
        return future

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        self._check_open()
        last = self._last_write
        if last is not None:
            wait([last])  # one writer, in order: the last write done means all are done
        with self._lock:
            try:
                return self._reader.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise self._failed(exc) from exc

    def flush(self) -> None:
        """Wait until every write queued so far is on disk (in the WAL)."""
        self._write(lambda _db: None).result()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._writer.shutdown(wait=True)
        with self._lock:
            self._reader.close()
            self._db.close()
        if self._damaged:
            self.set_aside = _set_aside(self.path)

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
