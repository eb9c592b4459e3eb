"""Sending a saved request by name, for scripts: the composer's send, with the person's
variables and hosts given up front instead of asked for."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.core import binding
from app.core.errors import ConsentNeeded, ProfileError
from app.desk.lookup import _key

if TYPE_CHECKING:
    from app.core.api_response import ApiResponse
    from app.core.profiles import Profile
    from app.desk.desk import Desk
    from app.storage.history_store import SavedRequest


def find_saved(desk: Desk, profile: Profile, query: str) -> SavedRequest:
    """A saved request by exact title, or a unique case-insensitive prefix of it."""
    saved = desk.saved_requests(profile.id)
    for match in (lambda s: s.name == query, lambda s: _key(s.name) == _key(query)):
        found = [s for s in saved if match(s)]
        if len(found) == 1:
            return found[0]
    prefixed = [s for s in saved if _key(s.name).startswith(_key(query))]
    if len(prefixed) == 1:
        return prefixed[0]
    titles = ", ".join(f"“{s.name}”" for s in (prefixed or saved)) or "none yet"
    raise ProfileError(
        f"“{profile.name}” has no single saved request named “{query}”.",
        f"Saved requests: {titles}.",
    )


def _host_allowed(origin: str, hosts: list[str]) -> bool:
    split = binding.origin(origin).split("://", 1)[-1]
    host = split.rsplit(":", 1)[0] if not split.endswith("]") else split
    return any(h.lower() in {split.lower(), host.lower()} for h in hosts)


async def send_saved(
    desk: Desk,
    profile: Profile,
    title: str,
    *,
    variables: tuple[tuple[str, str], ...] = (),
    allow_hosts: list[str] | None = None,
    env: str | None = None,
) -> ApiResponse:
    """Send it in environment `env`; `variables` override every other value; the token goes
    to a host other than the profile's only when `allow_hosts` names it (else ConsentNeeded,
    as in the window)."""
    saved = find_saved(desk, profile, title)
    given = dict(variables)
    try:
        return await desk.send(profile, saved.spec, env=env, variables=given)
    except ConsentNeeded as exc:
        if not _host_allowed(exc.origin, allow_hosts or []):
            raise
        desk.consent(desk.in_environment(profile, env), exc.origin)
        return await desk.send(profile, saved.spec, env=env, variables=given)
