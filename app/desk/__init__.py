"""The application layer: every use case of Tokendesk written once, with no Qt.

The CLI and the window call `Desk` and nothing below it; results come back as return values and
as events (app/desk/events.py) that the window's `Workbench` turns into Qt signals.

`Desk` is loaded on first use, so a light use case (app/desk/cached_token.py) can be imported
without the engine behind Desk (asyncio, the token manager, the OAuth client).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.desk.desk import Desk


def __getattr__(name: str) -> Any:
    if name == "Desk":
        from app.desk.desk import Desk

        return Desk
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Desk"]
