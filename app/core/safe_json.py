"""JSON from sources Tokendesk does not control (servers, pasted text, files on disk), read so that
no input can end in anything but a value or a ValueError.

`json.loads` recurses once per nesting level: a reply nested a thousand levels deep raises
RecursionError there, and one just under the limit makes every later recursive walk (redaction,
pretty-printing) fail instead. Nothing Tokendesk reads legitimately nests deeper than a few dozen
levels, so anything deeper is refused before it is parsed.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 64
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class JsonTooDeepError(ValueError):
    """The JSON nests deeper than Tokendesk is willing to walk."""


def nesting_depth(text: str) -> int:
    """The deepest bracket nesting outside strings (an upper bound for malformed text)."""
    if text.count("[") + text.count("{") <= 1:
        return text.count("[") + text.count("{")
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(0, depth - 1)
    return deepest


def loads(data: str | bytes | bytearray, *, max_depth: int = MAX_DEPTH) -> Any:
    """Like `json.loads`, but every failure is a ValueError (JsonTooDeepError for deep nesting,
    UnicodeDecodeError for bytes that are not UTF-8)."""
    if isinstance(data, bytes | bytearray):
        text = bytes(data).decode(json.detect_encoding(data), "surrogatepass")
    else:
        text = data
    if text.count("[") + text.count("{") > max_depth and nesting_depth(text) > max_depth:
        raise JsonTooDeepError(f"JSON nested deeper than {max_depth} levels")
    try:
        return json.loads(text)
    except RecursionError as exc:  # belt and braces: the scan above should make this unreachable
        raise JsonTooDeepError(str(exc)) from None
