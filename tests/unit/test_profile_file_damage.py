"""Wrong-shaped profiles files and imports (issue 10, items 7, 12, 16): a plain "damaged file"
error, the file untouched; never a crash, never a bad value saved."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.errors import ProfileError, ProfileStoreError
from app.core.profiles import Profile
from app.storage.profile_store import ProfileStore, export_profiles, import_profiles

GOOD = {"name": "x", "client_id": "c", "token_url": "https://idp.example/token"}


def document(profiles: object) -> str:
    return json.dumps({"format": "tokendesk.profiles", "version": 1, "profiles": profiles})


DAMAGED = [
    document(None),
    document([None]),
    document([5]),
    document({"a": 1}),
    document([{**GOOD, "name": 5}]),
    document([{**GOOD, "ca_bundle": 5}]),
    document([{**GOOD, "scopes": "read"}]),
    document([{**GOOD, "scopes": [1, 2]}]),
    document([{**GOOD, "extra_params": [["a"]]}]),
    document([{**GOOD, "extra_params": [[1, 2]]}]),
    document([{**GOOD, "variables": {"a": "b"}}]),
    document([{**GOOD, "verify_tls": "no"}]),
    document([{**GOOD, "id": 7}]),
    document([{**GOOD, "id": "a/b"}]),
    document([{"client_id": "c"}]),
    document([{**GOOD, "api_base_url": "https://api.example:99999/"}]),
    document([{**GOOD, "token_url": "https://[::1:443/token"}]),
    document([{**GOOD, "allowed_origins": ["https://a:70000"]}]),
    document([{**GOOD, "id": "same"}, {**GOOD, "name": "y", "id": "same"}]),
    '{"format": "tokendesk.profiles", "version": true, "profiles": []}',
    '{"format": "tokendesk.profiles", "version": 1, "profiles": ' + "[" * 5000 + "]" * 5000 + "}",
]


@pytest.mark.parametrize("content", DAMAGED)
def test_damaged_file_is_a_store_error_and_stays_untouched(tmp_path: Path, content: str) -> None:
    path = tmp_path / "profiles.json"
    path.write_text(content)
    store = ProfileStore(tmp_path)
    with pytest.raises(ProfileStoreError) as caught:
        store.load()
    assert caught.value.hint
    with pytest.raises(ProfileStoreError):
        store.save(Profile(name="new", client_id="c", token_url="https://i/t"))
    assert path.read_text() == content


def test_non_utf8_file_is_damaged_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "profiles.json"
    path.write_bytes(b'{"format": "tokendesk.profiles", "name": "\xff\xfe"}')
    with pytest.raises(ProfileStoreError) as caught:
        ProfileStore(tmp_path).load()
    assert "damaged" in caught.value.message
    assert path.read_bytes().endswith(b'\xff\xfe"}')


def export_of(profiles: object) -> str:
    return json.dumps({"format": "tokendesk.profiles.export", "version": 1, "profiles": profiles})


@pytest.mark.parametrize(
    "entries",
    [None, [None], ["x"], [{**GOOD, "ca_bundle": 5}], [GOOD, {**GOOD, "scopes": [None]}]],
)
def test_import_refuses_wrong_values_as_a_whole(entries: object) -> None:
    with pytest.raises(ProfileError) as caught:
        import_profiles(export_of(entries), [])
    assert "damaged" in caught.value.message or "not a Tokendesk" in caught.value.message


def test_import_is_all_or_nothing_in_the_store(tmp_path: Path) -> None:
    """Item 16: a clash in the middle of an import used to leave a partial import."""
    store = ProfileStore(tmp_path)
    store.save(Profile(name="Taken", client_id="c", token_url="https://i/t"))
    first = Profile(name="New one", client_id="c", token_url="https://i/t")
    clash = Profile(name="taken", client_id="c", token_url="https://i/t")
    with pytest.raises(ProfileError):
        store.add_all([first, clash])
    assert [p.name for p in ProfileStore(tmp_path).load()] == ["Taken"]


def test_importing_two_thousand_profiles_is_one_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 16: import saved (and fsynced) once per profile, rereading every time: 87 s for
    2,000. Counted in writes, not seconds (no timed assertions)."""
    from app.storage import profile_store

    writes: list[Path] = []
    real = profile_store.atomic_write

    def counting(path: Path, text: str, *, backup: Path | None = None) -> None:
        writes.append(path)
        real(path, text, backup=backup)

    monkeypatch.setattr(profile_store, "atomic_write", counting)
    store = ProfileStore(tmp_path)
    text = export_profiles(
        Profile(name=f"P{i}", client_id="c", token_url="https://i/t") for i in range(2000)
    )
    store.add_all(import_profiles(text, store.load()))
    assert writes == [store.path]
    assert len(ProfileStore(tmp_path).load()) == 2000


