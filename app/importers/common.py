"""What every format's reader shares: reading a file safely (size and depth capped, one plain
error instead of a traceback), telling secrets by name, and turning resolved settings per
environment into one Profile with environments."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

import yaml

from app.core.environments import Environment
from app.core.errors import ImportSourceError
from app.core.profiles import AuthMethod, Profile, split_scopes
from app.core.request_spec import VARIABLE, AuthMode
from app.importers.plan import PlannedSecret, SecretUse

MAX_BYTES = 20 * 1024 * 1024  # the largest vendor collections are a few MB
MAX_DEPTH = 100
VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_SECRET_WORDS = re.compile(
    r"secret|passw(or)?d|passwd|api[_-]?key|private[_-]?key|credential|token$|(^|[_.-])key$",
    re.IGNORECASE,
)
# "tokenUrl", "secretName", "keyId": about a secret, not one.
_NOT_SECRET = re.compile(r"(url|uri|endpoint|name|type|id|path|header)$", re.IGNORECASE)


def fail(path: Path | str, message: str, hint: str = "", details: str = "") -> NoReturn:
    raise ImportSourceError(
        message,
        hint or "Nothing was imported. Choose a Postman, Insomnia, Bruno or OpenAPI file.",
        details=f"{path}\n{details}".strip(),
    )


def read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            fail(
                path,
                f"{path.name} is too large to import ({size // (1024 * 1024)} MB; "
                f"the limit is {MAX_BYTES // (1024 * 1024)} MB).",
                "Nothing was imported. Split the collection, or export only what you need.",
            )
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        fail(path, f"{path.name} is not a text file.", details=str(exc))
    except OSError as exc:
        fail(path, f"{path} could not be read.", "Check that it exists and is readable.", str(exc))


def check_depth(data: Any, path: Path | str) -> None:
    """Refuse data nested deeper than any real collection, before recursive readers meet it."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            fail(path, f"{Path(path).name} is nested too deeply to be a real collection.")
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)


def parse_json(text: str, path: Path | str) -> Any:
    try:
        data = json.loads(text)
    except RecursionError:
        fail(path, f"{Path(path).name} is nested too deeply to be a real collection.")
    except ValueError as exc:
        fail(path, f"{Path(path).name} is damaged: it is not valid JSON.", details=str(exc))
    check_depth(data, path)
    return data


def parse_yaml(text: str, path: Path | str) -> Any:
    try:
        data = yaml.safe_load(text)
    except RecursionError:
        fail(path, f"{Path(path).name} is nested too deeply to be a real file of its kind.")
    except yaml.YAMLError as exc:
        fail(path, f"{Path(path).name} is damaged: it is not valid YAML.", details=str(exc))
    check_depth(data, path)
    return data


def is_secret_name(name: str) -> bool:
    return bool(_SECRET_WORDS.search(name)) and not _NOT_SECRET.search(name)


def one_client(
    current: dict[str, Any] | None,
    settings: dict[str, Any],
    *,
    title: str,
    container: str,
    warnings: list[str],
) -> dict[str, Any]:
    """One OAuth client per collection: the first client-credentials settings seen (Postman
    and Insomnia keys `accessTokenUrl`, `clientId`) become the profile's; a request naming
    another client is given that one, with a warning. Returns the collection's settings."""
    if current is None:
        return settings
    if (settings.get("accessTokenUrl"), settings.get("clientId")) != (
        current.get("accessTokenUrl"),
        current.get("clientId"),
    ):
        warnings.append(f"“{title}” uses another OAuth client; it was given the {container}'s one.")
    return current


def kept_without_token(kept: list[str], title: str, kind: str, grant: str) -> AuthMode:
    """Auth other than the client credentials grant: the request is imported sending no token,
    and `kept` lists it with its kind for the import summary."""
    if kind == "oauth2":
        kind = f"oauth2 {grant}".strip()
    kept.append(f"{title} ({kind})")
    return AuthMode.NONE


def resolve(text: str, variables: dict[str, str]) -> str:
    """`{{name}}` replaced where known (nested references too); unknown names are left as typed."""
    for _ in range(10):
        replaced = VARIABLE.sub(lambda m: variables.get(m.group(1), m.group(0)), text)
        if replaced == text:
            break
        text = replaced
    return text


def origin(url: str) -> str:
    split = urlsplit(url)
    if split.scheme in {"http", "https"} and split.netloc and "{{" not in split.netloc:
        return f"{split.scheme}://{split.netloc}"
    return ""


