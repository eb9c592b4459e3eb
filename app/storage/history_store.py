"""Request history and saved requests, in sqlite in the user data dir.

What is written is redacted first: no Authorization value, no pasted token, no secret-looking
header, query parameter or body field. History is for re-sending, never for keeping secrets.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

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
    def __init__(self, data_dir: Path, *, keep: int = 10_000) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / "history.sqlite3"
        self.keep = keep
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False)
        self._db.executescript(SCHEMA)
        self._migrate()
        self.path.chmod(0o600)

    def _migrate(self) -> None:
        with self._db:
            have = {row[1] for row in self._db.execute("PRAGMA table_info(saved)")}
            for name, declaration in SAVED_COLUMNS:
                if name not in have:
                    self._db.execute(f"ALTER TABLE saved ADD COLUMN {name} {declaration}")

    def close(self) -> None:
        with self._lock:
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
    ) -> int:
        clean = redact_spec(spec, secrets)
        with self._lock, self._db:
            cursor = self._db.execute(
                "INSERT INTO history (at, profile_id, profile_name, method, url, status,"
                " elapsed_ms, size, spec) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    time.time(),
                    profile_id,
                    profile_name,
                    spec.method,
                    redact_text(redact_url(url, secrets), (*secrets, spec.pasted_token)),
                    status,
                    elapsed_ms,
                    size,
                    json.dumps(clean.to_dict()),
                ),
            )
            self._db.execute(
                "DELETE FROM history WHERE id <= (SELECT id FROM history ORDER BY id DESC"
                " LIMIT 1 OFFSET ?)",
                (self.keep,),
            )
            return int(cursor.lastrowid or 0)

    def entries(self, limit: int = 500, offset: int = 0) -> list[HistoryEntry]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, at, profile_id, profile_name, method, url, status, elapsed_ms, size"
                " FROM history ORDER BY id DESC LIMIT ? OFFSET ?",
                (limit, offset),
            ).fetchall()
        return [HistoryEntry(*row) for row in rows]

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM history").fetchone()[0])

    def spec(self, entry_id: int) -> RequestSpec | None:
        with self._lock:
            row = self._db.execute("SELECT spec FROM history WHERE id = ?", (entry_id,)).fetchone()
        return RequestSpec.from_dict(json.loads(row[0])) if row else None

    def clear(self) -> None:
        with self._lock, self._db:
            self._db.execute("DELETE FROM history")
        with self._lock:
            self._db.execute("VACUUM")  # really gone from the file, not just unlinked

    # Saved requests ----------------------------------------------------------------------

    def save_request(
        self, profile_id: str, name: str, spec: RequestSpec, secrets: tuple[str, ...] = ()
    ) -> None:
        clean = redact_spec(spec, secrets)
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO saved (profile_id, name, spec, updated) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(profile_id, name) DO UPDATE SET spec = excluded.spec,"
                " updated = excluded.updated",
                (profile_id, name.strip(), json.dumps(clean.to_dict()), time.time()),
            )

    def saved(self, profile_id: str) -> list[SavedRequest]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, profile_id, name, spec, folder, note, imported FROM saved"
                " WHERE profile_id = ? ORDER BY name",
                (profile_id,),
            ).fetchall()
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
        with self._lock, self._db:
            old = {
                row[0]: (row[1], row[2], row[3])
                for row in self._db.execute(
                    "SELECT name, spec, folder, note FROM saved WHERE profile_id = ?"
                    " AND imported = 1",
                    (profile_id,),
                )
            }
            removed = sorted(set(old) - set(wanted))
            self._db.executemany(
                "DELETE FROM saved WHERE profile_id = ? AND name = ? AND imported = 1",
                [(profile_id, name) for name in removed],
            )
            now = time.time()
            self._db.executemany(
                "INSERT INTO saved (profile_id, name, spec, updated, folder, note, imported)"
                " VALUES (?, ?, ?, ?, ?, ?, 1) ON CONFLICT(profile_id, name) DO UPDATE SET"
                " spec = excluded.spec, updated = excluded.updated, folder = excluded.folder,"
                " note = excluded.note, imported = 1",
                [(profile_id, name, *row[:1], now, *row[1:]) for name, row in wanted.items()],
            )
        return ImportChanges(
            added=tuple(n for n in wanted if n not in old),
            changed=tuple(n for n in wanted if n in old and old[n] != wanted[n]),
            removed=tuple(removed),
        )

    def delete_saved(self, saved_id: int) -> None:
        with self._lock, self._db:
            self._db.execute("DELETE FROM saved WHERE id = ?", (saved_id,))

    def forget_profile(self, profile_id: str) -> None:
        """A deleted profile leaves nothing behind: its saved requests and its history."""
        with self._lock, self._db:
            self._db.execute("DELETE FROM saved WHERE profile_id = ?", (profile_id,))
            self._db.execute("DELETE FROM history WHERE profile_id = ?", (profile_id,))
