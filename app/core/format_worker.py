"""Formatting a large body away from the window's thread: in a separate process for bodies
kept in a file (the formatter holds Python's GIL: in a thread it would still freeze the window),
or on a thread for bodies of at most a megabyte kept in memory.

    python -m app.core.format_worker BODY OUT_DIR [json]

writes OUT_DIR/pretty.txt (pretty JSON, or nothing for other text), and a line index for each
view: OUT_DIR/pretty.idx and OUT_DIR/raw.idx. An index is the file offset of every 256th display
line (lines are cut at newlines or every WRAP bytes), as little-endian uint64, after a header
with the number of display lines. OUT_DIR/as-sent.txt says why the pretty text may read
differently from what Python's json module would print (see body_format.as_sent_note).
"""

from __future__ import annotations

import mmap
import re
import struct
import sys
import threading
from pathlib import Path

from app.core.body_format import as_sent_note, format_json

WRAP = 2000
BLOCK = 256
# Past this the body is shown as received, with words saying why, so the worker's memory stays
# bounded (pretty-printing holds the body and its pretty form: about three times the body).
PRETTY_LIMIT = 64 * 1024 * 1024

# One display line: up to WRAP-1 bytes and its newline, else WRAP bytes (or the rest). The
# atomic group never gives back a line once matched, so BLOCK lines are one call into the regex
# engine (C) instead of BLOCK turns of a Python loop, and a failing match fails in linear time.
_LINE = rb"[^\n]{0,%d}\n|[^\n]{1,%d}" % (WRAP - 1, WRAP)
_ONE_LINE = re.compile(_LINE)
_BLOCK_OF_LINES = re.compile(rb"(?>%s){%d}" % (_LINE, BLOCK))
# The common case, twice as fast: BLOCK short lines, each ending in a newline (possessive, so a
# long line fails it at once and the general pattern takes that block).
_BLOCK_OF_SHORT_LINES = re.compile(rb"(?:[^\n]{0,%d}+\n){%d}+" % (WRAP - 1, BLOCK))


def next_line(data: bytes | mmap.mmap, pos: int, size: int) -> int:
    """Where the display line starting at `pos` ends (exclusive, its newline included)."""
    newline = data.find(b"\n", pos, pos + WRAP)
    return newline + 1 if newline != -1 else min(pos + WRAP, size)


def build_index(data: bytes | mmap.mmap) -> bytes:
    size = len(data)
    marks = [0]
    lines = 0
    pos = 0
    short, block, span = _BLOCK_OF_SHORT_LINES.match, _BLOCK_OF_LINES.match, WRAP * BLOCK
    while True:
        if pos + span <= size and data.find(b"\n", pos, pos + span) == -1:
            pos += span  # no newline at all (compact JSON): BLOCK lines of WRAP bytes
        elif found := short(data, pos) or block(data, pos):
            pos = found.end()
        else:
            break
        lines += BLOCK
        marks.append(pos)
    one = _ONE_LINE.match
    while pos < size:  # fewer than BLOCK lines left
        line = one(data, pos)
        pos = line.end() if line is not None else size
        lines += 1
    return struct.pack("<QQ", lines, len(marks)) + struct.pack(f"<{len(marks)}Q", *marks)


def format_body(data: bytes, out: Path, *, as_json: bool) -> None:
    """Index `data` and, for JSON, write its pretty form and that form's index into `out`."""
    (out / "raw.idx").write_bytes(build_index(data))
    if as_json:
        format_pretty(data, out)


def format_pretty(data: bytes, out: Path) -> None:
    """The pretty form of JSON `data` and its index in `out`; error.txt says why not."""
    if _too_large(len(data), out):
        return
    try:
        text = format_json(data)
    except ValueError as exc:
        (out / "error.txt").write_text(str(exc), encoding="utf-8")
        return
    # Writing the pretty text releases the GIL: it overlaps the scan and the index below. The
    # body and its pretty form were both held while formatting, so this adds no peak memory.
    writer = threading.Thread(target=(out / "pretty.txt").write_bytes, args=(text,))
    writer.start()
    note = as_sent_note(data)
    del data
    index = build_index(text)
    writer.join()
    if note:
        (out / "as-sent.txt").write_text(note, encoding="utf-8")
    (out / "pretty.idx").write_bytes(index)


def _too_large(size: int, out: Path) -> bool:
    if size <= PRETTY_LIMIT:
        return False
    (out / "error.txt").write_text(
        f"too large to pretty-print ({size // 2**20:,} MB; "
        f"the limit is {PRETTY_LIMIT // 2**20} MB)",
        encoding="utf-8",
    )
    return True


def main(argv: list[str]) -> int:
    body, out = Path(argv[0]), Path(argv[1])
    as_json = len(argv) > 2 and argv[2] == "json"
    size = body.stat().st_size
    if size:  # the raw index reads through a map: no copy of the body in memory
        with body.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as m:
            (out / "raw.idx").write_bytes(build_index(m))
    else:
        (out / "raw.idx").write_bytes(build_index(b""))
    if as_json and not _too_large(size, out):
        format_pretty(body.read_bytes(), out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
