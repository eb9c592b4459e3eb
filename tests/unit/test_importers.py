"""Import engine on hand-made input: bad files give one plain error and nothing written; a failing
keychain leaves nothing behind."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from app.core.errors import ImportSourceError, KeychainError
from app.core.secrets import SecretKind
from app.importers import common, detect, read_sources
from app.importers.apply import apply_plan
from app.importers.bruno import parse_bru
from app.storage.history_store import HistoryStore
from app.storage.profile_store import ProfileStore
from tests.support.memory_secrets import MemorySecretStore

COLLECTION = {
    "info": {
        "_postman_id": "c1",
        "name": "Billing",
        "schema": "https://schema.getpostman.com/json/collection/v2.0.0/collection.json",
    },
    "auth": {
        "type": "oauth2",
        "oauth2": {
            "grant_type": "client_credentials",
            "accessTokenUrl": "https://id.example.com/token",
            "clientId": "billing",
            "clientSecret": "inline-secret-42",
            "client_authentication": "body",
            "audience": "https://billing.example.com",
        },
    },
    "item": [
        {
            "name": "Invoices",
            "request": {"method": "GET", "url": "https://billing.example.com/inv"},
        },
        {
            "name": "Basic one",
            "request": {
                "method": "GET",
                "url": "https://billing.example.com/x",
                "auth": {"type": "basic", "basic": {"username": "u"}},
            },
        },
    ],
}


def write(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


def test_postman_v2_0_with_inline_secret(tmp_path: Path) -> None:
    """v2.0 auth as an object; the inline client secret is planned for the keychain and named."""
    plan = read_sources([write(tmp_path, "c.json", COLLECTION)])
    (planned,) = plan.profiles
    assert planned.profile.auth_method == "client_secret_post"
    assert planned.profile.audience == "https://billing.example.com"
    assert [s.value for s in planned.secrets] == ["inline-secret-42"]
    assert plan.reports[0].kept_without_auth == ("Basic one (basic)",)
    assert "clientSecret (collection auth)" in plan.reports[0].secrets
    assert (
        plan.summary()
        == "1 profile, 2 requests, 0 environments; 1 client secret goes into the keychain"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"hello": "world"}', "is not a collection"),
        ('{"info": {"schema": "https://schema.getpostman.com/x"}, "item": [', "damaged"),
        ("[" * 5000 + "]" * 5000, "nested too deeply"),
        ("a: [" * 300, "nested too deeply|damaged"),
        ("\xff\xfe binary", "not a text file"),
    ],
)
def test_bad_input_gives_one_plain_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "input"
    path.write_bytes(content.encode("latin-1"))
    with pytest.raises(ImportSourceError, match=message):
        read_sources([path])


def test_huge_file_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(common, "MAX_BYTES", 1000)
    path = write(tmp_path, "big.json", {"info": {}, "pad": "x" * 2000})
    with pytest.raises(ImportSourceError, match="too large"):
        detect(path)


def test_near_misses_say_what_to_do(tmp_path: Path) -> None:
    """Swagger 2.0 and old Insomnia exports are named, with what to do instead."""
    swagger = write(tmp_path, "api.yaml", "swagger: '2.0'\ninfo: {title: Shop}\npaths: {}\n")
    with pytest.raises(ImportSourceError, match=r"Swagger 2\.0") as caught:
        read_sources([swagger])
    assert "OpenAPI 3" in caught.value.hint
    old = write(tmp_path, "old.json", {"_type": "export", "__export_format": 3, "resources": []})
    with pytest.raises(ImportSourceError, match="format 3"):
        read_sources([old])


def test_environment_alone_is_refused(tmp_path: Path) -> None:
    env = write(
        tmp_path, "e.json", {"name": "Dev", "values": [], "_postman_variable_scope": "environment"}
    )
    with pytest.raises(ImportSourceError, match="together with their collection"):
        read_sources([env])


def test_bru_parser_reads_blocks() -> None:
    parsed = parse_bru(
        "meta {\n  name: A\n}\n\nget {\n  url: https://x/y?a=1\n}\n\nheaders {\n  ~X: 1\n}\n\n"
        'body:json {\n  {\n    "a": 1\n  }\n}\n\nvars:secret [\n  one,\n  two\n]\n',
        Path("a.bru"),
    )
    assert parsed.value("get", "url") == "https://x/y?a=1"
    assert parsed.dicts["headers"][0].enabled is False
    assert parsed.texts["body:json"] == '{\n  "a": 1\n}'
    assert parsed.lists["vars:secret"] == ["one", "two"]


class FailingSecrets(MemorySecretStore):
    """Accepts `allowed` writes, then fails like a keychain that stopped answering."""

    def __init__(self, allowed: int) -> None:
        super().__init__()
        self.allowed = allowed

    async def set(self, profile_id: str, kind: SecretKind, value: str) -> None:
        if self.allowed == 0:
            raise KeychainError("The keychain did not answer.")
        self.allowed -= 1
        await super().set(profile_id, kind, value)


def test_failure_midway_leaves_nothing(tmp_path: Path) -> None:
    """Two collections, the keychain fails on the second secret: no profile, no saved request,
    and the first secret is taken back out of the keychain."""
    second = {**COLLECTION, "info": {**COLLECTION["info"], "_postman_id": "c2", "name": "Two"}}
    plan = read_sources([write(tmp_path, "a.json", COLLECTION), write(tmp_path, "b.json", second)])
    secrets = FailingSecrets(allowed=1)
    store = ProfileStore(tmp_path / "config")
    history = HistoryStore(tmp_path / "data")
    try:
        with pytest.raises(KeychainError):
            asyncio.run(apply_plan(plan, store=store, secrets=secrets, history=history))
        assert secrets.values == {}
        assert store.load() == []
        assert not store.path.exists()
    finally:
        history.close()


def test_invalid_plan_writes_nothing(tmp_path: Path) -> None:
    broken = {**COLLECTION, "variable": [{"key": "x", "value": "1"}]}
    broken["auth"] = {
        "type": "oauth2",
        "oauth2": {**COLLECTION["auth"]["oauth2"], "accessTokenUrl": "ftp://id.example.com"},  # type: ignore[index]
    }
    plan = read_sources([write(tmp_path, "a.json", broken)])
    secrets = MemorySecretStore()
    store = ProfileStore(tmp_path / "config")
    history = HistoryStore(tmp_path / "data")
    try:
        with pytest.raises(ImportSourceError, match="cannot be imported"):
            asyncio.run(apply_plan(plan, store=store, secrets=secrets, history=history))
        assert secrets.values == {}
        assert store.load() == []
    finally:
        history.close()
