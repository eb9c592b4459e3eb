from __future__ import annotations

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
    assert store.count() == 0
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
