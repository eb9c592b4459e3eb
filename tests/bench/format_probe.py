"""The large-body formatter, in its own process: stdlib json.loads + json.dumps(indent=2)
beside msgspec.json.format alone and beside the whole worker (format, as-sent scan, both line
indexes, files written); then the worker run as the window runs it, for its peak RSS.

    python -m tests.bench.format_probe MEGABYTES
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

from app.core.format_worker import format_body
from app.ui.response.presenter import worker_command
from tests.support.resource_server import big_json

# Linux carries a process's peak RSS across fork and exec: the worker is started from a fresh,
# small interpreter, so the figure is the worker's own and not this probe's.
LAUNCHER = (
    "import os, subprocess, sys\n"
    "p = subprocess.Popen(sys.argv[1:])\n"
    "_, status, usage = os.wait4(p.pid, 0)\n"
    "print(usage.ru_maxrss if os.waitstatus_to_exitcode(status) == 0 else -1)\n"
)


def seconds(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main() -> int:
    data = big_json(float(sys.argv[1]))
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        body = root / "response.body"
        body.write_bytes(data)
        size = len(data)
        stdlib = seconds(lambda: json.dumps(json.loads(data), indent=2, ensure_ascii=False))
        alone = seconds(lambda: msgspec.json.format(data, indent=2))
        (root / "in-process").mkdir()
        worker = seconds(lambda: format_body(data, root / "in-process", as_json=True))
        out = root / "view"
        out.mkdir()
        launched = subprocess.run(
            [sys.executable, "-c", LAUNCHER, *worker_command(body, out, True)],
            capture_output=True,
            text=True,
            check=True,
        )
        peak_kb = int(launched.stdout)
        if peak_kb < 0:
            raise RuntimeError("the format worker failed")
    result = {
        "body_mb": size / 1024 / 1024,
        "stdlib_s": stdlib,
        "msgspec_s": alone,
        "worker_s": worker,
        "worker_peak_rss_mb": peak_kb / 1024,
    }
    print(json.dumps(result), flush=True)
    return 0


def rows(f: dict[str, Any]) -> list[tuple[str, str, str, str, bool]]:
    """The harness's table rows for this probe's result."""
    return [
        (
            f"{f['body_mb']:.0f} MB JSON formatted (worker: msgspec + indexes)",
            f"{f['worker_s']:.2f} s (msgspec alone {f['msgspec_s']:.2f} s)",
            f"stdlib {f['stdlib_s']:.2f} s",
            f"≥ 10× faster ({f['stdlib_s'] / f['worker_s']:.1f}×)",
            f["stdlib_s"] >= 10 * f["worker_s"],
        ),
        (
            f"format worker peak RSS ({f['body_mb']:.0f} MB body)",
            f"{f['worker_peak_rss_mb']:.0f} MB",
            f"{f['body_mb']:.0f} MB body",
            f"≤ 3× the body ({f['worker_peak_rss_mb'] / f['body_mb']:.1f}×)",
            f["worker_peak_rss_mb"] <= 3 * f["body_mb"],
        ),
    ]


if __name__ == "__main__":
    sys.exit(main())
