"""What the application layer announces. Kinds are types (httpx's lesson), not string tags."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.core.errors import HistoryError, KeychainError
from app.core.token_manager import TokenEvent


@dataclass(frozen=True)
class ProfilesChanged:
    """The list of profiles, or one of them, changed."""


@dataclass(frozen=True)
class HistoryChanged:
    """A sent request was added to the history, or the history was cleared."""


@dataclass(frozen=True)
class HistoryTrouble:
    """The history file could not be used (or was damaged and set aside): said once per run.
    Requests still go out; only their history entries are missing."""

    error: HistoryError


@dataclass(frozen=True)
class KeychainChecked:
    """`error` is None when the OS keychain works; `in_memory` says secrets live in memory."""

    error: KeychainError | None
    in_memory: bool = False


@dataclass(frozen=True)
class SandboxStarted:
    profile_id: str


Event = (
    ProfilesChanged
    | HistoryChanged
    | HistoryTrouble
    | KeychainChecked
    | SandboxStarted
    | TokenEvent
)
Listener = Callable[[Event], None]


class Hub:
    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def emit(self, event: Event) -> None:
        for listener in list(self._listeners):
            listener(event)
