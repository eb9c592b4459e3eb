from __future__ import annotations

import os
import stat
from pathlib import Path

from app.core.request_spec import Body, BodyKind, RequestSpec, Row
from app.storage.history_store import HistoryStore, redact_spec


def test_redaction_of_headers_query_body_and_pasted_token() -> None:
    spec = RequestSpec(
        url="https://a.example/x?api_key=k1&page=2",
        headers=(Row("Authorization", "Bearer t"), Row("X-Auth-Token", "t2"), Row("Accept", "a")),
        body=Body(BodyKind.FORM, fields=(Row("client_secret", "s"), Row("name", "n"))),
        pasted_token="p",
    )
    clean = redact_spec(spec)
    assert "k1" not in clean.url
    assert "page=2" in clean.url
    assert [r.value for r in clean.headers] == ["«redacted»", "«redacted»", "a"]
    assert [r.value for r in clean.body.fields] == ["«redacted»", "n"]
    assert clean.pasted_token == ""


def test_record_list_reopen_clear_and_cap(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path, keep=3)
    for i in range(5):
        store.record(
            profile_id="p",
            profile_name="P",
            spec=RequestSpec(url=f"/x/{i}"),
            url=f"https://a/x/{i}",
            status=200,
            elapsed_ms=1.0,
            size=10,
        )
    entries = store.entries()
    assert [e.url for e in entries] == ["https://a/x/4", "https://a/x/3", "https://a/x/2"]
    reopened = store.spec(entries[0].id)
    assert reopened is not None
    assert reopened.url == "/x/4"
    store.clear()
    assert store.entries() == []
    store.close()


def test_saved_requests_per_profile(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path)
    store.save_request("p1", "List orders", RequestSpec(url="/orders"))
    store.save_request("p1", "List orders", RequestSpec(url="/orders?page=2"))
    store.save_request("p2", "Other", RequestSpec(url="/x"))
    saved = store.saved("p1")
    assert [(s.name, s.spec.url) for s in saved] == [("List orders", "/orders?page=2")]
    store.forget_profile("p1")
    assert store.saved("p1") == []
    assert len(store.saved("p2")) == 1
    store.close()


def _record(store: HistoryStore, url: str) -> None:
    store.record(
        profile_id="p",
        profile_name="P",
        spec=RequestSpec(url=url),
        url=url,
        status=200,
        elapsed_ms=1.0,
        size=10,
    )


def test_wal_without_fsync_per_commit_and_every_file_private(tmp_path: Path) -> None:
    """WAL + synchronous=NORMAL (no fsync per commit); the -wal and -shm files SQLite makes
    beside the database are 0600 like it, whatever the umask lets through."""
    old = os.umask(0o022)
    try:
        store = HistoryStore(tmp_path)
        _record(store, "https://a.example/private")
        store.flush()
        assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        files = [store.path, Path(f"{store.path}-wal"), Path(f"{store.path}-shm")]
        assert {f.name: stat.S_IMODE(f.stat().st_mode) for f in files} == {
            f.name: 0o600 for f in files
        }
        store.close()
    finally:
        os.umask(old)


def test_clear_leaves_no_history_in_any_file(tmp_path: Path) -> None:
    """Read the bytes of the database and its WAL: the URL is there before clear, nowhere after."""
    marker = b"orders-4711-marker"
    store = HistoryStore(tmp_path)
    for i in range(50):
        _record(store, f"https://a.example/{marker.decode()}/{i}")
    store.save_request("p", "kept", RequestSpec(url="/kept"))
    store.flush()

    def on_disk() -> bytes:
        return b"".join(
            f.read_bytes() for f in tmp_path.iterdir() if f.name.startswith("history.sqlite3")
        )

    assert marker in on_disk()
    store.clear().result()
    assert marker not in on_disk()
    assert store.entries() == []
    assert [s.name for s in store.saved("p")] == ["kept"]
    store.close()
    assert marker not in on_disk()


def test_the_cap_holds_after_a_clear_and_reads_see_queued_writes(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path, keep=4)
    for i in range(6):
        _record(store, f"https://a/{i}")
    store.clear()
    for i in range(7):
        _record(store, f"https://b/{i}")
    # No flush: a read waits for the writes queued before it.
    assert [e.url for e in store.entries()] == [f"https://b/{i}" for i in (6, 5, 4, 3)]
    assert len(store.entries(limit=100)) == 4  # the cap, not the page size
    store.close()


def test_newest_comes_after_the_writes_queued_before_it(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path)
    _record(store, "https://a/1")
    first = store.newest(1)
    _record(store, "https://a/2")
    second = store.newest(1)
    assert [e.url for e in first.result(timeout=10)] == ["https://a/1"]
    assert [e.url for e in second.result(timeout=10)] == ["https://a/2"]
    entry_id = store.record(
        profile_id="p",
        profile_name="P",
        spec=RequestSpec(url="/x"),
        url="https://a/3",
        status=None,
        elapsed_ms=None,
        size=None,
    ).result(timeout=10)
    assert store.entries(limit=1)[0].id == entry_id
    store.close()
