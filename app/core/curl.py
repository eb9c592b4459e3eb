"""curl commands both ways: copy a request as curl (the token as $TOKEN unless the person asks
for the real value), and turn the curl examples API docs are full of into a request."""

from __future__ import annotations

import base64
import json
import re
import shlex
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote_plus

from app.core import safe_json, shell_words
from app.core.errors import ProfileError
from app.core.request_spec import (
    JSON_BODY_DEPTH,
    AuthMode,
    Body,
    BodyKind,
    RequestSpec,
    Row,
    build,
)
from app.core.tokens import B64TOKEN

if TYPE_CHECKING:
    import httpx

TOKEN_PLACEHOLDER = "$TOKEN"
# How docs write "your token here".
_PLACEHOLDER = re.compile(
    r"^(\$\{?\w*token\w*\}?|\{\{?\s*[\w.-]*\s*\}?\}|<[^>]*>|\[[^\]]*\]|your[_-]?\w*|x{3,}|\.\.\.|…)$",
    re.IGNORECASE,
)


def is_placeholder(token: str) -> bool:
    """A docs placeholder where a token goes (`<YOUR_TOKEN>`, `XXX`, `{{token}}`, `$TOKEN`):
    the import uses the profile's token for it. Placeholders are short; the length check also
    keeps the pattern from backtracking over a 78 KB value (it froze the window for 13 s)."""
    return len(token) <= 80 and _PLACEHOLDER.match(token) is not None


