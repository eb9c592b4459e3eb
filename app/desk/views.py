"""Read models the window and the CLI show. They carry data, never a store or a manager."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.errors import TokendeskError
from app.core.token_manager import TokenEvent
from app.core.tokens import Token, TokenState
from app.storage.history_store import HistoryEntry, SavedRequest

__all__ = ["HistoryEntry", "SavedRequest", "TokenEvent", "TokenView"]


@dataclass(frozen=True)
class TokenView:
    """What a widget needs to show a profile's token."""

    token: Token | None
    state: TokenState
    error: TokendeskError | None
