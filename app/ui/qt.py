"""Small typed helpers over PySide6 (its stubs reject inherited-property keyword arguments)."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QObject

Q = TypeVar("Q", bound=QObject)


def named(obj: Q, name: str) -> Q:
    """Set the objectName that tests, accessibility tools and stylesheets rely on."""
    obj.setObjectName(name)
    return obj
