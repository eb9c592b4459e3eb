"""Named environments of a profile (dev, staging, production): each overrides some of the
profile's fields and keeps everything else.

An empty override means "as the profile"; `scopes=None` likewise. `effective_profile` gives the
Profile to use in one environment, with an id of its own, so tokens and keychain entries (keyed by
profile id) are kept apart per environment without the token or secret code knowing about
environments at all.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.core.errors import ProfileError
from app.core.secrets import SecretKind, SecretStore

if TYPE_CHECKING:
    from app.core.profiles import Profile

ENV_SEPARATOR = "~"
_NAME = re.compile(r"[^\s~/\\][^~/\\]{0,63}")


@dataclass(frozen=True)
class Environment:
    """One environment's overrides. Secrets are not here: they live in the keychain under
    `environment_id(profile.id, name)`."""

    name: str
    token_url: str = ""
    issuer_url: str = ""
    client_id: str = ""
    # None: the profile's scopes; () would mean "no scope at all" in this environment.
    scopes: tuple[str, ...] | None = None
    audience: str = ""
    api_base_url: str = ""
    # Added to (and overriding) the profile's variables.
    variables: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name}
        for key in ("token_url", "issuer_url", "client_id", "audience", "api_base_url"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        if self.scopes is not None:
            data["scopes"] = list(self.scopes)
        if self.variables:
            data["variables"] = [list(v) for v in self.variables]
        return data

    @classmethod
    def from_dict(cls, data: Any) -> Environment:
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            raise TypeError("an environment needs a name")
        scopes = data.get("scopes")
        return cls(
            name=data["name"],
            token_url=str(data.get("token_url", "")),
            issuer_url=str(data.get("issuer_url", "")),
            client_id=str(data.get("client_id", "")),
            scopes=None if scopes is None else tuple(str(s) for s in scopes),
            audience=str(data.get("audience", "")),
            api_base_url=str(data.get("api_base_url", "")),
            variables=tuple((str(k), str(v)) for k, v in data.get("variables", [])),
        )


def environment_id(profile_id: str, env_name: str) -> str:
    """The id tokens and secrets of one environment are kept under."""
    return f"{profile_id}{ENV_SEPARATOR}{env_name}" if env_name else profile_id


def name_problems(environments: tuple[Environment, ...]) -> list[str]:
    """Environment names that are unusable or repeated, in plain words."""
    found: list[str] = []
    seen: set[str] = set()
    for env in environments:
        if not _NAME.fullmatch(env.name) or env.name != env.name.strip():
            found.append(
                f"“{env.name}” cannot be an environment name (up to 64 characters, no ~ / \\)."
            )
        elif env.name.casefold() in seen:
            found.append(f"Two environments are named “{env.name}”.")
        seen.add(env.name.casefold())
    return found


def find_environment(profile: Profile, env_name: str) -> Environment:
    wanted = env_name.strip().casefold()
    for env in profile.environments:
        if env.name.casefold() == wanted:
            return env
    names = ", ".join(e.name for e in profile.environments) or "none"
    raise ProfileError(
        f"The profile “{profile.name}” has no environment named “{env_name}”.",
        f"Choose one of its environments ({names}).",
    )


def effective_profile(profile: Profile, env_name: str | None) -> Profile:
    """The profile as used in `env_name` (None or "": the profile itself)."""
    if not env_name:
        return profile
    return apply_environment(profile, find_environment(profile, env_name))


def apply_environment(profile: Profile, env: Environment) -> Profile:
    changes: dict[str, Any] = {}
    if env.token_url or env.issuer_url:
        # Token URL and issuer are exclusive: an environment naming one replaces both.
        changes["token_url"] = env.token_url
        changes["issuer_url"] = env.issuer_url
    for key in ("client_id", "audience", "api_base_url"):
        if getattr(env, key):
            changes[key] = getattr(env, key)
    if env.scopes is not None:
        changes["scopes"] = env.scopes
    if env.variables:
        merged = dict(profile.variables)
        merged.update(env.variables)
        changes["variables"] = tuple(merged.items())
    return profile.with_changes(
        **changes,
        name=f"{profile.name} ({env.name})",
        id=environment_id(profile.id, env.name),
        environments=(),
    )


async def secret_variables(
    secrets: SecretStore, profile: Profile, env_name: str = ""
) -> dict[str, str]:
    """The secret {{variables}} an import put in the keychain for `profile` (and `env_name`'s
    own on top), to merge into the variables when sending."""
    values: dict[str, str] = {}
    for owner in dict.fromkeys([profile.id, environment_id(profile.id, env_name)]):
        stored = await secrets.get(owner, SecretKind.VARIABLES)
        if stored:
            values.update(json.loads(stored))
    return values
