"""The profile secrets that redaction by value needs, remembered for a while: reading them from
the keychain for every send would put two D-Bus round trips (milliseconds each) on the path of
every request. What this Desk writes is forgotten at once; what another process writes (the CLI's
`set-secret`) is picked up by a background read once the remembered values are FRESH_FOR old."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from app.core.environments import ENV_SEPARATOR
from app.core.errors import KeychainError
from app.core.secrets import SecretKind, SecretStore

log = logging.getLogger(__name__)

# What a person may type into a request by hand and must never find written down. Keys of the
# TLS client certificate and of DPoP never appear in a request: not read for this.
TYPED_SECRETS = (SecretKind.CLIENT_SECRET, SecretKind.PRIVATE_KEY)
FRESH_FOR = 30.0  # seconds


class KnownSecrets:
    def __init__(
        self, secrets: SecretStore, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._secrets = secrets
        self._clock = clock
        self._known: dict[str, tuple[float, tuple[str, ...]]] = {}
        self._refreshing: dict[str, asyncio.Task[None]] = {}
        self._forgotten = 0  # a read that began before a forget() must not bring old values back

    def remembered(self, *profile_ids: str) -> tuple[str, ...] | None:
        """`values` without waiting, when every one is remembered (the usual send); else None."""
        found: list[str] = []
        for profile_id in profile_ids:
            known = self._known.get(profile_id)
            if known is None:
                return None
            self._refresh_if_old(profile_id, known[0])
            found += known[1]
        return tuple(found)

    def _refresh_if_old(self, profile_id: str, at: float) -> None:
        if self._clock() - at > FRESH_FOR and profile_id not in self._refreshing:
            self._refreshing[profile_id] = asyncio.ensure_future(self._refresh(profile_id))

    async def values(self, *profile_ids: str) -> tuple[str, ...]:
        """The typed secrets of these profiles: read once, then remembered (and re-read in the
        background when old). A keychain that cannot be read gives none: whatever needed the
        secret has already said so, and the redaction by name stays."""
        found: list[str] = []
        for profile_id in dict.fromkeys(profile_ids):
            known = self._known.get(profile_id)
            if known is None:
                found += await self._read(profile_id)
                continue
            self._refresh_if_old(profile_id, known[0])
            found += known[1]
        return tuple(found)

    def forget(self, profile_id: str) -> None:
        """This profile's secrets changed (or it is gone), and those of its environments."""
        self._forgotten += 1
        for known in [k for k in self._known if k.split(ENV_SEPARATOR, 1)[0] == profile_id]:
            del self._known[known]

    async def aclose(self) -> None:
        for task in list(self._refreshing.values()):
            task.cancel()
        await asyncio.gather(*self._refreshing.values(), return_exceptions=True)

    async def _read(self, profile_id: str) -> tuple[str, ...]:
        at, generation = self._clock(), self._forgotten
        try:
            read = [await self._secrets.get(profile_id, kind) for kind in TYPED_SECRETS]
        except KeychainError as exc:
            log.debug("secrets not read for redaction: %s", exc.message)
            return ()
        values = tuple(v for v in read if v)
        if generation == self._forgotten:
            self._known[profile_id] = (at, values)
        return values

    async def _refresh(self, profile_id: str) -> None:
        try:
            await self._read(profile_id)
        finally:
            self._refreshing.pop(profile_id, None)


class Watched:
    """A SecretStore that tells `known` of every write through it, so no path that writes a
    secret (a save, an import, a certificate, a put-back) can leave a remembered value behind.
    Everything else (`in_memory`, `check`, `save_to_keychain`) is the store's own."""

    def __init__(self, store: SecretStore, known: KnownSecrets) -> None:
        self._store = store
        self._known = known

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    async def get(self, profile_id: str, kind: SecretKind) -> str | None:
        return await self._store.get(profile_id, kind)

    async def set(self, profile_id: str, kind: SecretKind, value: str) -> None:
        self._known.forget(profile_id)
        await self._store.set(profile_id, kind, value)
        self._known.forget(profile_id)  # and a read that ran meanwhile is not kept

    async def delete(self, profile_id: str, kind: SecretKind) -> None:
        self._known.forget(profile_id)
        await self._store.delete(profile_id, kind)
        self._known.forget(profile_id)

    async def delete_all(self, profile_id: str) -> None:
        self._known.forget(profile_id)
        await self._store.delete_all(profile_id)
        self._known.forget(profile_id)
