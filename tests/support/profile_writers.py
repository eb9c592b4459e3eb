"""Two writers and kill -9 against the profiles file (issue 10, items 4 and 10).

`python -m tests.support.profile_writers writers ROUNDS` / `kills ROUNDS` runs the loops for
`make fuzz`; the test suite runs a few rounds of each through the same functions.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app.core.profiles import Profile
from app.storage.profile_store import ProfileStore

ROOT = Path(__file__).resolve().parents[2]


def _child(config_dir: Path, prefix: str, count: int) -> None:
    """Adds `count` profiles one save at a time, printing each name once its save returned."""
    store = ProfileStore(config_dir)
    for i in range(count):
        name = f"{prefix}-{i}"
        store.save(Profile(name=name, client_id="c", token_url="https://idp.example/token"))
        print(name, flush=True)


def _spawn(config_dir: Path, prefix: str, count: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.profile_writers",
            "child",
            str(config_dir),
            prefix,
            str(count),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )


def _names(path: Path) -> list[str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [p["name"] for p in data["profiles"]]


def _temp_files(config_dir: Path) -> list[Path]:
    return list(config_dir.glob(".profiles.json*.tmp"))


def two_writers(rounds: int, per_writer: int = 10) -> int:
    """Two processes add profiles at once; every one of them must be in the file. Returns the
    number of profiles checked."""
    checked = 0
    for _ in range(rounds):
        with tempfile.TemporaryDirectory(prefix="tokendesk-writers-") as folder:
            config_dir = Path(folder)
            children = [_spawn(config_dir, p, per_writer) for p in ("a", "b")]
            reported: list[str] = []
            for child in children:
                out, _ = child.communicate(timeout=120)
                assert child.returncode == 0, f"a writer failed with {child.returncode}"
                reported += out.split()
            names = _names(config_dir / "profiles.json")
            assert sorted(names) == sorted(reported), "a profile was lost"
            assert len(names) == 2 * per_writer
            ProfileStore(config_dir).load()
            assert not _temp_files(config_dir), "temp files were left behind"
            checked += len(names)
    return checked


def kill_during_saves(rounds: int, seed: int = 0) -> int:
    """A writer is killed (SIGKILL) at a random moment during its saves, again and again: the
    file and its backup always parse, every save that returned is kept, and the next save
    leaves no temp file. Returns the number of kills."""
    rng = random.Random(seed)
    kills = 0
    with tempfile.TemporaryDirectory(prefix="tokendesk-kills-") as folder:
        config_dir = Path(folder)
        saved: list[str] = []
        for round_ in range(rounds):
            child = _spawn(config_dir, f"r{round_}", 1000)
            time.sleep(rng.uniform(0.05, 0.4))  # python start-up is ~0.1 s: kill anywhere
            os.kill(child.pid, signal.SIGKILL)
            out, _ = child.communicate(timeout=60)
            kills += 1
            saved += out.split()
            path = config_dir / "profiles.json"
            if path.exists():
                names = _names(path)
                missing = set(saved) - set(names)
                assert not missing, f"saves that returned were lost: {sorted(missing)[:5]}"
            backup = config_dir / "profiles.json.bak"
            if backup.exists():
                _names(backup)  # parses: never empty, never cut
        store = ProfileStore(config_dir)
        store.save(Profile(name="final", client_id="c", token_url="https://idp.example/token"))
        assert not _temp_files(config_dir), "temp files were left behind"
        assert set(saved) <= set(_names(config_dir / "profiles.json"))
    return kills


def main(argv: list[str]) -> int:
    if argv[0] == "child":
        _child(Path(argv[1]), argv[2], int(argv[3]))
        return 0
    rounds = int(argv[1])
    if argv[0] == "writers":
        count = two_writers(rounds)
        print(f"two writers: {rounds} rounds, {count} profiles written at once, none lost")
    else:
        kills = kill_during_saves(rounds)
        print(f"kill -9 during saves: {kills} kills, both files always parsed, no temp file left")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