def _quote(value: str) -> str:
    """Single quotes as shlex does; a value with line breaks or control characters in bash's
    $'…' instead, so the command stays one line per option and no line of it ends in a
    character a Windows or PowerShell continuation reads (`^`, a backtick)."""
    if not any(ord(c) < 0x20 or c == "\x7f" for c in value):
        return shlex.quote(value)
    escaped = "".join(
        {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\t": "\\t"}.get(c)
        or (f"\\x{ord(c):02x}" if ord(c) < 0x20 or c == "\x7f" else c)
        for c in value
    )
    return f"$'{escaped}'"


def to_curl(
    request: httpx.Request,
    *,
    authorization: str | None,
    file: str = "",
    dpop: str = "",
    ca_bundle: str = "",
    insecure: bool = False,
) -> str:
    """`authorization` is the header value to show (e.g. "Bearer $TOKEN"), or None for none;
    `dpop` a DPoP proof made for this very request (RFC 9449), or "" for none. `ca_bundle` and
    `insecure` carry the profile's TLS settings, so the command trusts what Tokendesk trusts."""
    parts = ["curl", *_tls_options(ca_bundle, insecure=insecure)]
    if request.method != "GET" or request.content or file:
        # curl turns a request with a body into a POST unless told otherwise.
        parts += ["-X", shlex.quote(request.method)]
    parts.append(shlex.quote(str(request.url)))
    lines = [" ".join(parts)]
    skip = {
        "host",
        "content-length",
        "accept-encoding",
        "connection",
        "user-agent",
        "authorization",
    }
    for name, value in request.headers.multi_items():
        if name.lower() not in skip:
            lines.append(f"-H {shlex.quote(f'{_title(name)}: {value}')}")
    if authorization:
        header = f"Authorization: {authorization}"
        # The shell expands $TOKEN and nothing else: everything around it stays single-quoted,
        # whatever a server put in the token type. A real value is single-quoted whole.
        if TOKEN_PLACEHOLDER in authorization:
            before, _, after = header.partition(TOKEN_PLACEHOLDER)
            if not any(c in before + after for c in '$`"\\!\n'):
                lines.append(f'-H "{header}"')  # the familiar spelling, when it is safe
            else:
                quoted = shlex.quote(before) + f'"{TOKEN_PLACEHOLDER}"'
                lines.append(f"-H {quoted}{shlex.quote(after) if after else ''}")
        else:
            lines.append(f"-H {shlex.quote(header)}")
    if dpop:
        lines.append(f"-H {shlex.quote(f'DPoP: {dpop}')}")
    if file:
        lines.append(f"--data-binary @{shlex.quote(file)}")
    elif request.content:
        lines.append(f"--data-raw {_quote(request.content.decode('utf-8', 'replace'))}")
    return " \\\n  ".join(lines)


def _tls_options(ca_bundle: str, *, insecure: bool) -> list[str]:
    options = ["--cacert", shlex.quote(ca_bundle)] if ca_bundle else []
    return [*options, "--insecure"] if insecure else options


def _title(name: str) -> str:
    return "-".join(part[:1].upper() + part[1:] for part in name.split("-"))


_IGNORED_WITH_VALUE = {
    "-o",
    "--output",
    "-w",
    "--write-out",
    "-m",
    "--max-time",
    "--connect-timeout",
    "--retry",
    "-c",
    "--cookie-jar",
    "--cacert",
    "--cert",
    "--key",
    "-x",
    "--proxy",
    "--resolve",
}
_IGNORED = {
    "-s",
    "--silent",
    "-S",
    "--show-error",
    "-L",
    "--location",
    "-k",
    "--insecure",
    "-i",
    "--include",
    "-v",
    "--verbose",
    "--compressed",
    "-f",
    "--fail",
    "-g",
    "--globoff",
    "--http1.1",
    "--http2",
    "-N",
    "--no-buffer",
}
_DATA = {"-d", "--data", "--data-ascii", "--data-raw", "--data-binary", "--data-urlencode"}
# Short options that take a value, which curl also accepts attached: -XDELETE, -H'X: 1', -d@f.
_SHORT_WITH_VALUE = {"-X", "-H", "-d", "-u", "-A", "-b", "-e", "-F", "-o", "-w", "-m", "-c", "-x"}
_MAX_COMMAND = 4 * 1024 * 1024


def _join_continuations(text: str) -> str:
    text = text.strip()
    text = re.sub(r"\^\r?\n", " ", text)  # Windows cmd
    text = re.sub(r"`\r?\n", " ", text)  # PowerShell
    return text.replace("\r\n", "\n")


def _data_item(option: str, value: str) -> tuple[str, bool]:
    """(the body text one data option contributes, whether it names a file to read), by curl's
    rules: "@path" is a file for -d/--data-binary, but --data-raw takes "@" literally."""
    if option in {"--data-raw", "--json"}:
        return value, False
    if option == "--data-urlencode":
        if "=" in value:
            name, _, content = value.partition("=")
            return (f"{name}={quote_plus(content)}" if name else quote_plus(content)), False
        return (value, True) if value.startswith("@") else (quote_plus(value), False)
    return value, value.startswith("@")


def from_curl(text: str) -> RequestSpec:  # noqa: PLR0912, PLR0915 - one branch per curl option
    """A RequestSpec from a curl command line. A token in the example becomes "use the profile's
    token" when it is a placeholder, or a pasted token when it looks real."""
    if len(text) > _MAX_COMMAND:
        raise ProfileError(
            "That curl command is too long to import.", "Paste a command under 4 MB."
        )
    try:
        words = shell_words.split(_join_continuations(text))
    except ValueError as exc:
        raise ProfileError(
            "That curl command could not be read (a quote is not closed).",
            "Paste the whole command, from “curl” to its last line.",
            details=str(exc),
        ) from exc
    if words and words[0] in {"$", ">"}:
        words = words[1:]
    if not words or words[0] != "curl":
        raise ProfileError(
            "That is not a curl command.", "Paste a command that starts with “curl”."
        )
    method = ""
    url = ""
    headers: list[Row] = []
    data: list[tuple[str, bool]] = []
    use_get = False
    json_flag = False
    i = 1
    while i < len(words):
        word = words[i]
        value = words[i + 1] if i + 1 < len(words) else ""
        if word[:2] in _SHORT_WITH_VALUE and len(word) > 2 and not word.startswith("--"):
            words[i : i + 1] = [word[:2], word[2:]]
            continue
        flag, eq, inline = word.partition("=")
        if (
            eq
            and flag.startswith("--")
            and flag in _DATA | {"--header", "--request", "--url", "--user", "--json"}
        ):
            word, value, step = flag, inline, 1
        else:
            step = 2
        if word in ("-X", "--request"):
            method = value.upper()
        elif word in ("-H", "--header"):
            name, _, header_value = value.partition(":")
            headers.append(Row(name.strip(), header_value.strip()))
        elif word in _DATA:
            data.append(_data_item(word, value))
        elif word == "--json":
            data.append(_data_item(word, value))
            json_flag = True
        elif word in ("-u", "--user"):
            encoded = base64.b64encode(value.encode()).decode()
            headers.append(Row("Authorization", f"Basic {encoded}"))
        elif word in ("-A", "--user-agent"):
            headers.append(Row("User-Agent", value))
        elif word in ("-b", "--cookie"):
            headers.append(Row("Cookie", value))
        elif word in ("-e", "--referer"):
            headers.append(Row("Referer", value))
        elif word == "--url":
            url = value
        elif word in ("-G", "--get"):
            use_get, step = True, 1
        elif word in ("-F", "--form"):
            raise ProfileError(
                "Multipart form uploads (curl -F) are not supported yet.",
                "Use a form or file body in the composer instead.",
            )
        elif word in _IGNORED_WITH_VALUE:
            pass
        elif word in _IGNORED or (word.startswith("-") and word != "-"):
            step = 1  # unknown switches are skipped, as curl's own defaults would apply
        else:
            url, step = word, 1
        i += step
    if not url:
        raise ProfileError("The curl command has no URL.", "Paste the whole command.")
    return _assemble(method, url, headers, data, use_get=use_get, json_flag=json_flag)


def _form_body(joined: str) -> Body:
    """Form fields when they encode back to exactly what curl would send; else the text as
    sent (e.g. "=" or "a=1&&b"), so nothing changes on the way through."""
    fields = tuple(Row(k, v) for k, v in parse_qsl(joined, keep_blank_values=True))
    form = Body(kind=BodyKind.FORM, fields=fields)
    if build(RequestSpec(method="POST", url="http://x/", body=form)).content == joined.encode():
        return form
    return Body(kind=BodyKind.RAW, text=joined, content_type="application/x-www-form-urlencoded")


def _assemble(
    method: str,
    url: str,
    headers: list[Row],
    data: list[tuple[str, bool]],
    *,
    use_get: bool,
    json_flag: bool,
) -> RequestSpec:
    auth = AuthMode.NONE
    pasted = ""
    kept: list[Row] = []
    for row in headers:
        if row.name.lower() == "authorization" and row.value.lower().startswith("bearer"):
            token = row.value[6:].strip()
            if not token or is_placeholder(token):
                auth = AuthMode.PROFILE
            elif B64TOKEN.fullmatch(token):
                auth, pasted = AuthMode.PASTED, token
            else:
                raise ProfileError(
                    "The token in this curl command has characters a token may not have.",
                    "Replace it with $TOKEN to use the profile's token, or paste a real token.",
                )
            continue
        kept.append(row)
    content_type = next((r.value for r in kept if r.name.lower() == "content-type"), "")
    if json_flag and not content_type:
        kept.append(Row("Content-Type", "application/json"))
        content_type = "application/json"
    body = Body()
    joined = "&".join(text for text, _ in data)
    if use_get and data:
        url = url + ("&" if "?" in url else "?") + joined
    elif data:
        method = method or "POST"
        if len(data) == 1 and data[0][1]:
            body = Body(kind=BodyKind.FILE, file=joined[1:])
        elif "json" in content_type or _is_json(joined):
            body = Body(kind=BodyKind.JSON, text=_pretty(joined))
            kept = [r for r in kept if r.name.lower() != "content-type" or "json" not in r.value]
        elif "x-www-form-urlencoded" in content_type or (not content_type and "=" in joined):
            body = _form_body(joined)
            kept = [r for r in kept if r.name.lower() != "content-type"]
        else:
            body = Body(kind=BodyKind.RAW, text=joined, content_type=content_type)
            kept = [r for r in kept if r.name.lower() != "content-type"]
    return RequestSpec(
        method=method or "GET",
        url=url,
        headers=tuple(kept),
        body=body,
        auth=auth,
        pasted_token=pasted,
    )


def _is_json(text: str) -> bool:
    try:
        safe_json.loads(text, max_depth=JSON_BODY_DEPTH)
    except ValueError:
        return False
    return text.strip()[:1] in ("{", "[")


def _pretty(text: str) -> str:
    try:
        return json.dumps(
            safe_json.loads(text, max_depth=JSON_BODY_DEPTH), indent=2, ensure_ascii=False
        )
    except ValueError:
        return text
