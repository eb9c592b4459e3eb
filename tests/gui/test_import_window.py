"""Import, environments and the endpoint picker in the real window: a summary before anything is
written, the report after; bad input shows the plain error and writes nothing; a dropped file
starts the same flow; each environment sends with its own token only; the endpoint picker finds
an operation by scope and loads its template."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from app.ui.main_window import REQUESTS_TAB, MainWindow
from tests.gui.conftest import Windows
from tests.gui.test_composer_window import send
from tests.support.idp import IdentityServer
from tests.support.resource_server import ResourceServer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"


def read_plan(qtbot: Any, window: MainWindow, paths: list[Path]) -> None:
    window.imports.import_paths(paths)
    dialog = window.imports.dialog
    qtbot.waitUntil(dialog.import_button.isEnabled, timeout=10000)


def confirm_import(qtbot: Any, window: MainWindow) -> None:
    dialog = window.imports.dialog
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.headline.text().startswith("Imported"), timeout=15000)
    # The profile list selects the imported profile and reads its keychain state; let that end
    # before a test closes the window (closing mid-read is the profile editor's own race).
    qtbot.waitUntil(lambda: not window.profiles.tasks.running("stored"), timeout=10000)


@pytest.mark.keychain
def test_summary_before_anything_is_written_then_the_report(windows: Windows, qtbot: Any) -> None:
    window, _ = windows.open()
    read_plan(qtbot, window, [FIXTURES / "insomnia-v4-orders.json"])
    dialog = window.imports.dialog
    assert dialog.headline.text() == (
        "1 profile, 5 requests, 1 environment; "
        "2 client secrets and 1 secret variable go into the keychain."
    )
    details = dialog.details.toPlainText()
    assert "remove them from this file: apiKey, clientSecret" in details
    assert "Legacy report (apikey)" in details
    assert window.desk.profiles() == [], "nothing is written before Import"

    confirm_import(qtbot, window)
    (profile,) = window.desk.profiles()
    assert profile.name == "Orders API"
    assert window.profile_list.selected_id() == profile.id
    assert "created Orders API" in dialog.headline.text()
    assert "3 secret(s) stored in the keychain" in dialog.headline.text()
    assert dialog.cancel_button.text() == "Close"
    assert len(window.desk.saved_requests(profile.id)) == 5
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()


def test_bad_input_shows_the_plain_error_and_writes_nothing(
    windows: Windows, qtbot: Any, tmp_path: Path
) -> None:
    window, _ = windows.open()
    bad = tmp_path / "notes.json"
    bad.write_text(json.dumps({"hello": "world"}))
    window.imports.import_paths([bad])
    dialog = window.imports.dialog
    qtbot.waitUntil(dialog.error.isVisible, timeout=10000)
    assert "is not a collection" in dialog.error.message.text()
    assert dialog.error.hint.text().startswith("Nothing was imported")
    assert dialog.headline.text() == "Nothing was imported."
    assert not dialog.import_button.isEnabled()
    assert window.desk.profiles() == []
    assert not (windows.config / "profiles.json").exists()


def test_dropping_a_file_on_the_window_opens_the_summary(windows: Windows, qtbot: Any) -> None:
    window, _ = windows.open()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(FIXTURES / "orders-api.yaml"))])
    where = QPointF(window.width() / 2, window.height() / 2)
    buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(where.toPoint(), Qt.DropAction.CopyAction, mime, buttons, modifiers)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(where, Qt.DropAction.CopyAction, mime, buttons, modifiers)
    QApplication.sendEvent(window, drop)
    dialog = window.imports.dialog
    qtbot.waitUntil(dialog.import_button.isEnabled, timeout=10000)
    assert dialog.headline.text() == "1 profile, 6 requests, 2 environments."
    assert "Legacy report (partner_key)" in dialog.details.toPlainText()


def two_environment_export(tmp_path: Path, idp: IdentityServer, api: ResourceServer) -> Path:
    """The v5 fixture with two environments, each its own client of the real identity server."""
    export = yaml.safe_load((FIXTURES / "insomnia-v5-orders.yaml").read_text())
    export["name"] = "Shop workspace"
    folder = export["collection"][0]
    folder["authentication"].update(audience="", credentialsInBody=False)
    envs = export["environments"]
    envs["data"]["baseUrl"] = api.base
    for sub, client_name in zip(envs["subEnvironments"], ("basic", "weird"), strict=True):
        client = idp.clients[client_name]
        sub["data"] = {
            "tokenUrl": idp.token_endpoint,
            "clientId": client.client_id,
            "clientSecret": client.secret,
            "scope": "api:read",
        }
    path = tmp_path / "two-envs.yaml"
    path.write_text(yaml.safe_dump(export, sort_keys=False))
    return path


@pytest.mark.idp
@pytest.mark.keychain
def test_each_environment_sends_its_own_token_only(
    windows: Windows, qtbot: Any, tmp_path: Path, idp: IdentityServer, api: ResourceServer
) -> None:
    """One click switches; a request sent in Staging carries Staging's token, never
    Production's, and the buttons show both tokens' states side by side."""
    window, _ = windows.open()
    read_plan(qtbot, window, [two_environment_export(tmp_path, idp, api)])
    confirm_import(qtbot, window)
    window.imports.dialog.close()
    window.tabs.setCurrentIndex(REQUESTS_TAB)
    switcher = window.environments
    assert switcher is not None
    bar = switcher.bar
    qtbot.waitUntil(bar.isVisible, timeout=5000)
    assert list(bar.buttons) == ["", "Production", "Staging"]
    profile = window.desk.profiles()[0]

    sent: dict[str, str] = {}
    for env in ("Staging", "Production"):
        qtbot.mouseClick(bar.buttons[env], Qt.MouseButton.LeftButton)
        assert window.requests.environment == env
        send(qtbot, window, "/echo")
        assert window.requests_panel.viewer.status.text().endswith("200 OK")
        token = window.desk.token_view(window.desk.in_environment(profile, env).id).token
        assert token is not None
        sent[env] = token.access_token
        assert api.seen_authorization[-1] == f"Bearer {token.access_token}"
    assert sent["Staging"] != sent["Production"]
    assert f"Bearer {sent['Production']}" not in api.seen_authorization[-2]
    qtbot.waitUntil(lambda: "Valid" in bar.buttons["Staging"].text(), timeout=5000)
    assert "Valid" in bar.buttons["Production"].text()
    assert "No token yet" in bar.buttons[""].text()
    # Back to Staging: its own token again, not the one fetched last.
    qtbot.mouseClick(bar.buttons["Staging"], Qt.MouseButton.LeftButton)
    send(qtbot, window, "/echo")
    assert api.seen_authorization[-1] == f"Bearer {sent['Staging']}"


def test_endpoint_picker_finds_by_scope_and_loads_the_template(
    windows: Windows, qtbot: Any
) -> None:
    window, _ = windows.open()
    read_plan(qtbot, window, [FIXTURES / "orders-api.yaml"])
    confirm_import(qtbot, window)
    window.imports.dialog.close()
    window.tabs.setCurrentIndex(REQUESTS_TAB)
    composer = window.requests_panel.composer
    qtbot.mouseClick(composer.endpoints_button, Qt.MouseButton.LeftButton)
    picker = window.requests._picker
    assert picker is not None
    qtbot.waitUntil(picker.isVisible, timeout=5000)
    assert picker.list.count() == 6
    qtbot.keyClicks(picker.search, "orders:cancel")
    (only,) = picker.visible_items()
    assert only.text() == (
        "DELETE /orders/{orderId} — Cancel an order · needs orders:write orders:cancel"
    )
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    assert not picker.isVisible()
    assert composer.method.currentText() == "DELETE"
    assert composer.url.text() == "/orders/{{orderId}}"
    assert "needs orders:write orders:cancel" in window.statusBar().currentMessage()
