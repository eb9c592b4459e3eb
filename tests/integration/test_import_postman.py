"""Postman import, proven against Postman's own tools: the collection and environment are written
by the `postman-collection` SDK, newman runs them against a recording API, and the requests
Tokendesk builds from the import must reach that API exactly as newman's did."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.core.environments import effective_profile, secret_variables
from app.core.request_spec import AuthMode, build
from app.core.secrets import SecretKind
from app.desk.wiring import open_desk
from app.importers import Format, detect, read_sources
from app.importers.apply import apply_plan
from app.importers.plan import ImportPlan, SecretUse
from app.storage.history_store import HistoryStore
from app.storage.profile_store import ProfileStore
from app.storage.secrets import KeyringSecretStore
from tests.support import peers
from tests.support.idp import IdentityServer
from tests.support.memory_secrets import MemorySecretStore
from tests.support.recording_api import Recorded, RecordingApi
from tests.support.resource_server import ResourceServer

API_KEY = "legacy-key-8c1d55e0"


@pytest.fixture
def recorder() -> Iterator[RecordingApi]:
    api = RecordingApi().start()
    yield api
    api.stop()


def settings(base: str, token_url: str, client_id: str, secret: str, scope: str) -> dict[str, str]:
    return {
        "baseUrl": base,
        "tokenUrl": token_url,
        "clientId": client_id,
        "clientSecret": secret,
        "scope": scope,
        "apiKey": API_KEY,
    }


def send_like_tokendesk(plan: ImportPlan, env: str) -> None:
    """Every imported request, built by request_spec and sent by httpx, as the window would."""
    planned = plan.profiles[0]
    profile = effective_profile(planned.profile, env)
    variables = dict(profile.variables)
    variables.update({s.name: s.value for s in planned.secrets if s.kind is SecretUse.VARIABLE})
    with httpx.Client() as client:
        for request in planned.requests:
            built = build(request.spec, api_base=profile.api_base_url, variables=variables)
            assert client.send(built).status_code == 200


def test_requests_match_what_newman_sent(tmp_path: Path, recorder: RecordingApi) -> None:
    """Method, path, query, headers and body of each request equal newman's, in order."""
    collection, environment = peers.make_postman(
        tmp_path,
        settings(
            recorder.base, f"{recorder.base}/token", "orders-client", "s3cr3t-value", "api:read"
        ),
    )
    assert detect(collection) is Format.POSTMAN_COLLECTION
    assert detect(environment) is Format.POSTMAN_VARIABLES

    ran = peers.newman(collection, environment)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    by_newman = recorder.take()
    assert len(by_newman) == 5

    plan = read_sources([collection, environment])
    send_like_tokendesk(plan, "Staging")
    by_tokendesk = recorder.take()

    def comparable(seen: list[Recorded]) -> list[tuple[object, ...]]:
        # The API key is auth Tokendesk keeps without (reported in the plan), like Authorization.
        kept = []
        for record in seen:
            method, path, query, headers, body = record.comparable()
            assert isinstance(headers, tuple)
            kept.append(
                (method, path, query, tuple(h for h in headers if h[0] != "x-legacy-key"), body)
            )
        return kept

    assert comparable(by_tokendesk) == comparable(by_newman)
    assert any(k.lower() == "x-legacy-key" for k, _ in by_newman[4].headers)


def test_plan_reads_profile_environment_secrets_and_report(tmp_path: Path) -> None:
    """The collection's auth and the environment become one profile with a Staging environment;
    secrets are held apart and named (never shown) in the report."""
    collection, environment = peers.make_postman(
        tmp_path,
        settings(
            "https://api.example.com",
            "https://id.example.com/oauth/token",
            "cid",
            "s3cr3t-value",
            "orders:read orders:write",
        ),
    )
    plan = read_sources([collection, environment])
    (planned,) = plan.profiles
    profile = planned.profile
    assert profile.name == "Orders API"
    assert profile.token_url == "https://id.example.com/oauth/token"
    assert profile.client_id == "cid"
    assert profile.scopes == ("orders:read", "orders:write")
    assert profile.api_base_url == "https://api.example.com"
    assert [e.name for e in profile.environments] == ["Staging"]
    assert planned.source_key == "postman:8a1f0c2e-orders-api"
    assert [r.saved_name for r in planned.requests] == [
        "Orders / List orders",
        "Orders / Create order",
        "Orders / Update order",
        "Misc / Public status",
        "Misc / Legacy report",
    ]
    modes = [r.spec.auth for r in planned.requests]
    assert modes == [AuthMode.PROFILE] * 3 + [AuthMode.NONE] * 2
    kinds = {(s.kind, s.environment, s.name) for s in planned.secrets}
    assert (SecretUse.CLIENT_SECRET, "Staging", "client secret") in kinds
    assert (SecretUse.VARIABLE, "Staging", "apiKey") in kinds
    assert "s3cr3t-value" not in json.dumps(profile.to_dict())
    assert "s3cr3t-value" not in repr(plan)
    env_report = next(r for r in plan.reports if r.path == str(environment))
    assert env_report.secrets == ("apiKey", "clientSecret")
    coll_report = next(r for r in plan.reports if r.path == str(collection))
    assert coll_report.kept_without_auth == ("Legacy report (apikey)",)
    assert plan.summary() == (
        "1 profile, 5 requests, 1 environment; "
        "2 client secrets and 1 secret variable go into the keychain"
    )


