"""Writes the README's Performance table from a `make bench` results file, so the figures in
the README are the ones measured, never typed by hand.

    python -m tests.bench.readme_table [bench/results.json] [README.md]

Replaces what lies between the README's `<!-- bench-table:start -->` and
`<!-- bench-table:end -->` markers; refuses a tiny-mode run (that is not a measurement).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
START, END = "<!-- bench-table:start -->", "<!-- bench-table:end -->"


def table(results: dict[str, Any]) -> str:
    lines = [
        f"Latest run: {results['when'][:10]}, {results['machine']}, offscreen Qt.",
        "",
        "| | Figure | Tokendesk | Baseline (the limit) | Budget |",
        "|---|---|---|---|---|",
    ]
    for row in results["table"]:
        held = "✔" if row["held"] else "✘ missed"
        cells = [held, row["figure"], row["tokendesk"], row["baseline"], row["budget"]]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)


def rewrite(readme: str, results: dict[str, Any]) -> str:
    if results.get("tiny"):
        raise ValueError("a --tiny run is not a measurement; run `make bench`")
    head, start, rest = readme.partition(START)
    _, end, tail = rest.partition(END)
    if not start or not end:
        raise ValueError(f"the README has no {START} … {END} section")
    return f"{head}{START}\n{table(results)}\n{END}{tail}"


def main(argv: list[str]) -> int:
    results_path = Path(argv[0]) if argv else ROOT / "bench" / "results.json"
    readme_path = Path(argv[1]) if len(argv) > 1 else ROOT / "README.md"
    results = json.loads(results_path.read_text(encoding="utf-8"))
    readme_path.write_text(
        rewrite(readme_path.read_text(encoding="utf-8"), results), encoding="utf-8"
    )
    print(f"{readme_path}: Performance table from {results_path} ({results['when']})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
