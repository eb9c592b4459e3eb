"""What a body is and how it is shown: sniffing, pretty text, the as-sent note, the first
screen of a cut-off JSON body."""

from __future__ import annotations

import json

import pytest

from app.core.body_format import (
    AS_SENT,
    BodyKindShown,
    as_sent_note,
    format_json,
    hex_preview,
    indent_head,
    indent_xml,
    pretty,
    sniff,
)


@pytest.mark.parametrize(
    ("content_type", "head", "kind"),
    [
        ("application/json", b"{}", BodyKindShown.JSON),
        ("", b"  [1]", BodyKindShown.JSON),
        ("application/problem+json", b"{}", BodyKindShown.JSON),
        ("text/html", b"<p>", BodyKindShown.HTML),
        ("", b"<!DOCTYPE html><html>", BodyKindShown.HTML),
        ("application/xml", b"<a/>", BodyKindShown.XML),
        ("", b'<?xml version="1.0"?><a/>', BodyKindShown.XML),
        ("image/png", b"\x89PNG", BodyKindShown.IMAGE),
        ("", b"plain words", BodyKindShown.TEXT),
        ("application/octet-stream", b"\x00\x01\x02", BodyKindShown.BINARY),
        ("", "é".encode()[:1], BodyKindShown.TEXT),  # a character cut at the sample's end
        ("application/json", b"", BodyKindShown.EMPTY),
    ],
)
def test_sniff(content_type: str, head: bytes, kind: BodyKindShown) -> None:
    assert sniff(content_type, head) is kind


def test_pretty_json_keeps_what_the_api_sent() -> None:
    body = b'{"id":18446744073709551617,"name":"Caf\\u00e9","price":1.50,"same":1,"same":2}'
    shown, problem = pretty(body, BodyKindShown.JSON)
    assert problem is None
    assert shown == (
        '{\n  "id": 18446744073709551617,\n  "name": "Caf\\u00e9",\n  "price": 1.50,\n'
        '  "same": 1,\n  "same": 2\n}'
    )
    assert as_sent_note(body) == AS_SENT


def test_pretty_matches_the_stdlib_where_nothing_is_rewritten() -> None:
    body = '{"a": [1, 2.5, true, null, {}], "b": {"c": "é ü", "d": []}, "e": -3}'.encode()
    shown, _ = pretty(body, BodyKindShown.JSON)
    assert shown == json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    assert as_sent_note(body) == ""


@pytest.mark.parametrize(
    ("body", "rewritten"),
    [
        (b'["\\u00e9"]', True),
        (b'["a\\/b"]', True),
        (b"[1e5]", True),
        (b"[2.5E-3]", True),
        (b"[1.10]", True),
        (b"[0.12345678901234567]", True),
        (b'["a\\nb", "q\\"", 1.0, 1.05, 100]', False),
    ],
)
def test_the_note_appears_where_the_stdlib_would_print_otherwise(
    body: bytes, rewritten: bool
) -> None:
    stdlib = json.dumps(json.loads(body), indent=2, ensure_ascii=False).encode()
    assert (format_json(body) != stdlib) is rewritten
    assert bool(as_sent_note(body)) is rewritten


def test_invalid_json_is_shown_as_received_with_the_reason() -> None:
    shown, problem = pretty(b'{"a": ', BodyKindShown.JSON)
    assert shown == '{"a": '
    assert problem is not None
    assert problem.startswith("Not valid JSON (")
    with pytest.raises(ValueError, match="truncated"):
        format_json(b"[1, 2")


def test_xml_is_indented_without_expanding_entities() -> None:
    text = '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "boom">]><a><b>&e;</b><c/></a>'
    assert indent_xml(text).splitlines() == [
        '<?xml version="1.0"?>',
        '<!DOCTYPE a [<!ENTITY e "boom">',
        "]>",
        "<a>",
        "  <b>",
        "    &e;",
        "  </b>",
        "  <c/>",
        "</a>",
    ]
    assert pretty(b"<a><b/></a>", BodyKindShown.XML) == ("<a>\n  <b/>\n</a>", None)


def test_the_first_screen_of_a_cut_off_body() -> None:
    head = '{"items": [{"id": 1, "tag": "a,{b}"}, {"id": 2, "na'
    assert indent_head(head) == (
        '{\n  "items": [\n    {\n      "id": 1,\n      "tag": "a,{b}"\n    },\n'
        '    {\n      "id": 2,\n      "na'
    )
    assert indent_head("[" * 10, limit_lines=3).count("\n") == 3


def test_hex_preview() -> None:
    rows = hex_preview(b"AB\x00" * 7, limit=32).splitlines()
    assert rows[0] == "00000000  41 42 00 41 42 00 41 42 00 41 42 00 41 42 00 41  AB.AB.AB.AB.AB.A"
    assert rows[1].startswith("00000010  42 00 41 42 00")
