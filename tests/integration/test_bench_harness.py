"""`make bench` must keep working: run its harness once in tiny mode (not a measurement, and no
budget is checked here — timing goals live in the benchmark, not in tests)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bench import readme_table

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.idp


def test_the_benchmark_harness_runs_every_row(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    result = subprocess.run(
        [sys.executable, "-m", "tests.bench.harness", "--tiny", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=400,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    data = json.loads(out.read_text())
    figures = [row["figure"] for row in data["table"]]
    assert figures[0] == "cold start to first paint"
    assert any("concurrent" in f for f in figures)
    assert any("JSON in the viewer" in f for f in figures)
    assert any("history" in f for f in figures)
    assert any("cached token" in f for f in figures)
    assert any("the window's path (history on)" in f for f in figures)
    assert any("httpx.Auth generator" in f for f in figures)
    assert any(f.startswith("RSS over 30 sends") for f in figures)
    assert any("JSON formatted (worker" in f for f in figures)
    assert any("format worker peak RSS" in f for f in figures)
    concurrent = data["network"]["concurrent_expired"]
    assert concurrent == {"token_requests": 1, "all_ok": True}
    # The README's table is written from such a file (a tiny run itself is refused).
    with pytest.raises(ValueError, match="tiny"):
        readme_table.rewrite((ROOT / "README.md").read_text(), data)
    readme = readme_table.rewrite((ROOT / "README.md").read_text(), {**data, "tiny": False})
    for row in data["table"]:
        assert f"| {row['figure']} | {row['tokendesk']} |" in readme
