"""A damaged, unreadable or closed history file is a plain HistoryError or is set aside whole —
never a sqlite traceback, never a failed send, never a lost file."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.core.errors import HistoryError
from app.core.http_clients import HttpClients
from app.core.request_spec import AuthMode, RequestSpec
from app.core.token_manager import TokenManager
from app.desk import Desk, events
from app.storage.history_store import HistoryStore
from app.storage.profile_store import ProfileStore
from tests.support.fault_server import FaultServer
from tests.support.memory_secrets import MemorySecretStore


def record(store: HistoryStore, url: str = "https://api.example/orders") -> int:
    return store.record(
        profile_id="p",
        profile_name="P",
        spec=RequestSpec(url=url),
        url=url,
        status=200,
        elapsed_ms=1.0,
        size=2,
    ).result()


def test_a_file_that_is_not_a_database_is_set_aside_whole_and_a_new_one_started(
    tmp_path: Path,
) -> None:
    junk = os.urandom(5000)
    (tmp_path / "history.sqlite3").write_bytes(junk)
    store = HistoryStore(tmp_path)
    try:
        assert store.set_aside is not None
        assert store.set_aside.read_bytes() == junk  # kept as it was, for whoever wants it
        assert store.set_aside.name.startswith("history.sqlite3.damaged-")
        assert store.entries() == []
        record(store)
        assert [e.url for e in store.entries()] == ["https://api.example/orders"]
    finally:
        store.close()
    again = HistoryStore(tmp_path)  # the next start finds a healthy file and sets nothing aside
    try:
        assert again.set_aside is None
        assert len(again.entries()) == 1
    finally:
        again.close()


def test_a_file_damaged_inside_is_a_plain_error_and_set_aside_on_close(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path)
    for n in range(300):
        record(store, f"https://api.example/orders/{n}?{'x' * 200}")
    store.close()
    path = tmp_path / "history.sqlite3"
    data = bytearray(path.read_bytes())
    page = 4096
    data[page * 2 : page * 6] = os.urandom(page * 4)  # pages of the table, not the header
    path.write_bytes(bytes(data))

    store = HistoryStore(tmp_path)
    said: list[HistoryError] = []
    for use in (
        lambda: store.entries(limit=1000),
        lambda: [store.spec(n) for n in range(1, 301)],
        lambda: record(store),
    ):
        try:
            use()
        except HistoryError as exc:  # anything else fails the test
            said.append(exc)
    assert said
    assert all("damaged" in error.message for error in said)
    store.close()
    aside = list(tmp_path.glob("history.sqlite3.damaged-*"))
    assert len(aside) == 1
    assert aside[0].read_bytes() == bytes(data)
    fresh = HistoryStore(tmp_path)
    try:
        assert fresh.entries() == []
    finally:
        fresh.close()


def test_an_unopenable_place_is_a_plain_error(tmp_path: Path) -> None:
    (tmp_path / "history.sqlite3").mkdir()  # a folder where the file should be
    with pytest.raises(HistoryError) as caught:
        HistoryStore(tmp_path)
    assert "cannot be opened" in caught.value.message
    assert str(tmp_path) in caught.value.hint


def test_use_after_close_is_a_plain_error(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path)
    store.close()
    with pytest.raises(HistoryError):
        store.entries()
    with pytest.raises(HistoryError):
        record(store)


def test_a_send_is_never_lost_to_the_history(tmp_path: Path, faults: FaultServer) -> None:
    """The response comes back even when the history cannot be written; the trouble is
    announced once, in plain words."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "history.sqlite3").mkdir()
    seen: list[events.Event] = []

    async def go() -> int | None:
        secrets = MemorySecretStore()
        http = HttpClients()
        desk = Desk(
            store=ProfileStore(tmp_path / "config"),
            secrets=secrets,
            tokens=TokenManager(http, secrets, clock=lambda: datetime.now(UTC)),
            http=http,
            history=lambda: HistoryStore(tmp_path / "data"),
            response_dir=tmp_path / "bodies",
        )
        desk.subscribe(seen.append)
        try:
            first = await desk.send(None, RequestSpec(url=faults.url("/echo"), auth=AuthMode.NONE))
            await desk.send(None, RequestSpec(url=faults.url("/echo"), auth=AuthMode.NONE))
            return first.status
        finally:
            await desk.shutdown()

    assert asyncio.run(go()) == 200
    troubles = [e for e in seen if isinstance(e, events.HistoryTrouble)]
    assert len(troubles) == 1
    assert "cannot be opened" in troubles[0].error.message
