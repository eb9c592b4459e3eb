"""Keep secrets out of anything a person or a file may see: error details, logs, history."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote_plus

REDACTED = "«redacted»"

SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key"}
)
SECRET_FIELDS = frozenset(
    {
        "client_secret",
        "client_assertion",
        "access_token",
        "refresh_token",
        "id_token",
        "token",
        "password",
        "assertion",
        "private_key",
        "subject_token",
        "actor_token",
    }
)

_BEARERISH = re.compile(r"(?i)\b(bearer|basic|dpop)\s+[A-Za-z0-9._~+/=-]+")
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")


def redact_header_value(name: str, value: str) -> str:
    if name.lower() not in SECRET_HEADERS:
        return value
    scheme, _, rest = value.partition(" ")
    if rest and scheme.lower() in {"bearer", "basic", "dpop", "token"}:
        return f"{scheme} {REDACTED}"
    return REDACTED


def redact_headers(headers: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple((name, redact_header_value(name, value)) for name, value in headers)


def redact_form(body: str) -> str:
    """The form body with secret fields replaced; the marker is left readable (urlencode would
    percent-encode it to %C2%AB…, whatever `safe` says: it only keeps ASCII)."""
    pairs = parse_qsl(body, keep_blank_values=True)
    return "&".join(
        f"{quote_plus(k)}={REDACTED if k in SECRET_FIELDS else quote_plus(v)}" for k, v in pairs
    )


def _redact_json_value(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {
            k: (REDACTED if k in SECRET_FIELDS and v else _redact_json_value(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_redact_json_value(v) for v in value]
    return value


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Redact a body of unknown shape: JSON fields by name, then known secret values, JWTs, bearer
    credentials anywhere in the text."""
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict | list):
        text = json.dumps(_redact_json_value(parsed), indent=2, ensure_ascii=False)
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    text = _JWT.sub(REDACTED, text)
    return _BEARERISH.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
