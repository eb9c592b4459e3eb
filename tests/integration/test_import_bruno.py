"""Bruno import, proven against Bruno's own tools: the collection is written by @usebruno/lang,
`bru run` sends it to a recording API, and the requests Tokendesk builds from the import must
reach that API as bru's did."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.core.environments import effective_profile
from app.core.request_spec import AuthMode, build
from app.core.secrets import SecretKind
from app.importers import Format, detect, read_sources
from app.importers.apply import apply_plan
from app.storage.history_store import HistoryStore
from app.storage.profile_store import ProfileStore
from tests.support import peers
from tests.support.memory_secrets import MemorySecretStore
from tests.support.recording_api import RecordingApi


@pytest.fixture
def recorder() -> Iterator[RecordingApi]:
    api = RecordingApi().start()
    yield api
    api.stop()


def test_requests_match_what_bru_sent(tmp_path: Path, recorder: RecordingApi) -> None:
    """Method, path, query, headers and body of each request equal those `bru run` sent."""
    folder = peers.make_bruno(
        tmp_path,
        {
            "baseUrl": recorder.base,
            "tokenUrl": f"{recorder.base}/token",
            "clientId": "orders-client",
            "scope": "api:read",
        },
    )
    assert detect(folder) is Format.BRUNO
    ran = peers.bru_run(folder, "Staging", {"clientSecret": "not-used"})
    assert ran.returncode == 0, ran.stdout + ran.stderr
    by_bru = recorder.take()
    assert len(by_bru) == 3

    plan = read_sources([folder])
    (planned,) = plan.profiles
    profile = effective_profile(planned.profile, "Staging")
    with httpx.Client() as client:
        for request in planned.requests:
            built = build(
                request.spec, api_base=profile.api_base_url, variables=dict(profile.variables)
            )
            assert client.send(built).status_code == 200
    by_tokendesk = recorder.take()

    def key(seen: list) -> list:
        return sorted((r.comparable() for r in seen), key=repr)

    assert key(by_tokendesk) == key(by_bru)


def test_plan_from_a_bruno_folder(tmp_path: Path) -> None:
    """Collection-level oauth2 gives the profile; folder requests inherit it; the Staging
    environment is kept; the vars:secret with no value in the files is reported, not invented."""
    folder = peers.make_bruno(
        tmp_path,
        {
            "baseUrl": "https://api.example.com",
            "tokenUrl": "https://id.example.com/token",
            "clientId": "cid",
            "scope": "orders:read",
        },
    )
    plan = read_sources([folder])
    (planned,) = plan.profiles
    profile = planned.profile
    assert (profile.name, profile.token_url, profile.client_id) == (
        "Orders API (Bruno)",
        "https://id.example.com/token",
        "cid",
    )
    assert profile.scopes == ("orders:read",)
    assert [e.name for e in profile.environments] == ["Staging"]
    assert [(r.saved_name, r.spec.auth) for r in planned.requests] == [
        ("Public status", AuthMode.NONE),
        ("Orders / List orders", AuthMode.PROFILE),
        ("Orders / Create order", AuthMode.PROFILE),
    ]
    assert planned.secrets == ()
    (report,) = plan.reports
    assert any("clientSecret (Staging)" in w for w in report.warnings)
    assert plan.summary() == "1 profile, 3 requests, 1 environment"

    async def apply() -> tuple[ProfileStore, MemorySecretStore]:
        store, secrets = ProfileStore(tmp_path / "config"), MemorySecretStore()
        history = HistoryStore(tmp_path / "data")
        try:
            await apply_plan(plan, store=store, secrets=secrets, history=history)
            await apply_plan(read_sources([folder]), store=store, secrets=secrets, history=history)
        finally:
            history.close()
        return store, secrets

    store, secrets = asyncio.run(apply())
    (saved,) = store.load()
    assert saved.import_source == f"bruno:{folder.resolve()}"
    assert (saved.id, SecretKind.CLIENT_SECRET) not in secrets.values
