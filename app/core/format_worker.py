"""Formatting a large body in a separate process, so the window's thread never waits for it
(json.loads and json.dumps hold Python's GIL: in a thread they would still freeze the window).

    python -m app.core.format_worker BODY OUT_DIR [json]

writes OUT_DIR/pretty.txt (pretty JSON, or nothing for other text), and a line index for each
view: OUT_DIR/pretty.idx and OUT_DIR/raw.idx. An index is the file offset of every 256th display
line (lines are cut at newlines or every WRAP bytes), as little-endian uint64, after a header
with the number of display lines.
"""

from __future__ import annotations

import json
import mmap
import struct
import sys
from pathlib import Path

from app.core import safe_json

WRAP = 2000
BLOCK = 256
# Pretty-printing needs about four times the body in memory (parsed objects, then text): past
# this the body is shown as received, with words saying why, and memory stays bounded.
PRETTY_LIMIT = 64 * 1024 * 1024
# Deeper nesting than this is refused (json.loads would raise RecursionError and kill the worker).
MAX_DEPTH = 200


def next_line(data: bytes | mmap.mmap, pos: int, size: int) -> int:
    """Where the display line starting at `pos` ends (exclusive, its newline included)."""
    newline = data.find(b"\n", pos, pos + WRAP)
    return newline + 1 if newline != -1 else min(pos + WRAP, size)


def build_index(data: bytes | mmap.mmap) -> bytes:
    size = len(data)
    marks = [0]
    lines = 0
    pos = 0
    find = data.find
    while pos < size:
        newline = find(b"\n", pos, pos + WRAP)
        pos = newline + 1 if newline != -1 else min(pos + WRAP, size)
        lines += 1
        if lines % BLOCK == 0:
            marks.append(pos)
    return struct.pack("<QQ", lines, len(marks)) + struct.pack(f"<{len(marks)}Q", *marks)


def main(argv: list[str]) -> int:
    body, out = Path(argv[0]), Path(argv[1])
    as_json = len(argv) > 2 and argv[2] == "json"
    size = body.stat().st_size
    if size:
        with body.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as m:
            (out / "raw.idx").write_bytes(build_index(m))
    else:
        (out / "raw.idx").write_bytes(build_index(b""))
    if as_json:
        if size > PRETTY_LIMIT:
            (out / "error.txt").write_text(
                f"too large to pretty-print ({size // 2**20:,} MB; the limit is "
                f"{PRETTY_LIMIT // 2**20} MB)",
                encoding="utf-8",
            )
            return 0
        try:
            parsed = safe_json.loads(body.read_bytes(), max_depth=MAX_DEPTH)
            text = json.dumps(parsed, indent=2, ensure_ascii=False).encode()
        except (ValueError, RecursionError) as exc:
            (out / "error.txt").write_text(str(exc)[:500], encoding="utf-8")
            return 0
        (out / "pretty.txt").write_bytes(text)
        (out / "pretty.idx").write_bytes(build_index(text))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