def test_duplicate_names_in_one_export_become_unique() -> None:
    text = export_of([GOOD, {**GOOD, "name": "X "}, {**GOOD, "name": " x"}])
    names = [p.name for p in import_profiles(text, [])]
    assert len({n.casefold() for n in names}) == 3


@pytest.mark.parametrize(
    "url", ["https://api.example:99999/", "https://api.example:0/", "https://[::1:443/"]
)
def test_out_of_range_ports_are_a_profile_problem(url: str) -> None:
    """Item 12: profile validation accepted such ports."""
    profile = Profile(name="p", client_id="c", token_url="https://i/t", api_base_url=url)
    assert any(p.field == "api_base_url" and p.blocking for p in profile.problems())
    with pytest.raises(ProfileError):
        profile.check()


def test_load_notices_another_writer(tmp_path: Path) -> None:
    """The window drops a profile the CLI added: load() now re-reads a changed file."""
    window, cli = ProfileStore(tmp_path), ProfileStore(tmp_path)
    window.save(Profile(name="A", client_id="c", token_url="https://i/t"))
    assert [p.name for p in window.load()] == ["A"]
    revision = window.revision()
    cli.save(Profile(name="B", client_id="c", token_url="https://i/t"))
    assert window.revision() != revision
    assert [p.name for p in window.load()] == ["A", "B"]
    window.save(Profile(name="C", client_id="c", token_url="https://i/t"))
    assert [p.name for p in cli.load()] == ["A", "B", "C"]


def test_stale_cache_never_drops_the_other_writers_profile(tmp_path: Path) -> None:
    window, cli = ProfileStore(tmp_path), ProfileStore(tmp_path)
    a = Profile(name="A", client_id="c", token_url="https://i/t")
    window.save(a)
    window.load()
    cli.save(Profile(name="B", client_id="c", token_url="https://i/t"))
    window._revision = window.revision()  # even if a change went unnoticed (same stat)
    window.save(a.with_changes(notes="edited"))
    assert sorted(p.name for p in ProfileStore(tmp_path).load()) == ["A", "B"]


def test_edit_of_a_profile_changed_underneath_is_a_conflict(tmp_path: Path) -> None:
    from app.core.errors import ProfileChangedError

    window, cli = ProfileStore(tmp_path), ProfileStore(tmp_path)
    base = Profile(name="A", client_id="c", token_url="https://i/t")
    window.save(base)
    cli.save(base.with_changes(scopes=("cli",)))
    with pytest.raises(ProfileChangedError) as caught:
        window.save(base.with_changes(notes="mine"), base=base)
    assert caught.value.current is not None
    assert caught.value.current.scopes == ("cli",)
    window.save(base.with_changes(notes="mine"), base=caught.value.current)
    assert ProfileStore(tmp_path).load()[0].notes == "mine"


def test_stale_temp_files_are_cleaned_and_backup_is_whole(tmp_path: Path) -> None:
    """Item 10: temp files piled up after kills; the backup could be left cut."""
    store = ProfileStore(tmp_path)
    store.save(Profile(name="A", client_id="c", token_url="https://i/t"))
    for name in (".profiles.json.abc.tmp", ".profiles.json.bak.def.tmp"):
        (tmp_path / name).write_text("{half")
    store.save(Profile(name="B", client_id="c", token_url="https://i/t"))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "profiles.json",
        "profiles.json.bak",
        "profiles.json.lock",
    ]
    assert json.loads(store.backup_path.read_text())["profiles"][0]["name"] == "A"


def test_a_held_lock_is_a_plain_busy_error(tmp_path: Path) -> None:
    from filelock import FileLock

    store = ProfileStore(tmp_path, lock_timeout=0.05)
    with FileLock(store.lock_path), pytest.raises(ProfileStoreError) as caught:
        store.save(Profile(name="A", client_id="c", token_url="https://i/t"))
    assert not store.path.exists()
    assert "busy" in caught.value.message


def test_every_profile_field_is_checked_on_read() -> None:
    """A new Profile field must get a type check too, or wrong values would be saved again."""
    from dataclasses import fields

    from app.core.profile_schema import HANDLED

    assert {f.name for f in fields(Profile)} == set(HANDLED)
