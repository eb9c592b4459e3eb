"""*Serve this API on this computer* in the real window: a real HTTP client (on its own thread,
so the window's loop keeps serving) calls the access-keyed address; without the key: 403."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt

from tests.gui.conftest import Windows
from tests.gui.test_composer_window import open_with_profile
from tests.support.idp import IdentityServer
from tests.support.resource_server import ResourceServer

pytestmark = [pytest.mark.idp, pytest.mark.keychain]


def test_serve_the_api_copy_the_address_and_see_the_log(
    windows: Windows, qtbot: Any, idp: IdentityServer, api: ResourceServer
) -> None:
    window, _ = open_with_profile(windows, qtbot, idp, api)
    panel = window.proxy_panel
    window.tabs.setCurrentWidget(panel)
    assert panel.toggle.isEnabled()
    qtbot.mouseClick(panel.toggle, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.address.text().startswith("http://127.0.0.1:"), timeout=10000)
    address = panel.address.text()
    assert panel.toggle.text() == "Stop serving"

    qtbot.mouseClick(panel.copy_button, Qt.MouseButton.LeftButton)
    assert window.clipboard._clipboard.text() == address

    answers: dict[str, int] = {}

    def call() -> None:
        with httpx.Client(timeout=20) as client:
            answers["with key"] = client.get(address + "orders").status_code
            without = address.rsplit("/", 2)[0] + "/orders"
            answers["without key"] = client.get(without).status_code

    caller = threading.Thread(target=call)
    caller.start()
    qtbot.waitUntil(lambda: not caller.is_alive(), timeout=20000)
    caller.join()
    assert answers == {"with key": 200, "without key": 403}
    qtbot.waitUntil(lambda: panel.log.blockCount() >= 2, timeout=5000)
    log = panel.log.toPlainText()
    assert "GET /orders 200" in log
    assert "GET (without the access key) 403" in log

    qtbot.mouseClick(panel.toggle, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.serving and panel.address.text() == "", timeout=10000)
    with pytest.raises(httpx.ConnectError):
        httpx.get(address + "orders", timeout=5)
