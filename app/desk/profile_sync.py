"""Desk's side of several writers on one profiles file (issue 10, item 4): where the file is,
so a front end can watch it, and a re-read that says whether anything changed. A mixin so
`Desk` stays one small class per concern.

Saving an edit with `base=` (the profile as it was loaded) is in `Desk.save_profile`: a profile
changed underneath raises ProfileChangedError (app/core/errors.py) carrying how it is now."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from app.desk import events

if TYPE_CHECKING:
    from app.core.profiles import Profile
    from app.storage.profile_store import ProfileStore


class ProfileSync:
    store: ProfileStore
    _hub: events.Hub
    _seen_profiles: list[Profile] | None = None

    @property
    def profiles_path(self) -> Path:
        """The file another window or `tokendesk profile …` writes; watch it for changes."""
        return self.store.path

    def refresh_profiles(self) -> bool:
        """Re-read the profiles file if it changed (cheap when it did not: one stat). True, and
        ProfilesChanged announced, when the profiles differ from the last refresh. Raises
        ProfileStoreError when another writer left a file this version cannot read."""
        profiles = self.store.load()
        if profiles == self._seen_profiles:
            return False
        first = self._seen_profiles is None
        self._seen_profiles = profiles
        if not first:
            self._hub.emit(events.ProfilesChanged())
        return not first
