"""Profiles (non-secret fields only) in a versioned JSON file in the user config dir.

Several processes write this file (the window, `tokendesk profile add` in a terminal, a script),
so every change is read-modify-write under an OS file lock: the file is read afresh, the one
change is applied by profile id, and the result written. Nobody's profile is lost to someone
else's save. Writes are atomic (temp file, fsync, rename) and keep the previous file as
`profiles.json.bak`, itself written atomically. A file that cannot be read — corrupt, wrong in
shape, or written by a newer Tokendesk — is reported in plain words and never overwritten.

For the window: `revision()` changes whenever the file does (watch `path` with a file-system
watcher, then call `load()`, which re-reads only when the revision moved).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NoReturn

from app.core import safe_json
from app.core.errors import ProfileChangedError, ProfileError, ProfileStoreError
from app.core.profiles import Profile, new_profile_id

FILE_FORMAT = "tokendesk.profiles"
EXPORT_FORMAT = "tokendesk.profiles.export"
VERSION = 1
LOCK_TIMEOUT = 15.0
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_PROFILES = 100_000

Revision = tuple[int, int, int]


class ProfileStore:
    def __init__(self, config_dir: Path, *, lock_timeout: float = LOCK_TIMEOUT) -> None:
        self.path = config_dir / "profiles.json"
        self.backup_path = config_dir / "profiles.json.bak"
        self.lock_path = config_dir / "profiles.json.lock"
        self._lock_timeout = lock_timeout
        self._profiles: list[Profile] | None = None
        self._revision: Revision | None = None
        self._load_error: ProfileStoreError | None = None

    # Reading -------------------------------------------------------------------------------

    def revision(self) -> Revision:
        """Cheap (one stat): changes whenever the file is replaced or rewritten."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return (0, 0, 0)
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def load(self) -> list[Profile]:
        """All profiles, in the saved order, re-read when another process changed the file.
        Raises ProfileStoreError for an unreadable file."""
        revision = self.revision()
        if self._profiles is None or revision != self._revision:
            self._profiles = self._read()
            self._revision = revision
        return list(self._profiles)

    def _read(self) -> list[Profile]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            self._load_error = None
            return []
        except OSError as exc:
            self._fail(
                f"The profiles file {self.path} could not be read.",
                "Check its permissions, then restart Tokendesk.",
                str(exc),
            )
        profiles = self._parse(raw)
        self._load_error = None
        return profiles

    def _fail(self, message: str, hint: str, details: str) -> NoReturn:
        self._profiles = None
        self._load_error = ProfileStoreError(message, hint, details=details)
        raise self._load_error

    def _damaged(self, details: str) -> NoReturn:
        self._fail(
            f"The profiles file {self.path} is damaged and cannot be read.",
            f"Tokendesk left it untouched. Restore {self.backup_path.name} from the same "
            "folder, or move the damaged file away to start afresh.",
            details[:4000],
        )

    def _parse(self, raw: bytes) -> list[Profile]:
        if len(raw) > MAX_FILE_BYTES:
            self._damaged(f"{len(raw):,} bytes is far more than any profiles file")
        try:
            data = safe_json.loads(raw.decode("utf-8"))
        except ValueError as exc:  # not UTF-8, not JSON, or nested absurdly deep
            self._damaged(f"{type(exc).__name__}: {exc}")
        if not isinstance(data, dict) or data.get("format") != FILE_FORMAT:
            self._fail(
                f"{self.path} is not a Tokendesk profiles file.",
                "Tokendesk left it untouched; move it away to start afresh.",
                repr(data)[:500],
            )
        version = data.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version > VERSION:
            self._fail(
                "The profiles file was written by a newer version of Tokendesk "
                f"(format {str(version)[:20]}).",
                "Update Tokendesk to use these profiles; this version left the file untouched.",
                f"this version reads format {VERSION}",
            )
        entries = data.get("profiles", [])
        if not isinstance(entries, list) or len(entries) > MAX_PROFILES:
            self._damaged(f"“profiles” should be a list, not {type(entries).__name__}")
        profiles: list[Profile] = []
        for entry in entries:
            try:
                profiles.append(Profile.from_dict(entry))
            except ProfileError as exc:
                self._fail(
                    f"The profiles file {self.path} is damaged: {exc.message[:1].lower()}"
                    f"{exc.message[1:]}",
                    f"Tokendesk left it untouched. {exc.hint} Or restore {self.backup_path.name}.",
                    exc.details,
                )
        ids = [p.id for p in profiles]
        if len(set(ids)) != len(ids):
            self._damaged("two profiles have the same id")
        return profiles

    def get(self, profile_id: str) -> Profile | None:
        return next((p for p in self.load() if p.id == profile_id), None)

    def find(self, name: str) -> Profile | None:
        """A profile by display name (case-insensitive), as the CLI refers to them."""
        return _by_name(self.load(), name)

    # Writing: read-modify-write under the lock ----------------------------------------------

    def save(self, profile: Profile, *, base: Profile | None = None) -> None:
        """Add or replace (by id) one profile. With `base` (the profile as it was when the
        person started editing), a profile changed meanwhile by someone else raises
        ProfileChangedError instead of silently overwriting their change."""

        def change(profiles: list[Profile]) -> list[Profile]:
            index = next((i for i, p in enumerate(profiles) if p.id == profile.id), None)
            current = profiles[index] if index is not None else None
            if base is not None and current != base:
                raise ProfileChangedError(
                    f"The profile “{profile.name}” was changed or removed elsewhere (another "
                    "window or the command line) while you edited it.",
                    "Choose whose version to keep.",
                    current=current,
                )
            _check_name(profiles, profile)
            if index is None:
                return [*profiles, profile]
            return [*profiles[:index], profile, *profiles[index + 1 :]]

        self._update(change)

    def add_all(self, new: Iterable[Profile]) -> None:
        """Add several profiles in one write: all of them or, on any clash, none."""
        new = list(new)

        def change(profiles: list[Profile]) -> list[Profile]:
            merged = list(profiles)
            ids = {p.id for p in profiles}
            for profile in new:
                if profile.id in ids:
                    raise ProfileError(f"The profile “{profile.name}” is already there.", "")
                _check_name(merged, profile)
                merged.append(profile)
                ids.add(profile.id)
            return merged

        self._update(change)

    def save_all(self, chosen: Iterable[Profile]) -> None:
        """Add or replace (by id) several profiles in one write, merged with what the file holds
        now: all of them or, on a name clash, none. A profile another process added meanwhile
        is kept."""
        chosen = list(chosen)

        def change(profiles: list[Profile]) -> list[Profile]:
            by_id = {p.id: p for p in profiles}
            for profile in chosen:
                by_id[profile.id] = profile
            merged = list(by_id.values())
            names = [p.name.strip().casefold() for p in merged]
            repeated = next(
                (p.name for p, n in zip(merged, names, strict=True) if names.count(n) > 1), None
            )
            if repeated is not None:
                raise ProfileError(
                    f"Two profiles would be named “{repeated}”.", "Rename one of them first."
                )
            return merged

        self._update(change)

    def remove_all(self, ids: Iterable[str]) -> None:
        gone = set(ids)
        self._update(lambda profiles: [p for p in profiles if p.id not in gone])

    def remove(self, profile_id: str) -> None:
        self._update(lambda profiles: [p for p in profiles if p.id != profile_id])

    def _update(self, change: Callable[[list[Profile]], list[Profile]]) -> None:
        # Imported on the first write: the window reads the profiles before its first paint.
        from filelock import FileLock, Timeout

        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with FileLock(self.lock_path, timeout=self._lock_timeout):
                self._profiles = None
                profiles = self._read()  # afresh: another process may have written meanwhile
                updated = change(profiles)
                self._write(updated)
                self._profiles = updated
                self._revision = self.revision()
        except Timeout as exc:
            raise ProfileStoreError(
                "The profiles file is busy: another Tokendesk has held it for "
                f"{self._lock_timeout:.0f} seconds.",
                "Try again; if it keeps happening, close the other Tokendesk windows.",
                details=str(exc),
            ) from exc

    def _write(self, profiles: list[Profile]) -> None:
        document = {
            "format": FILE_FORMAT,
            "version": VERSION,
            "profiles": [p.to_dict() for p in profiles],
        }
        payload = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        try:
            remove_stale_temp_files(self.path.parent, self.path.name)
            remove_stale_temp_files(self.path.parent, self.backup_path.name)
            atomic_write(self.path, payload, backup=self.backup_path)
        except OSError as exc:
            raise ProfileStoreError(
                f"The profiles could not be saved to {self.path}.",
                "Check that the disk is not full and the folder is writable, then save again.",
                details=str(exc),
            ) from exc


