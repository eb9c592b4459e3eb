"""Stage 2 in the real window: the composer and the response viewer against the real API."""

from __future__ import annotations

import time
from itertools import pairwise
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer

from app.ui.main_window import REQUESTS_TAB, MainWindow
from tests.gui.conftest import ScriptedPrompter, Windows, send_and_wait, wait_for_answer
from tests.gui.test_token_window import type_profile
from tests.support.idp import IdentityServer
from tests.support.resource_server import ResourceServer

pytestmark = [pytest.mark.idp, pytest.mark.keychain]


def open_with_profile(
    windows: Windows, qtbot: Any, idp: IdentityServer, api: ResourceServer
) -> tuple[MainWindow, ScriptedPrompter]:
    window, prompter = windows.open()
    client = idp.clients["basic"]
    type_profile(
        qtbot,
        window,
        "Orders API",
        idp.token_endpoint,
        client.client_id,
        client.secret or "",
        "api:read api:write",
        api.base,
    )
    window.tabs.setCurrentIndex(REQUESTS_TAB)
    return window, prompter


def send(qtbot: Any, window: MainWindow, url: str, *, method: str = "GET") -> None:
    composer = window.requests_panel.composer
    composer.method.setCurrentText(method)
    composer.url.clear()
    qtbot.keyClicks(composer.url, url)
    send_and_wait(qtbot, window)


def test_get_with_the_profile_token_then_server_side_expiry_is_retried(
    windows: Windows, qtbot: Any, idp: IdentityServer, api: ResourceServer
) -> None:
    window, _ = open_with_profile(windows, qtbot, idp, api)
    viewer = window.requests_panel.viewer
    composer = window.requests_panel.composer
    assert composer.auth.currentData() == "profile"
    send(qtbot, window, "/orders")
    assert viewer.status.objectName() == "responseStatusLabel"
    assert "200" in viewer.status.text()
    assert "Success" in viewer.status.text()
    assert viewer.time.text().endswith("ms")
    assert '"item": "Widget"' in viewer.text.toPlainText()
    assert viewer.headers.rowCount() > 0
    assert "••••" in composer.auth_preview.text()
    token = window.desk.token_view(window.profile_list.selected_id()).token
    assert token is not None
    assert token.access_token not in composer.auth_preview.text()
    # however narrow the window, the whole line is one hover away — and never the token
    assert composer.auth_preview.toolTip() == composer.auth_preview.text()

    time.sleep(1.1)
    import httpx

    httpx.post(f"{api.base}/_control/reject-before-now")
    send(qtbot, window, "/orders")
    assert "200" in viewer.status.text()
    assert "fetched a new token" in viewer.notes.text()


def test_insufficient_scope_is_explained(
    windows: Windows, qtbot: Any, idp: IdentityServer, api: ResourceServer
) -> None:
    window, _ = open_with_profile(windows, qtbot, idp, api)
    send(qtbot, window, "/admin")
    viewer = window.requests_panel.viewer
    assert "403" in viewer.status.text()
    assert "“admin:all”" in viewer.notes.text()


def test_another_host_needs_consent_and_no_auth_sends_no_header(
    windows: Windows, qtbot: Any, idp: IdentityServer, api: ResourceServer
) -> None:
    window, prompter = open_with_profile(windows, qtbot, idp, api)
    other = api.base.replace("127.0.0.1", "localhost")
    prompter.choice_answer = None
    seen = len(api.seen_authorization)
    composer = window.requests_panel.composer
    qtbot.keyClicks(composer.url, f"{other}/echo")
    qtbot.mouseClick(composer.send, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any("Send the token" in t for t, _ in prompter.asked), timeout=10000)
    port = api.base.rsplit(":", 1)[1].split("/")[0]
    # host:port on both sides: here only the host differs, elsewhere only the port does.
    assert f"localhost:{port} is not the API" in prompter.asked[-1][1]
    assert f"(127.0.0.1:{port})" in prompter.asked[-1][1]
    assert prompter.defaults[-1] == "Cancel"
    qtbot.wait(200)
    assert len(api.seen_authorization) == seen  # not sent
    assert "Not sent" in window.requests_panel.viewer.error.message.text()

    composer.auth.setCurrentIndex(composer.auth.findData("none"))
    send(qtbot, window, "/public")
    assert api.seen_authorization[-1] is None
    assert "200" in window.requests_panel.viewer.status.text()

    prompter.choice_answer = "Allow for this session"
    composer.auth.setCurrentIndex(composer.auth.findData("profile"))
    composer.url.clear()
    qtbot.keyClicks(composer.url, f"{other}/echo")
    asked = len(prompter.asked)
    qtbot.mouseClick(composer.send, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(prompter.asked) > asked, timeout=10000)  # allowed: sent again
    wait_for_answer(qtbot, window)
    assert "200" in window.requests_panel.viewer.status.text()
    assert api.seen_authorization[-1] is not None
    # The consent is shown where the header is previewed, and can be taken back.
    assert composer.consent.isVisibleTo(window)
    assert f"allowed for this session: localhost:{port}" in composer.consent.text()
    qtbot.mouseClick(composer.revoke_consent, Qt.MouseButton.LeftButton)
    assert not composer.consent.isVisibleTo(window)
    asked = len(prompter.asked)
    prompter.choice_answer = "Always allow for this profile"
    qtbot.mouseClick(composer.send, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(prompter.asked) > asked, timeout=10000)  # asked again
    profile = window.profiles.current()
    assert profile is not None
    qtbot.waitUntil(
        lambda: f"http://localhost:{port}" in window.desk.profile(profile.id).allowed_origins,  # type: ignore[union-attr]
        timeout=10000,
    )
    tasks = window.requests.tasks  # the request goes out once the origin is on the list
    qtbot.waitUntil(lambda: not tasks.running("allow") and not tasks.running("send"), timeout=10000)
    assert "200" in window.requests_panel.viewer.status.text()


