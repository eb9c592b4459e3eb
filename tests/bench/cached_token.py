"""The `make bench` row for `tokendesk token NAME` with a valid cached token, beside a bare
`python -c pass` (the venv's python, bytecode compiled, as users have it), alternating A/B.

It needs a keychain, so it starts the suite's private one (gnome-keyring on its own D-Bus) and a
local token endpoint whose token does not expire."""

from __future__ import annotations

import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BUDGET = 5.0  # × python -c pass (issue 16 §1)


def _seconds(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, env=env, timeout=60, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"{command} failed: {result.stderr.decode()[-800:]}")
    return elapsed


def bench_cached_token(rounds: int, per_round: int) -> dict[str, Any]:
    from tests.support import keychain
    from tests.support.fault_server import FaultServer

    compileall.compile_dir(str(ROOT / "app"), quiet=1)
    root = Path(tempfile.mkdtemp(prefix="tokendesk-bench-token-"))
    for name in ("config", "data", "runtime"):
        (root / name).mkdir(mode=0o700)
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(root / "config"),
        "XDG_DATA_HOME": str(root / "data"),
        "XDG_RUNTIME_DIR": str(root / "runtime"),
    }
    env.pop("DISPLAY", None)
    env.pop("PYTHON_KEYRING_BACKEND", None)
    running = keychain.start(root / "runtime")
    faults = FaultServer().start()
    try:
        env["DBUS_SESSION_BUS_ADDRESS"] = running.bus_address
        tokendesk = str(Path(sys.executable).parent / "tokendesk")
        add = [tokendesk, "profile", "add", "Bench", "--token-url"]
        add += [faults.url("/no-expires-opaque"), "--client-id", "bench"]
        subprocess.run(add, input=b"secret", env=env, check=True, capture_output=True)
        subprocess.run([tokendesk, "token", "Bench"], env=env, check=True, capture_output=True)
        ours: list[float] = []
        base: list[float] = []
        for _ in range(rounds):
            for _ in range(per_round):
                base.append(_seconds([sys.executable, "-c", "pass"], env))
                ours.append(_seconds([tokendesk, "token", "Bench"], env))
    finally:
        faults.stop()
        running.stop()
    return {
        "tokendesk": {"median": statistics.median(ours), "min": min(ours), "n": len(ours)},
        "baseline": {"median": statistics.median(base), "min": min(base), "n": len(base)},
    }


def cached_token_row(result: dict[str, Any]) -> tuple[str, str, str, str, bool]:
    ours, base = result["tokendesk"]["median"], result["baseline"]["median"]
    return (
        "`tokendesk token NAME`, cached token",
        f"{ours * 1000:.0f} ms",
        f"python -c pass {base * 1000:.0f} ms",
        f"≤ {BUDGET:g}× ({ours / base:.2f}×)",
        ours <= BUDGET * base,
    )
