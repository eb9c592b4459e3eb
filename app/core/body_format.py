"""What a response body is and how to show it: kind sniffing, pretty-printing (msgspec
re-indents JSON as sent), and a tolerant indenter for the first screen of a large JSON body (it
copes with cut-off input)."""

from __future__ import annotations

import re
from enum import StrEnum

# Up to TEXT_VIEW (raw bytes) a body goes to an ordinary, selectable text view, coloured up to
# HIGHLIGHT (colouring is Python per line and happens all at once). Larger bodies go to the
# paint-what-is-visible view, formatted on a thread while the body is in memory (up to
# api_response.IN_MEMORY), in a separate process beyond (the formatter holds the GIL).
TEXT_VIEW = 64 * 1024
HIGHLIGHT = 24 * 1024


class BodyKindShown(StrEnum):
    EMPTY = "empty"
    JSON = "json"
    XML = "xml"
    HTML = "html"
    TEXT = "text"
    IMAGE = "image"
    BINARY = "binary"


def sniff(content_type: str, head: bytes) -> BodyKindShown:  # noqa: PLR0911 - one per kind
    ctype = content_type.lower()
    stripped = head.lstrip()
    if not head:
        return BodyKindShown.EMPTY
    if ctype.startswith("image/"):
        return BodyKindShown.IMAGE
    if "json" in ctype or (not ctype and stripped[:1] in (b"{", b"[")):
        return BodyKindShown.JSON
    if "html" in ctype or stripped[:15].lower().startswith((b"<!doctype html", b"<html")):
        return BodyKindShown.HTML
    if "xml" in ctype or stripped.startswith(b"<?xml"):
        return BodyKindShown.XML
    if ctype.startswith("text/") or _looks_textual(head):
        return BodyKindShown.TEXT
    return BodyKindShown.BINARY


def _looks_textual(head: bytes) -> bool:
    sample = head[:4096]
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > len(sample) - 4  # a character cut at the sample's end is fine
    return True


AS_SENT = (
    "Shown as sent: numbers and escapes (such as \\u00e9) are kept exactly as the API wrote "
    "them, not rewritten."
)
# What Python's json module would have printed differently: a \u or \/ escape it decodes, a
# number it rewrites (a fraction of two or more digits ending in 0, more digits than a double
# holds, an exponent). Each pattern starts with one literal byte, which the regex engine scans
# for quickly: 50 MB in about a third of a second, where one pattern of alternatives takes 1.4 s.
_ESCAPE = re.compile(rb"\\[u/]")
_FRACTION = re.compile(rb"\.(?:\d+0(?!\d)|\d{17}|\d+[eE])")
_EXPONENTS = (re.compile(rb"e[-+]?\d"), re.compile(rb"E[-+]?\d"))


def _has_exponent(data: bytes) -> bool:
    return any(
        found.start() > 0 and data[found.start() - 1 : found.start()].isdigit()
        for pattern in _EXPONENTS
        for found in pattern.finditer(data)
    )


def format_json(data: bytes) -> bytes:
    """JSON indented by 2, re-indented from the bytes without building Python objects: numbers,
    escapes and repeated keys stay exactly as sent. ValueError when it is not JSON."""
    import msgspec  # on first use: the window paints before it is needed

    try:
        return msgspec.json.format(data, indent=2)
    except msgspec.DecodeError as exc:
        raise ValueError(str(exc)[:500]) from exc
    except RecursionError as exc:  # msgspec's own depth limit, not Python's stack
        raise ValueError("nested too deeply to pretty-print") from exc


def as_sent_note(data: bytes) -> str:
    """Words for the viewer when the pretty text keeps something the stdlib would rewrite
    (a quick scan: a number inside a string may also trigger it, which is harmless)."""
    rewritten = (
        (b"\\" in data and _ESCAPE.search(data) is not None)
        or _FRACTION.search(data) is not None
        or _has_exponent(data)
    )
    return AS_SENT if rewritten else ""


def pretty(data: bytes, kind: BodyKindShown) -> tuple[str, str | None]:
    """(text to show, problem) for a small body; the problem says why it is shown raw."""
    text = data.decode("utf-8", errors="replace")
    if kind is BodyKindShown.JSON:
        try:
            return format_json(data).decode("utf-8", errors="replace"), None
        except ValueError as exc:
            return text, f"Not valid JSON ({exc}); shown as received."
    if kind is BodyKindShown.XML:
        return indent_xml(text), None
    return text, None


_TAG = re.compile(r"(<[^>]*>)")


def indent_xml(text: str) -> str:
    """Indent XML by its tags without parsing it: no entity is ever expanded (no XML bombs)."""
    out: list[str] = []
    depth = 0
    for part in _TAG.split(text):
        piece = part.strip()
        if not piece:
            continue
        if piece.startswith("</"):
            depth = max(0, depth - 1)
            out.append("  " * depth + piece)
        elif (
            piece.startswith("<")
            and not piece.startswith(("<?", "<!"))
            and not piece.endswith("/>")
        ):
            out.append("  " * depth + piece)
            depth += 1
        else:
            out.append("  " * depth + piece)
    return "\n".join(out)


def indent_head(text: str, limit_lines: int = 400) -> str:
    """Indent the start of a JSON document without parsing it, so a cut-off prefix of a large
    body can be shown at once while the whole is formatted elsewhere."""
    out: list[str] = []
    depth = 0
    in_string = escaped = False
    lines = 0
    for char in text:
        if in_string:
            out.append(char)
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
            out.append(char)
        elif char in "{[":
            depth += 1
            out.append(char + "\n" + "  " * depth)
            lines += 1
        elif char in "}]":
            depth = max(0, depth - 1)
            out.append("\n" + "  " * depth + char)
            lines += 1
        elif char == ",":
            out.append(",\n" + "  " * depth)
            lines += 1
        elif char == ":":
            out.append(": ")
        elif not char.isspace():
            out.append(char)
        if lines >= limit_lines:
            break
    return "".join(out)


def hex_preview(data: bytes, limit: int = 512) -> str:
    rows = []
    for offset in range(0, min(len(data), limit), 16):
        chunk = data[offset : offset + 16]
        hexes = " ".join(f"{b:02x}" for b in chunk)
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        rows.append(f"{offset:08x}  {hexes:<47}  {text}")
    return "\n".join(rows)
