"""The composition root for the window: the only place that wires real collaborators."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence


def has_display() -> bool:
    """Qt aborts with a misleading xcb message when there is no display; ask first."""
    if sys.platform != "linux":
        return True
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main(argv: Sequence[str] = ()) -> int:
    if not has_display():
        print(
            "tokendesk: there is no display to open the window on.\n"
            "What to do: run it from a desktop session, or use the command line "
            "(tokendesk --help), e.g. `tokendesk token NAME`.",
            file=sys.stderr,
        )
        return 2
    print(
        "tokendesk: the window is not built yet; use the command line (tokendesk --help).",
        file=sys.stderr,
    )
    return 2
