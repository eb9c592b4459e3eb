"""An in-memory SecretStore for unit tests of core logic; never wired into the app."""

from __future__ import annotations

from app.core.secrets import SecretKind


class MemorySecretStore:
    def __init__(self) -> None:
        self.values: dict[tuple[str, SecretKind], str] = {}

    async def get(self, profile_id: str, kind: SecretKind) -> str | None:
        return self.values.get((profile_id, kind))

    async def set(self, profile_id: str, kind: SecretKind, value: str) -> None:
        self.values[(profile_id, kind)] = value

    async def delete(self, profile_id: str, kind: SecretKind) -> None:
        self.values.pop((profile_id, kind), None)

    async def delete_all(self, profile_id: str) -> None:
        for kind in SecretKind:
            await self.delete(profile_id, kind)
