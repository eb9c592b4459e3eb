"""Desk's history and saved-request use cases. A mixin so `Desk` stays one small class per
concern; the store writes on its own thread, so none of these waits for the disk."""

from __future__ import annotations

from concurrent.futures import Future
from typing import TYPE_CHECKING

from app.desk import events

if TYPE_CHECKING:
    from app.core.profiles import Profile
    from app.core.request_spec import RequestSpec
    from app.core.token_manager import TokenManager
    from app.storage.history_store import HistoryEntry, HistoryStore, SavedRequest


class HistoryUseCases:
    _tokens: TokenManager
    _hub: events.Hub

    @property
    def history(self) -> HistoryStore:
        raise NotImplementedError  # Desk provides it

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

    def save_request(self, profile: Profile, title: str, spec: RequestSpec) -> None:
        token = self._tokens.peek(profile.id)
        secrets = (token.access_token,) if token else ()
        self.history.save_request(profile.id, title, spec, secrets=secrets)

    def saved_requests(self, profile_id: str) -> list[SavedRequest]:
        return self.history.saved(profile_id)

    def delete_saved(self, saved_id: int) -> None:
        self.history.delete_saved(saved_id)
