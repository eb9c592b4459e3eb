"""What the composer's helpers read of the Requests tab: the chosen profile, its environment,
and the profile as used there. The Requests controller is the one that has it."""

from __future__ import annotations

from typing import Protocol

from app.core.profiles import Profile


class ComposerContext(Protocol):
    profile: Profile | None  # the chosen profile; consent that saves it puts the saved one here
    environment: str  # "" = the profile's own

    def sending(self) -> Profile | None:
        """The chosen profile as used in the chosen environment."""
        ...
