"""Counting a TokenManager's token endpoint calls from outside, the way the window learns of
them: each fetch ends in a "fetched" or a "failed" event. Tests and the bench use it; the
manager itself keeps no counter."""

from __future__ import annotations

from app.core.token_manager import TokenEvent, TokenManager

FETCH_OUTCOMES = frozenset({"fetched", "failed"})


class FetchCounter:
    """How many fetches `manager` finished since this counter subscribed."""

    def __init__(self, manager: TokenManager) -> None:
        self.count = 0
        self.unsubscribe = manager.subscribe(self._seen)

    def _seen(self, event: TokenEvent) -> None:
        if event.reason in FETCH_OUTCOMES:
            self.count += 1
