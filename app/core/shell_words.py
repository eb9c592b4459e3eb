"""Splitting a pasted shell command into words the way bash does, for the curl importer.

`shlex` differs from bash where API docs and browsers go: it cuts `https://x/#frag` at the `#`
when comments are on (and eats `# comment` lines into the URL when they are off), and it knows
no `$'…'` (ANSI-C quoting, which browsers' "Copy as cURL" uses). This reads words by bash's
rules: '…' literal, "…" with \\ escapes for \\ " $ ` and newline, $'…' with C escapes, a
backslash-newline joins lines, and # starts a comment only at the start of a word.
"""

from __future__ import annotations

import re

_ANSI_C = {
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "E": "\x1b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}
_ANSI_NUMERIC = re.compile(r"x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{1,4}|U[0-9A-Fa-f]{1,8}|[0-7]{1,3}")


class ShellSyntaxError(ValueError):
    """A quote is not closed."""


def _ansi_c(text: str, start: int) -> tuple[str, int]:
    """The value of $'…' whose body starts at `start`, and the index after its closing quote."""
    out: list[str] = []
    i = start
    while i < len(text):
        char = text[i]
        if char == "'":
            return "".join(out), i + 1
        if char == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt in _ANSI_C:
                out.append(_ANSI_C[nxt])
                i += 2
                continue
            number = _ANSI_NUMERIC.match(text, i + 1)
            if number:
                digits = number.group()
                base, value = (8, digits) if digits[0] in "01234567" else (16, digits[1:])
                code = int(value, base)
                out.append(chr(code) if code <= 0x10FFFF else "\ufffd")
                i = number.end()
                continue
            out.append(char)
            i += 1
            continue
        out.append(char)
        i += 1
    raise ShellSyntaxError("a $'…' quote is not closed")


def split(text: str) -> list[str]:  # noqa: PLR0912, PLR0915 - one branch per quoting rule
    words: list[str] = []
    word: list[str] = []
    in_word = False
    i = 0
    while i < len(text):
        char = text[i]
        if char in " \t\r\n":
            if in_word:
                words.append("".join(word))
                word, in_word = [], False
            i += 1
        elif char == "#" and not in_word:
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
        elif char == "\\":
            if text[i + 1 : i + 2] == "\n":
                i += 2  # a line continuation
            elif text[i + 1 : i + 3] == "\r\n":
                i += 3
            else:
                word.append(text[i + 1 : i + 2])
                in_word = True
                i += 2
        elif char == "'":
            end = text.find("'", i + 1)
            if end < 0:
                raise ShellSyntaxError("a ' quote is not closed")
            word.append(text[i + 1 : end])
            in_word = True
            i = end + 1
        elif char == "$" and text[i + 1 : i + 2] == "'":
            value, i = _ansi_c(text, i + 2)
            word.append(value)
            in_word = True
        elif char == '"':
            i += 1
            while True:
                if i >= len(text):
                    raise ShellSyntaxError('a " quote is not closed')
                char = text[i]
                if char == '"':
                    i += 1
                    break
                if char == "\\" and text[i + 1 : i + 2] in ('"', "\\", "$", "`", "\n"):
                    if text[i + 1] != "\n":
                        word.append(text[i + 1])
                    i += 2
                    continue
                word.append(char)
                i += 1
            in_word = True
        else:
            word.append(char)
            in_word = True
            i += 1
    if in_word:
        words.append("".join(word))
    return words