def _by_name(profiles: Iterable[Profile], name: str) -> Profile | None:
    wanted = name.strip().casefold()
    return next((p for p in profiles if p.name.strip().casefold() == wanted), None)


def _check_name(profiles: list[Profile], profile: Profile) -> None:
    clash = _by_name(profiles, profile.name)
    if clash is not None and clash.id != profile.id:
        raise ProfileError(
            f"A profile named “{clash.name}” already exists.", "Choose another name."
        )


def _temp_files(folder: Path, name: str) -> list[Path]:
    return list(folder.glob(f".{name}.*.tmp"))


def remove_stale_temp_files(folder: Path, name: str, *, older_than: float = 0.0) -> None:
    """Temp files a killed writer left behind. Called under the lock, so none is in use."""
    now = time.time()
    for stale in _temp_files(folder, name):
        with contextlib.suppress(OSError):
            if now - stale.stat().st_mtime >= older_than:
                stale.unlink()


def _write_temp(path: Path, data: bytes) -> Path:
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return tmp


def atomic_write(path: Path, text: str, *, backup: Path | None = None) -> None:
    """Write `text` so that a crash leaves either the old or the new file, never half of one;
    the backup gets the same care (a kill -9 used to leave it empty or cut)."""
    tmp = _write_temp(path, text.encode("utf-8"))
    try:
        if backup is not None and path.exists():
            backup_tmp = _write_temp(backup, path.read_bytes())
            try:
                os.replace(backup_tmp, backup)
            except BaseException:
                with contextlib.suppress(OSError):
                    backup_tmp.unlink()
                raise
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


