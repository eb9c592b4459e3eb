"""The large-body formatter: the regex line index against the plain loop it replaced, and the
files the worker writes."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from app.core import format_worker
from app.core.body_format import AS_SENT
from app.core.format_worker import BLOCK, WRAP, build_index, format_body, next_line


def loop_index(data: bytes) -> bytes:
    """The index as the worker built it before the regex: one Python turn per display line."""
    size, marks, lines, pos = len(data), [0], 0, 0
    while pos < size:
        pos = next_line(data, pos, size)
        lines += 1
        if lines % BLOCK == 0:
            marks.append(pos)
    return struct.pack("<QQ", lines, len(marks)) + struct.pack(f"<{len(marks)}Q", *marks)


# Lines of every kind: empty, short, exactly at and around WRAP, several WRAPs long.
line_lengths = st.sampled_from(
    [0, 1, 5, WRAP - 2, WRAP - 1, WRAP, WRAP + 1, 2 * WRAP, 3 * WRAP + 7]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(line_lengths, st.booleans()), max_size=700))
def test_the_regex_index_is_byte_identical_to_the_loop(lines: list[tuple[int, bool]]) -> None:
    data = b"".join(b"x" * n + (b"\n" if newline else b"") for n, newline in lines)
    assert build_index(data) == loop_index(data)


def test_index_of_many_blocks_and_a_tail() -> None:
    data = b"".join(b"%d\n" % i for i in range(BLOCK * 3 + 17)) + b"y" * (WRAP * 2 + 3)
    index = build_index(data)
    assert index == loop_index(data)
    lines, count = struct.unpack_from("<QQ", index)
    assert lines == BLOCK * 3 + 17 + 3  # the long last line shows as three display lines
    assert count == 4


def test_json_is_formatted_as_sent(tmp_path: Path) -> None:
    body = b'{"big": 123456789012345678901234567890, "e": "\\u00e9", "x": 1e5, "l": [1, {}]}'
    format_body(body, tmp_path, as_json=True)
    pretty = (tmp_path / "pretty.txt").read_bytes()
    assert pretty == (
        b'{\n  "big": 123456789012345678901234567890,\n  "e": "\\u00e9",\n  "x": 1e5,\n'
        b'  "l": [\n    1,\n    {}\n  ]\n}'
    )
    assert (tmp_path / "pretty.idx").read_bytes() == loop_index(pretty)
    assert (tmp_path / "raw.idx").read_bytes() == loop_index(body)
    assert (tmp_path / "as-sent.txt").read_text() == AS_SENT


def test_plain_json_needs_no_note_and_text_gets_only_an_index(tmp_path: Path) -> None:
    json_dir, text_dir = tmp_path / "j", tmp_path / "t"
    json_dir.mkdir()
    text_dir.mkdir()
    format_body(b'{"name": "Widget", "price": 12.5, "n": [1, 2]}', json_dir, as_json=True)
    assert not (json_dir / "as-sent.txt").exists()
    assert (json_dir / "pretty.txt").read_bytes().startswith(b'{\n  "name": "Widget",')
    format_body(b"line one\nline two\n", text_dir, as_json=False)
    assert sorted(p.name for p in text_dir.iterdir()) == ["raw.idx"]


def test_broken_json_says_why_and_writes_no_pretty_text(tmp_path: Path) -> None:
    format_body(b'{"cut": [1, 2', tmp_path, as_json=True)
    assert "truncated" in (tmp_path / "error.txt").read_text()
    assert not (tmp_path / "pretty.txt").exists()
    assert (tmp_path / "raw.idx").exists()


def test_the_worker_runs_as_a_process(tmp_path: Path) -> None:
    body = tmp_path / "response.body"
    body.write_bytes(b'[{"id": 1}, {"id": 2}]')
    out = tmp_path / "view"
    out.mkdir()
    command = [sys.executable, "-m", format_worker.__name__, str(body), str(out), "json"]
    result = subprocess.run(command, capture_output=True, check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    assert (out / "pretty.txt").read_bytes().count(b"\n") == 7


def test_index_of_long_lines_without_newlines_and_short_lines_between() -> None:
    """Compact JSON is one line of many megabytes: whole blocks without any newline."""
    data = b"x" * (WRAP * BLOCK * 2 + 5) + b"\nab\n" * 300 + b"y" * (WRAP * BLOCK + 1)
    assert build_index(data) == loop_index(data)
