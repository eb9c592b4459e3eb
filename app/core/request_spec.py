"""A request as the composer edits it (RequestSpec), and how it becomes an httpx.Request:
relative URLs against the API base, `{{variables}}`, query parameters kept in step with the URL,
and the body kinds people meet in API docs."""

from __future__ import annotations

import mimetypes
import re
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

from app.core import safe_json
from app.core.errors import ProfileError

if TYPE_CHECKING:
    import httpx

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
# Request bodies are the person's own: nest as deep as they like, short of what breaks a parser.
JSON_BODY_DEPTH = 200
VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}")


class BodyKind(StrEnum):
    NONE = "none"
    JSON = "json"
    FORM = "form"
    RAW = "raw"
    FILE = "file"


class AuthMode(StrEnum):
    PROFILE = "profile"  # the selected profile's token
    NONE = "none"  # some APIs take no token
    PASTED = "pasted"  # a token pasted for this request only


@dataclass(frozen=True)
class Row:
    """One line of a name/value table (query parameters, headers, form fields)."""

    name: str
    value: str
    enabled: bool = True


@dataclass(frozen=True)
class Body:
    kind: BodyKind = BodyKind.NONE
    text: str = ""  # JSON or raw text
    content_type: str = ""  # raw text's content type
    fields: tuple[Row, ...] = ()  # form fields
    file: str = ""  # a file's path


@dataclass(frozen=True)
class RequestSpec:
    method: str = "GET"
    url: str = ""
    headers: tuple[Row, ...] = ()
    body: Body = field(default_factory=Body)
    auth: AuthMode = AuthMode.PROFILE
    pasted_token: str = field(default="", repr=False)
    timeout: float = 30.0

    def with_changes(self, **changes: Any) -> RequestSpec:
        return replace(self, **changes)

    def to_dict(self, *, keep_pasted_token: bool = False) -> dict[str, Any]:
        data = asdict(self)
        if not keep_pasted_token:
            data["pasted_token"] = ""
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RequestSpec:
        body = data.get("body") or {}
        return cls(
            method=str(data.get("method", "GET")).upper(),
            url=str(data.get("url", "")),
            headers=tuple(Row(**r) for r in data.get("headers", [])),
            body=Body(
                kind=BodyKind(body.get("kind", "none")),
                text=str(body.get("text", "")),
                content_type=str(body.get("content_type", "")),
                fields=tuple(Row(**r) for r in body.get("fields", [])),
                file=str(body.get("file", "")),
            ),
            auth=AuthMode(data.get("auth", "profile")),
            pasted_token=str(data.get("pasted_token", "")),
            timeout=float(data.get("timeout", 30.0)),
        )


# URL <-> query table ------------------------------------------------------------------------


def split_query(url: str) -> tuple[str, list[Row]]:
    """The URL without its query, and the query as rows (order and repeats kept)."""
    base, _, query = url.partition("?")
    query, _, fragment = query.partition("#")
    rows = [Row(k, v) for k, v in parse_qsl(query, keep_blank_values=True)]
    return (f"{base}#{fragment}" if fragment else base), rows


def join_query(base: str, rows: list[Row] | tuple[Row, ...]) -> str:
    """The URL with the enabled rows as its query. `{{variables}}` stay readable."""
    base, _, fragment = base.partition("#")
    pairs = [(r.name, r.value) for r in rows if r.enabled and (r.name or r.value)]
    query = urlencode(pairs, safe="{}$:/@!*,;'()")
    url = f"{base}?{query}" if query else base
    return f"{url}#{fragment}" if fragment else url


# Variables -----------------------------------------------------------------------------------


def variables_in(text: str) -> list[str]:
    return list(dict.fromkeys(VARIABLE.findall(text)))


