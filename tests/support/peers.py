"""The peers' own tools, pinned under tests/peers: fixture writers and collection runners."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

PEERS = Path(__file__).resolve().parents[1] / "peers"
BIN = PEERS / "node_modules" / ".bin"


def require() -> None:
    if not (PEERS / "node_modules" / "newman").exists():
        raise RuntimeError("the peers' tools are not installed: run `make test` (npm ci).")


def node(script: str, *args: str) -> str:
    require()
    done = subprocess.run(
        ["node", str(PEERS / script), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def make_postman(out: Path, settings: dict[str, Any]) -> tuple[Path, Path]:
    node("make_postman.mjs", str(out), json.dumps(settings))
    return out / "collection.json", out / "staging.postman_environment.json"


def newman(collection: Path, environment: Path) -> subprocess.CompletedProcess[str]:
    require()
    return subprocess.run(
        [str(BIN / "newman"), "run", str(collection), "-e", str(environment), "--silent"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def make_bruno(out: Path, settings: dict[str, Any]) -> Path:
    node("make_bruno.mjs", str(out), json.dumps(settings))
    return out


def bru_run(
    collection: Path, env: str, variables: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    require()
    args = [str(BIN / "bru"), "run", "--env", env]
    for key, value in variables.items():
        args += ["--env-var", f"{key}={value}"]
    return subprocess.run(
        args, cwd=collection, capture_output=True, text=True, timeout=120, check=False
    )
