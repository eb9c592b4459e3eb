"""Redaction by value knows the profile's secrets without a keychain round trip per send; what
is written through the Desk is never remembered stale, what another process wrote is picked up
once the remembered values are old."""

from __future__ import annotations

import asyncio

from app.core.secrets import SecretKind
from app.desk.known_secrets import FRESH_FOR, KnownSecrets, Watched
from tests.support.memory_secrets import MemorySecretStore


class Counting(MemorySecretStore):
    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    async def get(self, profile_id: str, kind: SecretKind) -> str | None:
        self.reads += 1
        value = await super().get(profile_id, kind)
        await asyncio.sleep(0)  # a real keychain answers later, on another thread
        return value


def test_read_once_then_remembered_then_refreshed_in_the_background() -> None:
    async def go() -> None:
        raw = Counting()
        now = [0.0]
        known = KnownSecrets(raw, clock=lambda: now[0])
        await raw.set("p", SecretKind.CLIENT_SECRET, "first-secret")
        assert known.remembered("p") is None  # nothing yet: the send reads, alongside itself
        assert await known.values("p") == ("first-secret",)
        assert known.remembered("p") == ("first-secret",)  # the usual send waits for nothing
        reads = raw.reads
        for _ in range(20):
            assert await known.values("p") == ("first-secret",)
        assert raw.reads == reads  # twenty sends, no keychain read
        await raw.set("p", SecretKind.CLIENT_SECRET, "set-by-the-cli")  # another process
        now[0] = FRESH_FOR + 1
        assert await known.values("p") == ("first-secret",)  # this send does not wait
        await asyncio.sleep(0.01)  # the background read lands
        assert await known.values("p") == ("set-by-the-cli",)
        await known.aclose()

    asyncio.run(go())


def test_writes_through_the_desk_are_never_remembered_stale() -> None:
    async def go() -> None:
        raw = Counting()
        known = KnownSecrets(raw)
        store = Watched(raw, known)
        await store.set("p", SecretKind.CLIENT_SECRET, "old-secret")
        await store.set("p~staging", SecretKind.CLIENT_SECRET, "staging-secret")
        assert await known.values("p", "p~staging") == ("old-secret", "staging-secret")
        await store.set("p", SecretKind.PRIVATE_KEY, "new-private-key")
        assert await known.values("p") == ("old-secret", "new-private-key")
        await store.delete_all("p")  # the profile and its environments are gone
        assert await known.values("p", "p~staging") == ("staging-secret",)
        await raw.delete_all("p~staging")
        await store.delete("p", SecretKind.CLIENT_SECRET)
        assert await known.values("p~staging") == ()

    asyncio.run(go())


def test_a_read_that_began_before_a_write_does_not_bring_old_values_back() -> None:
    async def go() -> None:
        raw = Counting()
        known = KnownSecrets(raw)
        store = Watched(raw, known)
        await raw.set("p", SecretKind.CLIENT_SECRET, "old-secret")
        reading = asyncio.ensure_future(known.values("p"))
        await asyncio.sleep(0)  # the read is under way
        await store.set("p", SecretKind.CLIENT_SECRET, "new-secret")
        await reading
        assert await known.values("p") == ("new-secret",)

    asyncio.run(go())


def test_the_store_underneath_still_answers_for_itself() -> None:
    raw = MemorySecretStore()
    raw.in_memory = True  # type: ignore[attr-defined]
    assert Watched(raw, KnownSecrets(raw)).in_memory is True  # type: ignore[attr-defined]