def substitute(text: str, variables: dict[str, str]) -> str:
    """Replace `{{name}}`; an unknown name is an error naming it, never a silent blank."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in variables:
            raise ProfileError(
                f"The variable {{{{{name}}}}} has no value.",
                "Give it a value in the profile's variables, or remove it from the request.",
            )
        return variables[name]

    return VARIABLE.sub(value, text)


# Building the request -------------------------------------------------------------------------


def resolve_url(url: str, api_base: str) -> str:
    """An absolute URL as is; a path (“/orders”, “orders?x=1”) against the profile's API base."""
    url = url.strip()
    if not url:
        raise ProfileError("Enter the address to call.", "Type a URL, or a path like /orders.")
    if urlsplit(url).scheme in {"http", "https"}:
        return url
    if re.match(r"^[a-z][a-z0-9+.-]*://", url, re.IGNORECASE):
        raise ProfileError(
            f"“{url}” is not a web address Tokendesk can call.", "Use http:// or https://."
        )
    if not api_base:
        if re.match(r"^[\w.-]+\.[a-z]{2,}(:\d+)?(/|$)", url, re.IGNORECASE):
            return "https://" + url  # "api.example.com/orders", as people paste it
        raise ProfileError(
            f"“{url}” is a path, but the profile has no API base URL.",
            "Enter the full URL (https://…), or set the API base URL in the profile.",
        )
    return urljoin(api_base.rstrip("/") + "/", url.lstrip("/"))


def encode_path(url: str) -> str:
    """Spaces and other characters people type into paths, percent-encoded."""
    split = urlsplit(url)
    path = quote(split.path, safe="/%:@!$&'()*+,;=-._~")
    return urlunsplit((split.scheme, split.netloc, path, split.query, split.fragment))


def build(
    spec: RequestSpec,
    *,
    api_base: str = "",
    variables: dict[str, str] | None = None,
    client: httpx.AsyncClient | None = None,
) -> httpx.Request:
    """The httpx.Request for `spec`, without the Authorization header (auth adds it). With a
    `client`, its default headers (User-Agent) are merged in, as for any request it sends."""
    import httpx  # on first use: the window paints before httpx loads

    variables = variables or {}
    url = encode_path(resolve_url(substitute(spec.url, variables), api_base))
    headers = [
        (substitute(r.name, variables).strip(), substitute(r.value, variables))
        for r in spec.headers
        if r.enabled and r.name.strip()
    ]
    names = {name.lower() for name, _ in headers}
    content: bytes | None = None
    body = spec.body
    if body.kind is BodyKind.JSON:
        text = substitute(body.text, variables)
        try:
            safe_json.loads(text, max_depth=JSON_BODY_DEPTH)
        except ValueError as exc:
            raise ProfileError(
                f"The JSON body is not valid JSON (line {getattr(exc, 'lineno', '?')}).",
                "Fix it, or choose “Raw text” if the API expects something else.",
                details=str(exc),
            ) from exc
        content = text.encode()
        default_type = "application/json"
    elif body.kind is BodyKind.FORM:
        pairs = [
            (substitute(r.name, variables), substitute(r.value, variables))
            for r in body.fields
            if r.enabled and r.name
        ]
        content = urlencode(pairs).encode()
        default_type = "application/x-www-form-urlencoded"
    elif body.kind is BodyKind.RAW:
        content = substitute(body.text, variables).encode()
        default_type = body.content_type or "text/plain; charset=utf-8"
    elif body.kind is BodyKind.FILE:
        path = Path(body.file).expanduser()
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise ProfileError(
                f"The file {path} could not be read.", "Choose the file again.", details=str(exc)
            ) from exc
        default_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if content is not None and "content-type" not in names:
        headers.append(("Content-Type", default_type))
    try:
        if client is not None:
            return client.build_request(spec.method.upper(), url, headers=headers, content=content)
        return httpx.Request(spec.method.upper(), url, headers=headers, content=content)
    except (httpx.InvalidURL, ValueError) as exc:
        raise ProfileError(
            f"“{url}” is not a usable address.", "Check the URL.", details=str(exc)
        ) from exc
