"""Building a `Desk` from real parts: the one place the CLI and the window both wire from."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.http_clients import HttpClients
from app.core.secrets import SecretStore
from app.core.token_manager import TokenManager
from app.desk.desk import SANDBOX_ID, Desk
from app.storage import paths
from app.storage.profile_store import ProfileStore

if TYPE_CHECKING:
    from app.storage.history_store import HistoryStore


def utc_now() -> datetime:
    return datetime.now(UTC)


def open_desk(
    config_dir: Path | None = None,
    data_dir: Path | None = None,
    *,
    secrets: SecretStore | None = None,
    session: bool = False,
    clock: Callable[[], datetime] = utc_now,
) -> Desk:
    """`session=True` (the window): secrets fall back to memory for the run when there is no
    keychain, and the sandbox's never touch it. The CLI keeps the plain keychain: a process that
    ends at once has no session to keep secrets for."""
    config = paths.config_dir(config_dir)
    data = paths.data_dir(data_dir)
    if secrets is None:
        from app.storage.secrets import KeyringSecretStore

        secrets = KeyringSecretStore()
    if session:
        from app.desk.session_secrets import SessionSecretStore

        secrets = SessionSecretStore(secrets, memory_only=frozenset({SANDBOX_ID}))
    http = HttpClients()

    def history() -> HistoryStore:
        from app.storage.history_store import HistoryStore

        data.mkdir(parents=True, exist_ok=True)
        return HistoryStore(data)

    return Desk(
        store=ProfileStore(config),
        secrets=secrets,
        tokens=TokenManager(http, secrets, clock=clock),
        http=http,
        history=history,
    )
