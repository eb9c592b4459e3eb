"""Secrets for one run of the window: the OS keychain when there is one, memory when there is not.

A person without a running keychain can still use Tokendesk for the session (issue: "no keychain
must not mean no product"); nothing is ever written in plain text. The sandbox's secrets never
touch the keychain: they are random and die with the sandbox.
"""

from __future__ import annotations

import logging

from app.core.errors import InsecureKeychainError, KeychainError, NoKeychainError
from app.core.secrets import SecretKind, SecretStore

log = logging.getLogger(__name__)

# Only these mean "there is no keychain to use". A locked keychain, a timeout or a refused call
# are worth telling the person, not a reason to stop using the keychain for the whole session:
# a delete that skipped the keychain would orphan the secret there.
ABSENT = (NoKeychainError, InsecureKeychainError)


class SessionSecretStore:
    def __init__(self, keychain: SecretStore, *, memory_only: frozenset[str] = frozenset()) -> None:
        self._keychain = keychain
        self._memory: dict[tuple[str, SecretKind], str] = {}
        self._memory_only = memory_only
        self.keychain_error: KeychainError | None = None

    @property
    def in_memory(self) -> bool:
        """True while secrets of real profiles are kept in memory for want of a keychain."""
        return self.keychain_error is not None

    def _local(self, profile_id: str) -> bool:
        return self.in_memory or profile_id in self._memory_only

    def _fall_back(self, exc: KeychainError) -> None:
        if not isinstance(exc, ABSENT):
            log.warning("Keychain call failed: %s %s", exc.message, exc.details)
            raise exc
        if self.keychain_error is None:
            log.warning("Keychain unavailable, keeping secrets in memory: %s", exc.message)
        self.keychain_error = exc

    async def check(self) -> None:
        """Raises the keychain's error when it does not answer (and switches to memory)."""
        check = getattr(self._keychain, "check", None)
        if check is None:
            return
        try:
            await check()
        except KeychainError as exc:
            self._fall_back(exc)
            raise

    async def get(self, profile_id: str, kind: SecretKind) -> str | None:
        if (profile_id, kind) in self._memory or self._local(profile_id):
            return self._memory.get((profile_id, kind))
        try:
            return await self._keychain.get(profile_id, kind)
        except KeychainError as exc:
            self._fall_back(exc)
            return None

    async def set(self, profile_id: str, kind: SecretKind, value: str) -> None:
        if not self._local(profile_id):
            try:
                await self._keychain.set(profile_id, kind, value)
                return
            except KeychainError as exc:
                self._fall_back(exc)
        self._memory[(profile_id, kind)] = value

    async def delete(self, profile_id: str, kind: SecretKind) -> None:
        self._memory.pop((profile_id, kind), None)
        if not self._local(profile_id):
            try:
                await self._keychain.delete(profile_id, kind)
            except KeychainError as exc:
                self._fall_back(exc)

    async def delete_all(self, profile_id: str) -> None:
        for kind in SecretKind:
            await self.delete(profile_id, kind)

    async def save_to_keychain(self) -> int:
        """The keychain is back: move the session's secrets into it. Returns how many moved;
        raises the keychain's error (and stays in memory) when it still does not answer."""
        check = getattr(self._keychain, "check", None)
        if check is not None:
            await check()
        self.keychain_error = None
        moved = 0
        for (profile_id, kind), value in list(self._memory.items()):
            if profile_id in self._memory_only:
                continue
            await self._keychain.set(profile_id, kind, value)
            del self._memory[(profile_id, kind)]
            moved += 1
        return moved
