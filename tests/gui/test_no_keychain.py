"""No keychain must not mean no product: the window works for the session with secrets in
memory, says so once, writes nothing secret to disk, and moves them to a keychain that appears."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from keyring.backends.fail import Keyring as FailKeyring
from PySide6.QtCore import QSettings, Qt

from app.core.errors import NoKeychainError
from app.core.secrets import SecretKind
from app.desk.desk import SANDBOX_ID
from app.desk.session_secrets import SessionSecretStore
from app.desk.wiring import open_desk
from app.services.workbench import Workbench
from app.storage.secrets import KeyringSecretStore
from app.ui.main_window import MainWindow
from tests.support.memory_secrets import MemorySecretStore

REQUESTS_TAB = 1


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_without_a_keychain_the_sandbox_reaches_a_response_and_secrets_stay_in_memory(
    qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    """Sandbox → token → 200 with no keychain at all; a real profile saves with its secret kept
    in memory; nothing secret lands in any file."""
    desk = open_desk(
        tmp_path / "config",
        tmp_path / "data",
        secrets=KeyringSecretStore(FailKeyring()),
        session=True,
    )
    window = MainWindow(
        Workbench(desk),
        settings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat),
    )
    qtbot.addWidget(window)
    window.start()
    window.show()
    qtbot.waitUntil(window.banner.isVisible, timeout=10000)
    banner = window.banner.text.text()
    assert "No keychain: secrets are kept in memory until you quit" in banner
    assert "gnome-keyring-daemon" in banner
    assert window.banner.save.isVisibleTo(window.banner)

    qtbot.mouseClick(window.welcome.try_sandbox, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Valid" in window.token_panel.state.text(), timeout=20000)
    window.tabs.setCurrentIndex(REQUESTS_TAB)
    saved = window.requests_panel.saved
    qtbot.waitUntil(lambda: saved.count() == 4, timeout=5000)
    saved.itemClicked.emit(saved.item(0))
    viewer = window.requests_panel.viewer
    qtbot.mouseClick(window.requests_panel.composer.send, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Blue widget" in viewer.text.toPlainText(), timeout=10000)
    assert "200" in viewer.status.text()

    editor = window.editor
    qtbot.mouseClick(window.profile_list.new_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(editor.name, "Orders")
    qtbot.keyClicks(editor.token_url, "https://idp.example/token")
    qtbot.keyClicks(editor.client_id, "c")
    qtbot.keyClicks(editor.secret, "kept-in-memory-only")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(p.name == "Orders" for p in desk.profiles()), timeout=5000)
    orders = next(p for p in desk.profiles() if p.name == "Orders")
    held = asyncio.ensure_future(desk.stored_secrets(orders))
    qtbot.waitUntil(held.done, timeout=5000)
    assert held.result() == {SecretKind.CLIENT_SECRET}

    window.close()
    task = asyncio.ensure_future(window.shutdown())
    qtbot.waitUntil(task.done, timeout=5000)
    for path in files_under(tmp_path):
        data = path.read_bytes()
        assert b"kept-in-memory-only" not in data, path
        token = desk.token_view(SANDBOX_ID).token
        assert token is None or token.access_token.encode() not in data, path


def test_secrets_move_into_a_keychain_that_appears() -> None:
    """Session secrets go to the keychain when asked; the sandbox's never do."""

    class Flaky(MemorySecretStore):
        up = False

        async def check(self) -> None:
            if not self.up:
                raise NoKeychainError("No keychain.", "Start one.")

        async def set(self, profile_id: str, kind: SecretKind, value: str) -> None:
            await self.check()
            await super().set(profile_id, kind, value)

    async def scenario() -> tuple[dict[tuple[str, SecretKind], str], int, bool]:
        keychain = Flaky()
        store = SessionSecretStore(keychain, memory_only=frozenset({SANDBOX_ID}))
        await store.set("p", SecretKind.CLIENT_SECRET, "s3cret")
        await store.set(SANDBOX_ID, SecretKind.CLIENT_SECRET, "sandbox")
        assert store.in_memory
        assert await store.get("p", SecretKind.CLIENT_SECRET) == "s3cret"
        keychain.up = True
        moved = await store.save_to_keychain()
        return keychain.values, moved, store.in_memory

    values, moved, in_memory = asyncio.run(scenario())
    assert values == {("p", SecretKind.CLIENT_SECRET): "s3cret"}
    assert moved == 1
    assert not in_memory
