"""Starting the practice sandbox and the profile that points at it."""

from __future__ import annotations

from collections.abc import Iterable

from app.core.profiles import Profile
from app.desk.lookup import unique_name
from app.sandbox.sandbox import Sandbox

NOTES = (
    "Sandbox: a practice identity server and API inside Tokendesk, on this computer only. "
    "Its addresses change every time it starts."
)


async def start() -> Sandbox:
    sandbox = Sandbox()
    await sandbox.start()
    return sandbox


def sandbox_profile(
    sandbox: Sandbox, existing: Profile | None, taken: Iterable[str], profile_id: str
) -> Profile:
    info = sandbox.info
    name = existing.name if existing else unique_name("Sandbox", taken, suffix="practice")
    return Profile(
        id=profile_id,
        name=name,
        client_id=info.client_id,
        token_url=info.token_url,
        scopes=("items:read",),
        api_base_url=info.api_base,
        auto_refresh=existing.auto_refresh if existing else False,
        notes=NOTES,
    )
