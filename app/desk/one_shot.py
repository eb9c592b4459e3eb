"""One token for a client given on the spot (a CI job): no profile saved, no keychain touched.

The secret lives in this process's memory for one request; the token is returned, not cached.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from app.core.client_auth import Credentials
from app.core.errors import ProfileError
from app.core.http_clients import HttpClients
from app.core.profiles import Profile
from app.core.secrets import SecretKind
from app.core.token_manager import TokenManager
from app.core.tokens import Token
from app.desk.profile_fields import checked


class _NoSecrets:
    """The SecretStore of a run that keeps nothing: reads find nothing, writes are dropped."""

    async def get(self, profile_id: str, kind: SecretKind) -> str | None:
        return None

    async def set(self, profile_id: str, kind: SecretKind, value: str) -> None:
        return None

    async def delete(self, profile_id: str, kind: SecretKind) -> None:
        return None

    async def delete_all(self, profile_id: str) -> None:
        return None


async def one_shot_token(
    profile: Profile,
    *,
    secret: str | None,
    private_key: str | None,
    clock: Callable[[], datetime],
    http: HttpClients | None = None,
) -> tuple[Token, list[str]]:
    """(the token, warnings about the settings). Same checks and errors as a saved profile."""
    warnings = checked(profile)
    if profile.auth_method.needs_secret and not secret:
        raise ProfileError(
            "No client secret was given.",
            "Pipe it on standard input, or name an environment variable with --secret-env.",
        )
    if profile.auth_method.needs_private_key and not private_key:
        raise ProfileError(
            f"{profile.auth_method} needs a private key.", "Give it with --private-key-file PEM."
        )
    own = http is None
    clients = http or HttpClients()
    try:
        tokens = TokenManager(clients, _NoSecrets(), clock=clock)
        token = await tokens.request(
            profile, Credentials(client_secret=secret, private_key=private_key)
        )
    finally:
        if own:
            await clients.aclose()
    return token, warnings
