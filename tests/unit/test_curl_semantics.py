"""curl import/export by curl's own semantics (issue 10, items 5, 14, 15)."""

from __future__ import annotations

import shlex

import httpx
import pytest

from app.core.curl import TOKEN_PLACEHOLDER, from_curl, to_curl
from app.core.errors import ProfileError
from app.core.request_spec import AuthMode, BodyKind, build


def test_get_with_a_body_keeps_x_get() -> None:
    """curl sends a POST for a body without -X GET."""
    request = httpx.Request("GET", "https://api.example/x", content=b"q=1")
    text = to_curl(request, authorization=None)
    assert "-X GET" in text
    assert from_curl(text).method == "GET"


@pytest.mark.parametrize(
    ("command", "method"),
    [("curl -XDELETE https://a.example/x", "DELETE"), ("curl -X PUT https://a.example", "PUT")],
)
def test_attached_request_option(command: str, method: str) -> None:
    assert from_curl(command).method == method


def test_attached_header_and_data_file() -> None:
    spec = from_curl("curl -H'X-One: 1' -d@body.json https://a.example/x")
    assert [(r.name, r.value) for r in spec.headers] == [("X-One", "1")]
    assert (spec.body.kind, spec.body.file) == (BodyKind.FILE, "body.json")


def test_data_raw_at_is_literal() -> None:
    spec = from_curl("curl --data-raw '@/etc/hostname' https://a.example/x")
    assert spec.body.kind is not BodyKind.FILE
    assert "@/etc/hostname" in (spec.body.text + "".join(f.name for f in spec.body.fields))


def test_comments_are_not_the_url() -> None:
    spec = from_curl(
        "# list the orders\ncurl https://a.example/x#frag \\\n  -H 'A: 1' # trailing\n"
    )
    assert spec.url == "https://a.example/x#frag"
    assert [(r.name, r.value) for r in spec.headers] == [("A", "1")]


def test_line_breaks_inside_quoted_bodies_are_kept() -> None:
    spec = from_curl("curl https://a.example -H 'Content-Type: text/plain' -d 'line one\nline two'")
    assert spec.body.text == "line one\nline two"


def test_ansi_c_quoting_from_browsers() -> None:
    command = "curl 'https://a.example/x' -H $'X-Q: it\\'s\\ttab' --data-raw $'{\"a\":\"\\u00e9\"}'"
    spec = from_curl(command)
    assert next((r.name, r.value) for r in spec.headers) == ("X-Q", "it's\ttab")
    assert "é" in spec.body.text


def test_deeply_nested_json_body_is_kept_raw_not_a_crash() -> None:
    """Item 14: the importer crashed on deeply nested JSON bodies."""
    deep = "[" * 100_000 + "]" * 100_000
    spec = from_curl(f"curl https://a.example -H 'Content-Type: application/json' -d '{deep}'")
    assert spec.body.text.count("[") == 100_000


def test_huge_authorization_value_is_handled_at_once() -> None:
    """Item 14: a 78 KB Authorization value froze the window (a backtracking pattern)."""
    spec = from_curl(f"curl https://a.example -H 'Authorization: Bearer {'tokenx' * 13_000}'")
    assert spec.auth is AuthMode.PASTED


@pytest.mark.parametrize("token", ["abc$(id)", "a`id`b", "two words"])
def test_real_token_export_is_quoted_for_the_shell(token: str) -> None:
    """Item 5: a server-chosen token or token type in double quotes ran code when pasted."""
    request = httpx.Request("GET", "https://api.example/x")
    text = to_curl(request, authorization=f"Bearer {token}")
    words = shlex.split(text.replace("\\\n", " "))
    assert f"Authorization: Bearer {token}" in words


@pytest.mark.parametrize("scheme", ["Bearer", "$(id)", "`id`", 'a"b', "x!y"])
def test_placeholder_export_expands_only_token(scheme: str) -> None:
    request = httpx.Request("GET", "https://api.example/x")
    text = to_curl(request, authorization=f"{scheme} {TOKEN_PLACEHOLDER}")
    header = next(line for line in text.splitlines() if "Authorization" in line)
    words = shlex.split(header.strip().rstrip("\\"))
    # shlex does not expand: the word still holds the literal $TOKEN and the scheme as given
    assert words[-1] == f"Authorization: {scheme} {TOKEN_PLACEHOLDER}"


def test_pasted_token_with_bad_characters_is_refused() -> None:
    with pytest.raises(ProfileError):
        from_curl("curl https://a.example -H 'Authorization: Bearer abc\"; rm -rf ~'")


@pytest.mark.parametrize("body", ["^\n", "line one\nline two`\n", "tab\there", "bell\x07"])
def test_bodies_with_line_breaks_survive_export_and_import(body: str) -> None:
    """Found by `make fuzz`: a body line ending in `^` (cmd's continuation) came back as a
    space. Such bodies are exported in bash's $'…' quoting, one line per option."""
    request = httpx.Request("POST", "https://api.example/", content=body.encode())
    command = to_curl(request, authorization="Bearer 0")
    assert "$'" in command
    assert build(from_curl(command)).content == body.encode()
