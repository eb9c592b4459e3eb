from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from app.core.errors import ProfileError, ProfileStoreError
from app.core.profiles import Profile
from app.storage.profile_store import ProfileStore, export_profiles, import_profiles


def profile(name: str = "Orders") -> Profile:
    return Profile(name=name, client_id="c", token_url="https://idp.example/token")


def test_save_load_round_trip_and_backup(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    first, second = profile("A"), profile("B")
    store.save(first)
    store.save(second)
    assert ProfileStore(tmp_path).load() == [first, second]
    backup = json.loads(store.backup_path.read_text())
    assert [p["name"] for p in backup["profiles"]] == ["A"]
    assert oct(os.stat(store.path).st_mode & 0o777) == "0o600"
    assert not list(tmp_path.glob(".profiles.json.*.tmp"))


def test_rename_keeps_the_id(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    original = profile("Old")
    store.save(original)
    store.save(original.with_changes(name="New"))
    (loaded,) = ProfileStore(tmp_path).load()
    assert (loaded.id, loaded.name) == (original.id, "New")


def test_names_are_unique_case_insensitively(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    store.save(profile("Orders"))
    with pytest.raises(ProfileError):
        store.save(profile("orders"))
    assert store.find("ORDERS") is not None


def test_remove(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    keep, drop = profile("Keep"), profile("Drop")
    store.save(keep)
    store.save(drop)
    store.remove(drop.id)
    assert ProfileStore(tmp_path).load() == [keep]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("{ this is not json", "damaged"),
        ('{"format": "something-else", "version": 1}', "not a Tokendesk profiles file"),
        ('{"format": "tokendesk.profiles", "version": 99, "profiles": []}', "newer version"),
        (
            '{"format": "tokendesk.profiles", "version": 1, "profiles": [{"name": "x", '
            '"client_id": "c", "auth_method": "telepathy"}]}',
            "cannot read",
        ),
    ],
)
def test_unreadable_file_is_reported_and_never_overwritten(
    tmp_path: Path, content: str, words: str
) -> None:
    (tmp_path / "profiles.json").write_text(content)
    store = ProfileStore(tmp_path)
    with pytest.raises(ProfileStoreError) as caught:
        store.load()
    assert words in caught.value.message
    assert caught.value.hint
    with pytest.raises(ProfileStoreError):
        store.save(profile())
    assert (tmp_path / "profiles.json").read_text() == content


def test_a_crash_before_rename_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ProfileStore(tmp_path)
    store.save(profile("Before"))
    before = store.path.read_text()

    def crash(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(ProfileStoreError) as caught:
        store.save(profile("After"))
    assert "could not be saved" in caught.value.message
    assert store.path.read_text() == before
    assert not list(tmp_path.glob(".profiles.json.*.tmp"))


def test_export_has_no_ids_and_import_makes_fresh_ids_and_unique_names() -> None:
    existing = [profile("Orders")]
    text = export_profiles([profile("Orders"), profile("Billing")])
    assert '"id"' not in text
    imported = import_profiles(text, existing)
    assert [p.name for p in imported] == ["Orders (2)", "Billing"]
    assert all(p.id != existing[0].id for p in imported)


@pytest.mark.parametrize(
    "text",
    ["nope", "[]", '{"format": "tokendesk.profiles.export", "version": 7, "profiles": []}'],
)
def test_import_refuses_what_is_not_an_export(text: str) -> None:
    with pytest.raises(ProfileError):
        import_profiles(text, [])