@pytest.mark.idp
@pytest.mark.keychain
def test_imported_profile_gets_a_token_and_its_first_request_returns_200(
    tmp_path: Path, idp: IdentityServer, api: ResourceServer
) -> None:
    """Import in one step, then the first saved request goes out with a token from the real
    identity server and the real resource server says 200; no secret reaches any file."""
    client = idp.clients["basic"]
    assert client.secret is not None
    collection, environment = peers.make_postman(
        tmp_path,
        settings(api.base, idp.token_endpoint, client.client_id, client.secret, "api:read"),
    )
    sources_before = {p: p.read_bytes() for p in (collection, environment)}
    config, data = tmp_path / "config", tmp_path / "data"

    async def scenario() -> tuple[int, str]:
        secrets = KeyringSecretStore()
        desk = open_desk(config, data, secrets=secrets)
        try:
            plan = desk.read_import([collection, environment])
            report = await desk.apply_import(plan)
            assert report.created == ("Orders API",)
            profile = desk.find("Orders API")
            staging = desk.in_environment(profile, "Staging")
            assert await secrets.get(staging.id, SecretKind.CLIENT_SECRET) == client.secret
            assert await secret_variables(secrets, profile, "Staging") == {"apiKey": API_KEY}
            saved = desk.saved_requests(profile.id)
            first = next(s for s in saved if s.name == "Orders / List orders")
            assert first.folder == ("Orders",)
            response = await desk.send(profile, first.spec, env="Staging")
            token = await desk.get_token(profile, env="Staging")
            return response.status, token.access_token
        finally:
            await desk.shutdown()

    status, access_token = asyncio.run(scenario())
    assert status == 200
    assert {p: p.read_bytes() for p in sources_before} == sources_before, "import changed a source"
    written = [p for root in (config, data) for p in root.rglob("*") if p.is_file()]
    assert any(p.name == "profiles.json" for p in written)
    for path in written:
        content = path.read_bytes()
        for value in (client.secret, API_KEY, access_token):
            assert value.encode() not in content, f"{path} holds a secret"


def test_reimport_updates_without_duplicates_and_says_what_changed(tmp_path: Path) -> None:
    """The same source twice: one profile, no new requests; a changed source updates in place."""
    first, second = tmp_path / "one", tmp_path / "two"
    first.mkdir(), second.mkdir()
    a = peers.make_postman(
        first,
        settings(
            "https://api.example.com",
            "https://id.example.com/token",
            "cid",
            "old-secret-1",
            "orders:read",
        ),
    )
    b = peers.make_postman(
        second,
        settings(
            "https://api.example.com",
            "https://id.example.com/token",
            "cid",
            "new-secret-2",
            "orders:read orders:write",
        ),
    )

    async def scenario() -> tuple[list[str], list[str], int, MemorySecretStore, ProfileStore]:
        store, secrets = ProfileStore(tmp_path / "config"), MemorySecretStore()
        history = HistoryStore(tmp_path / "data")
        try:
            r1 = await apply_plan(
                read_sources(list(a)), store=store, secrets=secrets, history=history
            )
            r2 = await apply_plan(
                read_sources(list(a)), store=store, secrets=secrets, history=history
            )
            r3 = await apply_plan(
                read_sources(list(b)), store=store, secrets=secrets, history=history
            )
            assert r1.created == ("Orders API",)
            assert r2.updated == ("Orders API",)
            (profile,) = store.load()
            return (
                list(r2.changes),
                list(r3.changes),
                len(history.saved(profile.id)),
                secrets,
                store,
            )
        finally:
            history.close()

    unchanged, changed, saved, secrets, store = asyncio.run(scenario())
    assert unchanged == ["Orders API: no changes"]
    assert changed == ["Orders API: changed scopes, variables"]
    assert saved == 5
    (profile,) = store.load()
    staging = effective_profile(profile, "Staging")
    assert secrets.values[(staging.id, SecretKind.CLIENT_SECRET)] == "new-secret-2"
    assert staging.scopes == ("orders:read", "orders:write")
