"""The application layer: every use case of Tokendesk written once, with no Qt.

The CLI and the window call `Desk` and nothing below it; results come back as return values and
as events (app/desk/events.py) that the window's `Workbench` turns into Qt signals.
"""

from app.desk.desk import Desk

__all__ = ["Desk"]
