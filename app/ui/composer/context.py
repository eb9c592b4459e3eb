"""What the composer's helpers read of the Requests tab: the chosen profile and its environment.
The Requests controller is the one that has them."""

from __future__ import annotations

from typing import Protocol

from app.core.profiles import Profile


class ComposerContext(Protocol):
    profile: Profile | None  # the chosen profile; consent that saves it puts the saved one here
    environment: str  # "" = the profile's own
