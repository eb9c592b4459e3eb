"""Finding a profile the way a person names it, and names that do not clash."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable

from app.core.errors import ProfileError
from app.core.profiles import Profile


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip()


def find_profile(profiles: list[Profile], query: str) -> Profile:
    """The exact name, the id, or a case-insensitive unique prefix; else a plain error that lists
    close matches."""
    wanted = _key(query)
    for match in (
        lambda p: p.name == query,
        lambda p: p.id == query,
        lambda p: _key(p.name) == wanted,
    ):
        found = [p for p in profiles if match(p)]
        if len(found) == 1:
            return found[0]
    prefixed = [p for p in profiles if wanted and _key(p.name).startswith(wanted)]
    if len(prefixed) == 1:
        return prefixed[0]
    if len(prefixed) > 1:
        names = ", ".join(f"“{p.name}”" for p in prefixed)
        raise ProfileError(
            f"“{query}” matches several profiles: {names}.", "Type more of the name."
        )
    close = difflib.get_close_matches(wanted, [_key(p.name) for p in profiles], n=3, cutoff=0.5)
    by_key = {_key(p.name): p.name for p in profiles}
    if close:
        hint = "Did you mean " + " or ".join(f"“{by_key[c]}”" for c in close) + "?"
    elif profiles:
        hint = "Profiles: " + ", ".join(p.name for p in profiles) + "."
    else:
        hint = "Add one with: tokendesk profile add NAME --token-url URL --client-id ID"
    raise ProfileError(f"There is no profile named “{query}”.", hint)


def unique_name(wanted: str, taken: Iterable[str], *, suffix: str = "copy") -> str:
    """`wanted` if free, else “wanted (copy)”, “wanted (copy 2)”, … (case-insensitive)."""
    names = {_key(n) for n in taken}
    if _key(wanted) not in names:
        return wanted
    name, n = f"{wanted} ({suffix})", 2
    while _key(name) in names:
        name, n = f"{wanted} ({suffix} {n})", n + 1
    return name
