"""Several profiles written at once (an import) merge with what another writer added meanwhile."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import ProfileError
from app.core.profiles import Profile
from app.storage.profile_store import ProfileStore


def make(name: str) -> Profile:
    return Profile(name=name, client_id="c", token_url="https://idp.example/token")


def test_save_all_keeps_a_profile_another_writer_added_after_the_read(tmp_path: Path) -> None:
    """The window read the file, the CLI then added one, the window imports two: three remain."""
    window, cli = ProfileStore(tmp_path), ProfileStore(tmp_path)
    window.load()
    cli.save(make("From the CLI"))
    window.save_all([make("Imported A"), make("Imported B")])
    assert sorted(p.name for p in ProfileStore(tmp_path).load()) == [
        "From the CLI",
        "Imported A",
        "Imported B",
    ]


def test_save_all_replaces_by_id_and_refuses_a_name_clash_whole(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    first = make("Orders")
    store.save(first)
    store.save_all([first.with_changes(scopes=("orders:read",))])
    assert store.load()[0].scopes == ("orders:read",)
    with pytest.raises(ProfileError):
        store.save_all([make("Fresh"), make("orders")])
    assert [p.name for p in ProfileStore(tmp_path).load()] == ["Orders"]


def test_remove_all_removes_only_the_chosen(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    keep, drop = make("Keep"), make("Drop")
    store.save_all([keep, drop])
    store.remove_all([drop.id])
    assert [p.name for p in store.load()] == ["Keep"]
