"""Read models the window and the CLI show. They carry data, never a store or a manager."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.errors import TokendeskError
from app.core.token_manager import TokenEvent
from app.core.tokens import Token, TokenState
from app.storage.history_store import HistoryEntry, SavedRequest

__all__ = ["CurlCopy", "HistoryEntry", "SavedRequest", "TokenEvent", "TokenView"]


@dataclass(frozen=True)
class TokenView:
    """What a widget needs to show a profile's token."""

    token: Token | None
    state: TokenState
    error: TokendeskError | None


@dataclass(frozen=True)
class CurlCopy:
    """A request as a curl command. `sensitive`: it holds a real token (the clipboard forgets
    it after a while); `what` names it for the "Copied …" line; `notes` say what the command
    cannot carry or how long it works."""

    text: str
    what: str
    sensitive: bool
    notes: tuple[str, ...] = ()
