"""Profiles (non-secret fields only) in a versioned JSON file in the user config dir.

Writes are atomic (temp file, fsync, rename) and keep the previous file as `profiles.json.bak`.
A file that cannot be read — corrupt, or written by a newer Tokendesk — is reported in plain words
and never overwritten: saving is refused until the person has dealt with it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NoReturn

from app.core.errors import ProfileError, ProfileStoreError
from app.core.profiles import Profile, new_profile_id

FILE_FORMAT = "tokendesk.profiles"
EXPORT_FORMAT = "tokendesk.profiles.export"
VERSION = 1


class ProfileStore:
    def __init__(self, config_dir: Path) -> None:
        self.path = config_dir / "profiles.json"
        self.backup_path = config_dir / "profiles.json.bak"
        self._profiles: list[Profile] | None = None
        self._load_error: ProfileStoreError | None = None

    # Reading -------------------------------------------------------------------------------

    def load(self) -> list[Profile]:
        """All profiles, in the saved order. Raises ProfileStoreError for an unreadable file."""
        if self._profiles is not None:
            return list(self._profiles)
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self._profiles = []
            return []
        except OSError as exc:
            self._fail(
                f"The profiles file {self.path} could not be read.",
                "Check its permissions, then restart Tokendesk.",
                str(exc),
            )
        self._profiles = self._parse(text)
        return list(self._profiles)

    def _fail(self, message: str, hint: str, details: str) -> NoReturn:
        self._load_error = ProfileStoreError(message, hint, details=details)
        raise self._load_error

    def _parse(self, text: str) -> list[Profile]:
        try:
            data = json.loads(text)
        except ValueError as exc:
            self._fail(
                f"The profiles file {self.path} is damaged and cannot be read.",
                f"Tokendesk left it untouched. Restore {self.backup_path.name} from the same "
                "folder, or move the damaged file away to start afresh.",
                str(exc),
            )
        if not isinstance(data, dict) or data.get("format") != FILE_FORMAT:
            self._fail(
                f"{self.path} is not a Tokendesk profiles file.",
                "Tokendesk left it untouched; move it away to start afresh.",
                repr(data)[:500],
            )
        version = data.get("version")
        if not isinstance(version, int) or version > VERSION:
            self._fail(
                "The profiles file was written by a newer version of Tokendesk "
                f"(format {version}).",
                "Update Tokendesk to use these profiles; this version left the file untouched.",
                f"this version reads format {VERSION}",
            )
        profiles: list[Profile] = []
        for entry in data.get("profiles", []):
            try:
                profiles.append(Profile.from_dict(entry))
            except ProfileError as exc:
                self._fail(exc.message, exc.hint, exc.details)
        return profiles

    def get(self, profile_id: str) -> Profile | None:
        return next((p for p in self.load() if p.id == profile_id), None)

    def find(self, name: str) -> Profile | None:
        """A profile by display name (case-insensitive), as the CLI refers to them."""
        wanted = name.strip().casefold()
        return next((p for p in self.load() if p.name.strip().casefold() == wanted), None)

    # Writing -------------------------------------------------------------------------------

    def save(self, profile: Profile) -> None:
        """Add or replace (by id) one profile."""
        profiles = self.load()
        clash = self.find(profile.name)
        if clash is not None and clash.id != profile.id:
            raise ProfileError(
                f"A profile named “{clash.name}” already exists.", "Choose another name."
            )
        index = next((i for i, p in enumerate(profiles) if p.id == profile.id), None)
        if index is None:
            profiles.append(profile)
        else:
            profiles[index] = profile
        self._write(profiles)

    def replace_all(self, profiles: list[Profile]) -> None:
        """Write all profiles at once (an import adds and updates several, all or nothing)."""
        names = [p.name.strip().casefold() for p in profiles]
        repeated = next(
            (p.name for p, n in zip(profiles, names, strict=True) if names.count(n) > 1), None
        )
        if repeated is not None:
            raise ProfileError(
                f"Two profiles would be named “{repeated}”.", "Rename one of them first."
            )
        self._write(profiles)

    def remove(self, profile_id: str) -> None:
        self._write([p for p in self.load() if p.id != profile_id])

    def _write(self, profiles: list[Profile]) -> None:
        if self._load_error is not None:
            raise self._load_error
        document = {
            "format": FILE_FORMAT,
            "version": VERSION,
            "profiles": [p.to_dict() for p in profiles],
        }
        payload = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            atomic_write(self.path, payload, backup=self.backup_path)
        except OSError as exc:
            raise ProfileStoreError(
                f"The profiles could not be saved to {self.path}.",
                "Check that the disk is not full and the folder is writable, then save again.",
                details=str(exc),
            ) from exc
        self._profiles = list(profiles)


def atomic_write(path: Path, text: str, *, backup: Path | None = None) -> None:
    """Write `text` so that a crash leaves either the old or the new file, never half of one."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        if backup is not None and path.exists():
            shutil.copy2(path, backup)
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
        data: Any = json.loads(text)
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
    if not isinstance(data.get("version"), int) or data["version"] > VERSION:
        raise ProfileError(
            "That export was made by a newer version of Tokendesk.",
            "Update Tokendesk to import it.",
        )
    taken = {p.name.strip().casefold() for p in existing}
    imported: list[Profile] = []
    for entry in data.get("profiles", []):
        if not isinstance(entry, dict):
            continue
        profile = Profile.from_dict({**entry, "id": new_profile_id()})
        name, n = profile.name, 2
        while name.strip().casefold() in taken:
            name, n = f"{profile.name} ({n})", n + 1
        taken.add(name.casefold())
        imported.append(profile.with_changes(name=name))
    return imported