@dataclass
class Settings:
    """One environment's OAuth settings, variables already resolved."""

    token_url: str = ""
    client_id: str = ""
    client_secret: str = ""
    scope: str = ""
    audience: str = ""
    resources: tuple[str, ...] = ()
    auth_method: AuthMethod = AuthMethod.CLIENT_SECRET_BASIC
    api_base_url: str = ""
    variables: dict[str, str] = field(default_factory=dict)
    secret_variables: dict[str, str] = field(default_factory=dict)


def _usable(value: str) -> str:
    return "" if "{{" in value else value


def assemble(
    name: str, base: Settings, envs: list[tuple[str, Settings]], *, notes: str = ""
) -> tuple[Profile, tuple[PlannedSecret, ...], list[str]]:
    """The Profile (with environments) and its secrets. Where the collection itself leaves a field
    open (only environments set it), the first environment's value is the profile's own, so the
    profile works without choosing an environment."""
    warnings: list[str] = []
    first = envs[0][1] if envs else Settings()
    own = {
        key: _usable(getattr(base, key)) or _usable(getattr(first, key))
        for key in ("token_url", "client_id", "client_secret", "scope", "audience", "api_base_url")
    }
    if base.token_url and not own["token_url"]:
        warnings.append(f"The token URL “{base.token_url}” uses variables no environment sets.")
    merged = {**first.variables, **base.variables}
    variables = {k: v for k, v in merged.items() if VARIABLE_NAME.fullmatch(k)}
    dropped = sorted(set(merged) - set(variables))
    if dropped:
        warnings.append(
            "Variables with names Tokendesk cannot use were left out: " + ", ".join(dropped)
        )
    profile = Profile(
        name=name,
        client_id=own["client_id"],
        token_url=own["token_url"],
        auth_method=base.auth_method,
        scopes=split_scopes(own["scope"]),
        audience=own["audience"],
        resources=base.resources,
        api_base_url=own["api_base_url"],
        variables=tuple(variables.items()),
        notes=notes,
    )
    secrets = [PlannedSecret(SecretUse.CLIENT_SECRET, "client secret", own["client_secret"])]
    secrets += [PlannedSecret(SecretUse.VARIABLE, k, v) for k, v in base.secret_variables.items()]
    environments: list[Environment] = []
    for env_name, env in envs:
        changed = {
            key: value
            for key in ("token_url", "client_id", "audience", "api_base_url")
            if (value := _usable(getattr(env, key))) and value != own[key]
        }
        scope = _usable(env.scope)
        env_vars = tuple(
            (k, v)
            for k, v in env.variables.items()
            if VARIABLE_NAME.fullmatch(k) and variables.get(k) != v
        )
        environments.append(
            Environment(
                name=env_name,
                scopes=split_scopes(scope) if scope and scope != own["scope"] else None,
                variables=env_vars,
                **changed,
            )
        )
        secret = _usable(env.client_secret) or own["client_secret"]
        secrets.append(PlannedSecret(SecretUse.CLIENT_SECRET, "client secret", secret, env_name))
        secrets += [
            PlannedSecret(SecretUse.VARIABLE, k, v, env_name)
            for k, v in env.secret_variables.items()
        ]
    kept = tuple(s for s in secrets if s.value)
    return profile.with_changes(environments=tuple(environments)), kept, warnings


def oauth_settings(
    get: Callable[[str], str],
    *,
    secret_in_body: bool,
    api_url: str,
    own: dict[str, str],
    secret_names: set[str],
) -> Settings:
    """Settings for one layer of a Postman or Insomnia export: both name their client-credentials
    fields alike (`accessTokenUrl`, `clientId`, …); `get` reads one, variables resolved. `own`
    are the layer's variables; a secret used only as the client secret goes in once, as the
    client secret."""
    client_secret = get("clientSecret")
    return Settings(
        token_url=get("accessTokenUrl"),
        client_id=get("clientId"),
        client_secret=client_secret,
        scope=get("scope"),
        audience=get("audience"),
        resources=tuple(r for r in [get("resource")] if r),
        auth_method=AuthMethod.CLIENT_SECRET_POST
        if secret_in_body
        else AuthMethod.CLIENT_SECRET_BASIC,
        api_base_url=origin(api_url),
        variables={k: v for k, v in own.items() if k not in secret_names},
        secret_variables={
            k: v for k, v in own.items() if k in secret_names and v and v != client_secret
        },
    )
