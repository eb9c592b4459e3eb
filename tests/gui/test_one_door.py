"""One door: the CLI and the window run the same use cases, so they leave the same end state.

Each test sets up the same profile (secret, cached token, saved requests, history) through the
application layer, removes it once through `tokendesk profile remove` and once through the
window's *Delete*, and compares what is left: profiles, keychain entries, saved requests, history.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import keyring
import pytest
from PySide6.QtCore import QSettings

from app.core.profiles import Profile
from app.core.request_spec import RequestSpec
from app.desk import Desk
from app.desk.wiring import open_desk
from app.main import build_window
from app.storage.secrets import SERVICE
from tests.gui.conftest import ScriptedPrompter

pytestmark = [pytest.mark.keychain]

KINDS = ("client_secret", "private_key", "token")


def dirs(root: Path) -> tuple[Path, Path]:
    return root / "config" / "tokendesk", root / "data" / "tokendesk"


async def set_up(desk: Desk) -> Profile:
    profile = Profile(name="Orders", client_id="c", token_url="https://idp.example/token")
    await desk.add_profile(profile, secret="orders-secret")
    await desk.paste_token(profile, "pasted.token.value")
    await desk.save_request(profile, "List orders", RequestSpec(url="/orders"))
    await desk.save_request(profile, "One order", RequestSpec(url="/orders/1"))
    desk.history.record(
        profile_id=profile.id,
        profile_name=profile.name,
        spec=RequestSpec(url="/orders"),
        url="https://api.example/orders",
        status=200,
        elapsed_ms=3.0,
        size=10,
    )
    return profile


def end_state(root: Path, profile_id: str) -> dict[str, Any]:
    config, data = dirs(root)
    database = sqlite3.connect(data / "history.sqlite3")
    try:
        saved = database.execute(
            "SELECT COUNT(*) FROM saved WHERE profile_id = ?", (profile_id,)
        ).fetchone()[0]
        history = database.execute(
            "SELECT COUNT(*) FROM history WHERE profile_id = ?", (profile_id,)
        ).fetchone()[0]
    finally:
        database.close()
    store = open_desk(config, data).store
    backend = keyring.get_keyring()
    return {
        "profiles": [p.name for p in store.load()],
        "keychain": [k for k in KINDS if backend.get_password(SERVICE, f"{profile_id}/{k}")],
        "saved": saved,
        "history": history,
    }


def prepare(root: Path, qtbot: Any | None = None) -> str:
    config, data = dirs(root)

    async def go() -> str:
        desk = open_desk(config, data)
        try:
            return (await set_up(desk)).id
        finally:
            await desk.shutdown()

    if qtbot is None:
        return asyncio.run(go())
    task = asyncio.ensure_future(go())
    qtbot.waitUntil(task.done, timeout=10000)
    return task.result()


def test_removing_a_profile_from_the_cli_and_the_window_leaves_the_same_end_state(
    qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    """Same profile, same extras; removed through each door; nothing of it is left either way."""
    by_cli = tmp_path / "cli"
    cli_id = prepare(by_cli, qtbot)
    assert end_state(by_cli, cli_id)["saved"] == 2
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(by_cli / "config"),
        "XDG_DATA_HOME": str(by_cli / "data"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "app", "profile", "remove", "Orders"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr

    by_window = tmp_path / "window"
    window_id = prepare(by_window, qtbot)
    config, data = dirs(by_window)
    prompter = ScriptedPrompter()
    window = build_window(config, data, prompter=prompter)
    window.settings = QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat)
    qtbot.addWidget(window)
    window.show()
    window.profile_list.select(window_id)
    window.profiles.delete()
    qtbot.waitUntil(lambda: window.profile_list.list.count() == 0, timeout=10000)
    window.close()
    task = asyncio.ensure_future(window.shutdown())
    qtbot.waitUntil(task.done, timeout=10000)

    expected = {"profiles": [], "keychain": [], "saved": 0, "history": 0}
    assert end_state(by_cli, cli_id) == expected
    assert end_state(by_window, window_id) == expected
