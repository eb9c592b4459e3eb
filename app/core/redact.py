"""Keep secrets out of anything a person or a file may see: error details, logs, history."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, unquote, urlencode, urlsplit, urlunsplit

from app.core import safe_json
from app.core.request_spec import Body, BodyKind, RequestSpec, Row

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


SECRET_QUERY = SECRET_FIELDS | {"api_key", "apikey", "key", "sig", "signature", "code"}
# Shorter values would blank out ordinary words; no real secret or token is this short.
MIN_SECRET_LENGTH = 4


def secret_forms(secrets: Iterable[str]) -> list[str]:
    """Every spelling a known secret takes on the way out: as is, percent-encoded in a path or
    query, form-encoded; longest first, so a value is never half replaced."""
    forms: set[str] = set()
    for secret in secrets:
        if secret and len(secret) >= MIN_SECRET_LENGTH:
            forms |= {secret, quote(secret, safe=""), quote_plus(secret), quote(secret)}
            forms.add(json.dumps(secret, ensure_ascii=False)[1:-1])  # inside a JSON string
    return sorted(forms, key=len, reverse=True)


def redact_values(text: str, secrets: Iterable[str]) -> str:
    """`text` with every known secret value replaced, wherever and under whatever name it is."""
    for form in secret_forms(secrets):
        text = text.replace(form, REDACTED)
    return text


def redact_url(url: str, secrets: Iterable[str] = ()) -> str:
    """Known secret values anywhere (path, query, fragment), secret-named query parameters and
    the password in user:password@ all redacted."""
    secrets = tuple(secrets)
    text = redact_values(url, secrets)
    if unquote(text) != text and redact_values(unquote(text), secrets) != unquote(text):
        # encoded some other way (only some characters escaped): redact the decoded form
        text = redact_values(unquote(text), secrets)
    split = urlsplit(text)
    netloc = split.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        user, colon, _ = userinfo.partition(":")
        netloc = f"{user}:{REDACTED}@{hostport}" if colon else netloc
    query = split.query
    if query:
        pairs = [
            (k, REDACTED if k.lower() in SECRET_QUERY else v)
            for k, v in parse_qsl(query, keep_blank_values=True)
        ]
        # urlencode's `safe` keeps ASCII only: put the readable marker back.
        query = urlencode(pairs, safe="{}$:/").replace(quote_plus(REDACTED), REDACTED)
    if netloc == split.netloc and query == split.query:
        return text
    return urlunsplit(split._replace(netloc=netloc, query=query))


def redact_header_value(name: str, value: str) -> str:
    if name.lower() not in SECRET_HEADERS:
        return value
    scheme, _, rest = value.partition(" ")
    if rest and scheme.lower() in {"bearer", "basic", "dpop", "token"}:
        return f"{scheme} {REDACTED}"
    return REDACTED


def redact_headers(headers: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple((name, redact_header_value(name, value)) for name, value in headers)


def redact_form(body: str, secrets: Iterable[str] = ()) -> str:
    """The form body with secret fields and known secret values replaced; the marker is left
    readable (urlencode would percent-encode it to %C2%AB…, whatever `safe` says: it only keeps
    ASCII)."""
    pairs = parse_qsl(body, keep_blank_values=True)
    forms = secret_forms(secrets)

    def shown(name: str, value: str) -> str:
        if name in SECRET_FIELDS or value in forms:
            return REDACTED
        return redact_values(quote_plus(value), forms)

    return "&".join(f"{quote_plus(k)}={shown(k, v)}" for k, v in pairs)


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
        parsed = safe_json.loads(text)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict | list):
        text = json.dumps(_redact_json_value(parsed), indent=2, ensure_ascii=False)
    text = redact_values(text, secrets)
    text = _JWT.sub(REDACTED, text)
    return _BEARERISH.sub(lambda m: f"{m.group(1)} {REDACTED}", text)


def _secret_header_name(name: str) -> bool:
    lowered = name.lower()
    return lowered in SECRET_HEADERS or "token" in lowered or "secret" in lowered


def redact_request(spec: RequestSpec, secrets: Iterable[str] = ()) -> RequestSpec:
    """The request as it may be written down (history, saved requests): secret-named headers,
    fields and parameters blanked, and every known secret VALUE (the profile's token, a pasted
    token, the client secret) removed wherever it sits: URL path or query, any header, form
    field or body. The pasted token itself is always one of them."""
    known = secret_forms([*secrets, spec.pasted_token])
    headers = tuple(
        Row(r.name, REDACTED, r.enabled)
        if _secret_header_name(r.name)
        else Row(redact_values(r.name, known), redact_text(r.value, known), r.enabled)
        for r in spec.headers
    )
    body = spec.body
    if body.kind in (BodyKind.JSON, BodyKind.RAW):
        # redact_text pretty-prints JSON it rewrites; keep bodies as typed when nothing changed.
        redacted = redact_text(body.text, known)
        text = redacted if redacted != body.text else body.text
        body = Body(body.kind, text, body.content_type)
    elif body.kind is BodyKind.FORM:
        body = Body(
            body.kind,
            fields=tuple(
                Row(
                    r.name,
                    REDACTED if r.name.lower() in SECRET_FIELDS else redact_values(r.value, known),
                    r.enabled,
                )
                for r in body.fields
            ),
        )
    elif body.kind is BodyKind.FILE:
        body = Body(body.kind, file=redact_values(body.file, known))
    return spec.with_changes(
        url=redact_url(spec.url, known), headers=headers, body=body, pasted_token=""
    )
