"""Short runs of the two-writer and kill -9 loops (`make fuzz` runs hundreds of rounds)."""

from __future__ import annotations

from tests.support.profile_writers import kill_during_saves, two_writers


def test_two_processes_writing_at_once_lose_nothing() -> None:
    """Item 4: two `profile add` at once used to leave 20-21 of 40 profiles."""
    assert two_writers(rounds=2, per_writer=8) == 32


def test_kill_9_during_saves_keeps_both_files_whole() -> None:
    """Item 10: kill -9 could leave profiles.json.bak empty or cut and temp files piling up."""
    assert kill_during_saves(rounds=6, seed=10) == 6
