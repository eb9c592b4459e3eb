"""Adding and changing a profile outside the form: every field, the same checks, and the cached
token dropped when a change makes it another client's token (the fingerprint rule, in
`Desk.save_profile`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.core.errors import ProfileError
from app.core.profiles import Profile
from app.desk.profile_fields import checked

if TYPE_CHECKING:
    from app.core.tokens import Token
    from app.desk.desk import Desk


def changed(profile: Profile, changes: dict[str, Any]) -> Profile:
    """`profile` with `changes`; giving a token URL clears the issuer URL and the other way
    round, since a profile has one of them."""
    values = dict(changes)
    if values.get("token_url"):
        values.setdefault("issuer_url", "")
    if values.get("issuer_url"):
        values.setdefault("token_url", "")
    return profile.with_changes(**values)


def _name_clash(desk: Desk, profile: Profile) -> None:
    wanted = profile.name.strip().casefold()
    if any(p.id != profile.id and p.name.casefold() == wanted for p in desk.profiles()):
        raise ProfileError(
            f"A profile named “{profile.name}” already exists.",
            "Choose another name, or change the existing one with “profile edit”.",
        )


async def add_profile(
    desk: Desk,
    profile: Profile,
    *,
    secret: str | None = None,
    private_key: str | None = None,
    check: bool = False,
) -> tuple[Profile, list[str], Token | None]:
    """Save a new profile and its secret. With `check`, a token is asked for first with these
    very settings, and nothing is saved (nor put in the keychain) when that fails."""
    warnings = checked(profile)
    _name_clash(desk, profile)
    if profile.auth_method.needs_secret and not secret:
        raise ProfileError("No client secret was given.", "Give it on standard input.")
    if profile.auth_method.needs_private_key and not private_key:
        raise ProfileError(
            f"{profile.auth_method} needs a private key.", "Give it with --private-key-file PEM."
        )
    token = None
    if check:
        token = await desk.try_profile(profile, secret=secret, private_key=private_key)
    saved = await desk.add_profile(profile, secret=secret, private_key=private_key)
    return saved, warnings, token


async def edit_profile(
    desk: Desk,
    profile: Profile,
    changes: dict[str, Any],
    *,
    secret: str | None = None,
    private_key: str | None = None,
) -> tuple[Profile, list[str]]:
    """Change only what is given; a new name must be free."""
    edited = changed(profile, changes)
    warnings = checked(edited)
    _name_clash(desk, edited)
    saved = await desk.save_profile(edited, secret=secret, private_key=private_key)
    return saved, warnings
