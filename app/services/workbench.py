"""The window's adapter to the application layer: `Desk` events become Qt signals."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.desk import Desk, events
from app.desk.views import TokenEvent


class Workbench(QObject):
    """Holds the `Desk` the controllers call, and re-announces its events as signals.

    Signals:
        profiles_changed(): the list of profiles or one of them changed.
        token_event(TokenEvent): a profile's token was loaded, fetched, pasted, forgotten,
            revoked, or a fetch failed (see core.token_manager.TokenEvent).
        keychain_checked(object, bool): the KeychainError (None when the OS keychain works), and
            whether secrets are being kept in memory for the session instead.
        history_changed(): a sent request was added to the history, or it was cleared.
        history_trouble(object): the HistoryError that keeps the history from being used (or
            says a damaged one was set aside); once per run.
        sandbox_started(str): the sandbox runs; the argument is its profile's id.
    """

    profiles_changed = Signal()
    history_changed = Signal()
    history_trouble = Signal(object)
    token_event = Signal(object)
    keychain_checked = Signal(object, bool)
    sandbox_started = Signal(str)

    def __init__(self, desk: Desk, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self._unsubscribe = desk.subscribe(self._relay)

    def _relay(self, event: events.Event) -> None:
        if isinstance(event, TokenEvent):
            self.token_event.emit(event)
        elif isinstance(event, events.ProfilesChanged):
            self.profiles_changed.emit()
        elif isinstance(event, events.HistoryChanged):
            self.history_changed.emit()
        elif isinstance(event, events.HistoryTrouble):
            self.history_trouble.emit(event.error)
        elif isinstance(event, events.KeychainChecked):
            self.keychain_checked.emit(event.error, event.in_memory)
        elif isinstance(event, events.SandboxStarted):
            self.sandbox_started.emit(event.profile_id)

    async def shutdown(self) -> None:
        self._unsubscribe()
        await self.desk.shutdown()