def test_curl_import_params_sync_save_and_history_without_tokens(
    windows: Windows, qtbot: Any, idp: IdentityServer, api: ResourceServer, tmp_path: Any
) -> None:
    window, prompter = open_with_profile(windows, qtbot, idp, api)
    composer = window.requests_panel.composer
    prompter.text_answer = (
        f"curl --request POST \\\n  --url '{api.base}/orders?dry_run=true' \\\n"
        "  --header 'Authorization: Bearer <YOUR_TOKEN>' \\\n"
        "  --header 'Content-Type: application/json' \\\n"
        '  --data \'{"item": "Widget", "qty": 2}\''
    )
    qtbot.mouseClick(composer.paste_curl, Qt.MouseButton.LeftButton)
    assert composer.method.currentText() == "POST"
    assert composer.body_kind.currentData() == "json"
    assert '"qty": 2' in composer.body.toPlainText()
    assert composer.auth.currentData() == "profile"
    assert [r.name for r in composer.params.rows()] == ["dry_run"]
    # Params table and URL stay in step both ways.
    qtbot.keyClicks(composer.url, "&page=2")
    assert [r.name for r in composer.params.rows()] == ["dry_run", "page"]
    composer.params.item(0, 0).setCheckState(Qt.CheckState.Unchecked)
    assert composer.url.text().endswith("/orders?page=2")
    # The client secret typed by hand into an ordinary parameter is never written down either.
    secret = idp.clients["basic"].secret or ""
    qtbot.keyClicks(composer.url, f"&ref={secret}")

    assert "201" in send_and_wait(qtbot, window)

    prompter.text_answer = "Create order"
    qtbot.mouseClick(composer.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.requests_panel.saved.count() == 1)
    composer.url.clear()
    window.requests_panel.saved.itemClicked.emit(window.requests_panel.saved.item(0))
    assert composer.url.text().endswith("/orders?page=2&ref=«redacted»")

    history = window.requests_panel.history
    qtbot.waitUntil(lambda: history.count() >= 1)  # read back once the writer thread wrote it
    assert "201 POST" in history.item(0).text()
    token = window.desk.token_view(window.profile_list.selected_id()).token
    assert token is not None
    data_dir = windows.data
    for path in data_dir.rglob("*"):
        if path.is_file():
            assert token.access_token.encode() not in path.read_bytes(), path
            assert secret.encode() not in path.read_bytes(), path

    from PySide6.QtGui import QGuiApplication

    clipboard = QGuiApplication.clipboard()
    clipboard.clear()
    qtbot.mouseClick(composer.copy_curl, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: clipboard.text().startswith("curl"), timeout=10000)
    copied = clipboard.text()
    assert '"Authorization: Bearer $TOKEN"' in copied
    assert token.access_token not in copied