# Export / import (never with secrets) --------------------------------------------------------


def export_profiles(profiles: Iterable[Profile]) -> str:
    """JSON for sharing or backing up profiles. Secrets are not part of a Profile, so they cannot
    leak here; the importer is asked for them later."""
    document = {
        "format": EXPORT_FORMAT,
        "version": VERSION,
        "note": "Client secrets, private keys and tokens are not included.",
        "profiles": [{k: v for k, v in p.to_dict().items() if k != "id"} for p in profiles],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def import_profiles(text: str, existing: Iterable[Profile]) -> list[Profile]:
    """Profiles from an export, with fresh ids and names made unique against `existing`."""
    try:
        data: Any = safe_json.loads(text)
    except ValueError as exc:
        raise ProfileError(
            "That file is not a Tokendesk profile export (it is not valid JSON).",
            "Choose a file made with Export profiles.",
            details=str(exc),
        ) from exc
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise ProfileError(
            "That file is not a Tokendesk profile export.",
            "Choose a file made with Export profiles.",
        )
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version > VERSION:
        raise ProfileError(
            "That export was made by a newer version of Tokendesk.",
            "Update Tokendesk to import it.",
        )
    entries = data.get("profiles", [])
    if not isinstance(entries, list) or len(entries) > MAX_PROFILES:
        raise ProfileError(
            "That export is damaged: it has no list of profiles.",
            "Choose a file made with Export profiles.",
        )
    taken = {p.name.strip().casefold() for p in existing}
    imported: list[Profile] = []
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise ProfileError(
                f"That export is damaged: entry {number} is not a profile.",
                "Nothing was imported. Export the profiles again.",
            )
        try:
            profile = Profile.from_dict({**entry, "id": new_profile_id()})
        except ProfileError as exc:
            raise ProfileError(
                f"That export is damaged (entry {number}): {exc.message}",
                "Nothing was imported. Fix that entry, or export the profiles again.",
                details=exc.details,
            ) from None
        name, n = profile.name.strip() or "Imported profile", 2
        while name.casefold() in taken:
            name, n = f"{profile.name.strip()} ({n})", n + 1
        taken.add(name.casefold())
        imported.append(profile.with_changes(name=name))
    return imported
