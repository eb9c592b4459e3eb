"""Reading a profile from JSON someone else wrote (the profiles file, an export): every field's
type and range is checked, so a wrong value is "this profile cannot be read" at once rather than
a crash later (a `"ca_bundle": 5` used to be saved and then broke every token fetch).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any
from urllib.parse import urlsplit

MAX_TEXT = 64 * 1024  # a field longer than this is damage, not data
MAX_ITEMS = 1000
_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
_TEXT_FIELDS = (
    "name",
    "client_id",
    "token_url",
    "issuer_url",
    "audience",
    "api_base_url",
    "key_id",
    "ca_bundle",
    "notes",
    "import_source",
    "client_cert",
    "assertion_cert",
    "dpop_alg",
)
_LIST_FIELDS = ("scopes", "resources", "allowed_origins")
_PAIR_FIELDS = ("extra_params", "variables")
_FLAG_FIELDS = ("verify_tls", "auto_refresh", "auth_method_chosen", "mtls_bound", "dpop")
_CHOICE_FIELDS = ("auth_method", "basic_encoding")
# Every Profile field, so a test can prove none is read unchecked.
HANDLED = frozenset(
    {*_TEXT_FIELDS, *_LIST_FIELDS, *_PAIR_FIELDS, *_FLAG_FIELDS, *_CHOICE_FIELDS}
    | {"id", "environments"}
)
_URL_FIELDS = ("token_url", "issuer_url", "api_base_url")


class SchemaError(ValueError):
    """A field has the wrong type or is out of range; the message names it."""


def _text(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise SchemaError(f"{field} should be text, not {type(value).__name__}")
    if len(value) > MAX_TEXT:
        raise SchemaError(f"{field} is longer than {MAX_TEXT:,} characters")
    return value


def _texts(value: Any, field: str) -> tuple[str, ...]:
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        raise SchemaError(f"{field} should be a list of text")
    return tuple(_text(v, f"{field}[{i}]") for i, v in enumerate(value))


def _pairs(value: Any, field: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        raise SchemaError(f"{field} should be a list of [name, value] pairs")
    pairs = []
    for i, pair in enumerate(value):
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise SchemaError(f"{field}[{i}] should be a [name, value] pair")
        pairs.append((_text(pair[0], f"{field}[{i}]"), _text(pair[1], f"{field}[{i}]")))
    return tuple(pairs)


def _flag(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise SchemaError(f"{field} should be true or false")
    return value


_ENV_TEXT = ("name", "token_url", "issuer_url", "client_id", "audience", "api_base_url")


def _environments(value: Any) -> list[dict[str, Any]]:
    """Environments checked like the profile they override (see environments.py)."""
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        raise SchemaError("environments should be a list")
    checked = []
    for i, env in enumerate(value):
        where = f"environments[{i}]"
        if not isinstance(env, dict) or not isinstance(env.get("name"), str):
            raise SchemaError(f"{where} should be an object with a name")
        clean: dict[str, Any] = {k: _text(env[k], f"{where}.{k}") for k in _ENV_TEXT if k in env}
        if env.get("scopes") is not None:
            clean["scopes"] = list(_texts(env["scopes"], f"{where}.scopes"))
        if "variables" in env:
            clean["variables"] = [list(p) for p in _pairs(env["variables"], f"{where}.variables")]
        for name in ("token_url", "issuer_url", "api_base_url"):
            check_url_range(clean.get(name, ""), f"{where}.{name}")
        checked.append(clean)
    return checked


def check_url_range(value: str, field: str) -> None:
    """A URL whose port is out of range or whose host cannot be read is damage."""
    if not value:
        return
    try:
        port = urlsplit(value.strip()).port
    except ValueError as exc:
        raise SchemaError(f"{field} “{value[:100]}” has an invalid port or host: {exc}") from None
    if port == 0:
        raise SchemaError(f"{field} “{value[:100]}” has port 0")


def profile_fields(  # noqa: PLR0912 - one branch per kind of field
    data: Any, *, choices: Mapping[str, Collection[str]]
) -> dict[str, Any]:
    """Constructor arguments for Profile from stored JSON; unknown keys are ignored (a newer minor
    version may add some). Raises SchemaError naming the first bad field."""
    if not isinstance(data, dict):
        raise SchemaError(f"a profile should be an object, not {type(data).__name__}")
    for name in ("name", "client_id"):
        if name not in data:
            raise SchemaError(f"{name} is missing")
    values: dict[str, Any] = {}
    for name in _TEXT_FIELDS:
        if name in data:
            values[name] = _text(data[name], name)
    for name in _CHOICE_FIELDS:
        if name in data:
            value = _text(data[name], name)
            if value not in choices[name]:
                raise SchemaError(f"{name} “{value[:40]}” is not known")
            values[name] = value
    for name in _LIST_FIELDS:
        if name in data:
            values[name] = _texts(data[name], name)
    for name in _PAIR_FIELDS:
        if name in data:
            values[name] = _pairs(data[name], name)
    for name in _FLAG_FIELDS:
        if name in data:
            values[name] = _flag(data[name], name)
    if "environments" in data:
        values["environments"] = _environments(data["environments"])
    if "id" in data:
        if not isinstance(data["id"], str) or not _ID.fullmatch(data["id"]):
            raise SchemaError("id should be a short string of letters and digits")
        values["id"] = data["id"]
    for name in _URL_FIELDS:
        check_url_range(values.get(name, ""), name)
    for origin in values.get("allowed_origins", ()):
        check_url_range(origin, "allowed_origins")
    return values