def test_a_50_mb_json_body_never_stalls_the_window(
    windows: Windows, qtbot: Any, idp: IdentityServer, api: ResourceServer
) -> None:
    """A responsiveness check, not a speed benchmark: a timer firing every 10 ms must never
    wait long while 50 MB arrive, are formatted, searched and scrolled (make bench has timings)."""
    window, _ = open_with_profile(windows, qtbot, idp, api)
    viewer = window.requests_panel.viewer
    composer = window.requests_panel.composer
    ticks: list[float] = []
    timer = QTimer(window)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(10)
    qtbot.keyClicks(composer.url, "/big?mb=50")
    assert viewer.status.text() == "No response yet"
    qtbot.mouseClick(composer.send, Qt.MouseButton.LeftButton)
    # The answer is shown while its body is still being formatted: wait for the status only.
    qtbot.waitUntil(lambda: "200" in viewer.status.text(), timeout=30000)
    qtbot.waitUntil(lambda: viewer.text.toPlainText().startswith('{\n  "count"'), timeout=5000)
    assert "200" in viewer.status.text()
    assert viewer.stack.currentIndex() == 0  # the first screen, while the rest is formatted
    qtbot.waitUntil(lambda: viewer.stack.currentIndex() == 1, timeout=60000)
    assert viewer.large.line_count > 1_000_000
    viewer.search.setText('"id": 250000,')  # 50 MB hold about 290,000 items
    viewer.search_requested.emit(viewer.search.text(), True)
    qtbot.waitUntil(lambda: viewer.search_status.text().startswith("Line"), timeout=20000)
    viewer.large.verticalScrollBar().setValue(viewer.large.line_count // 2)
    qtbot.wait(100)
    timer.stop()
    gaps = [b - a for a, b in pairwise(ticks)]
    assert len(ticks) > 100
    longest = max(gaps)
    assert longest < 0.25, f"the window stalled for {longest * 1000:.0f} ms"


def test_profile_variables_resolve_in_the_composer(
    windows: Windows, qtbot: Any, idp: IdentityServer, api: ResourceServer
) -> None:
    window, _ = open_with_profile(windows, qtbot, idp, api)
    window.tabs.setCurrentIndex(2)
    editor = window.editor
    qtbot.waitUntil(
        lambda: "stored in the OS keychain" in editor.secret.placeholderText(), timeout=5000
    )
    editor.api.variables.item(0, 1).setText("section")
    editor.api.variables.item(0, 2).setText("orders")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            window.profiles.current() is not None
            and window.profiles.current().variables == (("section", "orders"),)
        ),
        timeout=5000,
    )
    window.tabs.setCurrentIndex(REQUESTS_TAB)
    composer = window.requests_panel.composer
    qtbot.keyClicks(composer.url, "/{{section}}")
    assert composer.url.toolTip() == "Resolves to: /orders"
    send(qtbot, window, "/{{section}}")
    assert "200" in window.requests_panel.viewer.status.text()


def test_an_unreachable_api_is_one_plain_sentence_with_details(
    windows: Windows, qtbot: Any, idp: IdentityServer, api: ResourceServer
) -> None:
    import socket

    window, _ = open_with_profile(windows, qtbot, idp, api)
    composer = window.requests_panel.composer
    viewer = window.requests_panel.viewer
    composer.auth.setCurrentIndex(composer.auth.findData("none"))
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        qtbot.keyClicks(composer.url, f"http://127.0.0.1:{port}/x")
        qtbot.mouseClick(composer.send, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: viewer.error.isVisibleTo(viewer), timeout=10000)
    assert viewer.error.message.text() == f"Nothing is answering at 127.0.0.1:{port}."
    assert viewer.error.hint.text()
    assert not viewer.error.details.isVisibleTo(viewer)
    qtbot.mouseClick(viewer.error.toggle, Qt.MouseButton.LeftButton)
    assert "ConnectError" in viewer.error.details.toPlainText()
    qtbot.waitUntil(lambda: composer.send.text() == "Send", timeout=5000)


def test_each_profile_keeps_its_own_request_and_history_reads_path_first(
    windows: Windows, qtbot: Any, idp: IdentityServer, api: ResourceServer
) -> None:
    """Switching profile never shows another profile's URL, response or error."""
    window, _ = open_with_profile(windows, qtbot, idp, api)
    send(qtbot, window, "/orders?status=open")
    panel = window.requests_panel
    assert "200" in panel.viewer.status.text()
    # The entry is read back on the history's writer thread: it arrives a moment later.
    qtbot.waitUntil(lambda: panel.history.count() > 0, timeout=5000)
    first = panel.history.item(0)
    assert first.text().startswith("200 GET /orders?status=open\n")
    assert api.base.split("//")[1] in first.text().split("\n")[1]  # host second
    assert "Sent " in first.toolTip()  # the time on hover
    orders = window.profiles.current()
    assert orders is not None

    client = idp.clients["basic"]
    type_profile(qtbot, window, "Other", idp.token_endpoint, client.client_id, "x")
    window.tabs.setCurrentIndex(REQUESTS_TAB)
    assert panel.composer.url.text() == ""
    assert panel.viewer.status.text() == "No response yet"
    assert "Widget" not in panel.viewer.text.toPlainText()

    window.profile_list.select(orders.id)
    assert panel.composer.url.text() == "/orders?status=open"  # its own request is back
