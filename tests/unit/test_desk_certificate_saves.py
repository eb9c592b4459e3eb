"""A certificate's key goes to the keychain with the profile's save and only then: an edit that
meets a conflict leaves the keychain as it was, and a save the file refuses puts back the keys it
replaced (the profile file and the keychain never disagree about which certificate is in use)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from filelock import FileLock

from app.core import certs
from app.core.errors import ProfileChangedError, ProfileStoreError
from app.core.http_clients import HttpClients
from app.core.profiles import Profile
from app.core.secrets import SecretKind
from app.core.token_manager import TokenManager
from app.desk import Desk
from app.storage.history_store import HistoryStore
from app.storage.profile_store import ProfileStore
from tests.support import test_certs
from tests.support.memory_secrets import MemorySecretStore

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
OLD_CERT, OLD_KEY = test_certs.self_signed("old.client.example")
NEW_CERT, NEW_KEY = test_certs.self_signed("new.client.example")


def desk_on(tmp_path: Path, secrets: MemorySecretStore) -> Desk:
    http = HttpClients()
    return Desk(
        store=ProfileStore(tmp_path / "config", lock_timeout=0.05),
        secrets=secrets,
        tokens=TokenManager(http, secrets, clock=lambda: NOW),
        http=http,
        history=lambda: HistoryStore(tmp_path / "data"),
    )


def profile() -> Profile:
    return Profile(name="Bound", client_id="c", token_url="https://idp.example/token")


def test_a_conflicting_edit_writes_no_certificate_key(tmp_path: Path) -> None:
    secrets = MemorySecretStore()
    new = certs.load_pem_pair(NEW_CERT, NEW_KEY, NOW)

    async def go() -> None:
        desk = desk_on(tmp_path, secrets)
        try:
            base = await desk.add_profile(profile(), secret="s3cret-value")
            await desk.save_profile(base.with_changes(notes="changed elsewhere"))
            with pytest.raises(ProfileChangedError):
                await desk.save_profile(
                    base.with_changes(notes="mine"),
                    secret="other-secret",
                    base=base,
                    certificates=[(new, True)],
                )
            assert await secrets.get(base.id, SecretKind.CLIENT_CERT_KEY) is None
            assert await secrets.get(base.id, SecretKind.CLIENT_SECRET) == "s3cret-value"
            assert desk.profile(base.id).client_cert == ""  # type: ignore[union-attr]
        finally:
            await desk.shutdown()

    asyncio.run(go())


def test_a_refused_save_puts_back_the_keys_it_replaced(tmp_path: Path) -> None:
    secrets = MemorySecretStore()
    old = certs.load_pem_pair(OLD_CERT, OLD_KEY, NOW)
    new = certs.load_pem_pair(NEW_CERT, NEW_KEY, NOW)

    async def go() -> None:
        desk = desk_on(tmp_path, secrets)
        try:
            saved = await desk.add_profile(
                profile(), secret="s3cret-value", certificates=[(old, True)]
            )
            assert saved.client_cert == old.certificate
            with FileLock(desk.store.lock_path), pytest.raises(ProfileStoreError):
                await desk.save_profile(
                    saved, secret="other-secret", base=saved, certificates=[(new, True)]
                )
            assert await secrets.get(saved.id, SecretKind.CLIENT_CERT_KEY) == old.private_key
            assert await secrets.get(saved.id, SecretKind.CLIENT_SECRET) == "s3cret-value"
            assert desk.profile(saved.id).client_cert == old.certificate  # type: ignore[union-attr]
            # and once the file is free the same save goes through whole
            again = await desk.save_profile(
                saved, secret="other-secret", base=saved, certificates=[(new, True)]
            )
            assert again.client_cert == new.certificate
            assert await secrets.get(saved.id, SecretKind.CLIENT_CERT_KEY) == new.private_key
        finally:
            await desk.shutdown()

    asyncio.run(go())
