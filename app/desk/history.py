"""Desk's history and saved-request use cases. A mixin so `Desk` stays one small class per
concern; the store writes on its own thread, so none of these waits for the disk."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING

from app.core.errors import HistoryError
from app.desk import events

if TYPE_CHECKING:
    from app.core.profiles import Profile
    from app.core.request_spec import RequestSpec
    from app.core.secrets import SecretStore
    from app.core.token_manager import TokenManager
    from app.desk.known_secrets import KnownSecrets
    from app.storage.history_store import HistoryEntry, HistoryStore, SavedRequest


log = logging.getLogger(__name__)


class HistoryUseCases:
    _tokens: TokenManager
    _hub: events.Hub
    _secrets: SecretStore
    _open_history: Callable[[], HistoryStore]
    _history: HistoryStore | None
    _history_trouble_said: bool
    _known_secrets: KnownSecrets

    @property
    def history(self) -> HistoryStore:
        """Opened on first use: `tokendesk token` and the window's first paint never need it."""
        if self._history is None:
            try:
                self._history = self._open_history()
            except HistoryError as exc:
                self._history_trouble(exc)
                raise
            if self._history.set_aside is not None:
                self._history_trouble(
                    HistoryError(
                        "The request history file was damaged, so a new history was started.",
                        f"The old file is kept as {self._history.set_aside}.",
                    )
                )
        return self._history

    def _history_trouble(self, error: HistoryError) -> None:
        log.warning("history: %s %s", error.message, error.details)
        if not self._history_trouble_said:
            self._history_trouble_said = True
            self._hub.emit(events.HistoryTrouble(error))

    def history_entries(self, limit: int = 500, offset: int = 0) -> list[HistoryEntry]:
        return self.history.entries(limit, offset)

    def history_newest(self, limit: int = 1) -> Future[list[HistoryEntry]]:
        """The newest entries once the writes queued so far have landed; never waits."""
        return self.history.newest(limit)

    def history_spec(self, entry_id: int) -> RequestSpec | None:
        return self.history.spec(entry_id)

    def clear_history(self) -> None:
        self.history.clear()
        self._hub.emit(events.HistoryChanged())

    async def save_request(self, profile: Profile, title: str, spec: RequestSpec) -> None:
        """Save `spec` under `title` for `profile`, every secret of the profile removed by value
        (its token, client secret, private key); returns once it is written."""
        token = self._tokens.peek(profile.id)
        own = await self._known_secrets.values(profile.id)
        secrets = (*((token.access_token,) if token else ()), *own)
        await asyncio.wrap_future(self.history.save_request(profile.id, title, spec, secrets))

    def saved_requests(self, profile_id: str) -> list[SavedRequest]:
        return self.history.saved(profile_id)

    def delete_saved(self, saved_id: int) -> None:
        self.history.delete_saved(saved_id)
