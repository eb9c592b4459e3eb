"""Pictures of the real window in its main states, with real fonts. `make screenshots` keeps them
in resources/screenshots/ (for the README); otherwise they go to a temp dir and are only checked."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPalette
from PySide6.QtWidgets import QApplication

from app.ui import theme
from app.ui.main_window import REQUESTS_TAB
from tests.gui.conftest import Windows, send_and_wait
from tests.gui.test_token_window import get_token, type_profile
from tests.support.idp import IdentityServer
from tests.support.resource_server import ResourceServer

pytestmark = [pytest.mark.idp, pytest.mark.keychain]


def save(window: Any, folder: Path, name: str, size: tuple[int, int] = (1180, 760)) -> Path:
    window.resize(*size)
    path = folder / f"{name}.png"
    assert window.grab().save(str(path))
    image = QImage(str(path))
    assert image.width() >= min(size[0], 1000)
    # Not a blank picture: many distinct colours means text and widgets were drawn.
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)
    }
    assert len(colours) > 20, f"{name} looks empty"
    return path


def test_screenshots_of_the_main_states(
    windows: Windows, qtbot: Any, idp: IdentityServer, api: ResourceServer, tmp_path: Path
) -> None:
    folder = Path(os.environ.get("TOKENDESK_SCREENSHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    window, _ = windows.open()
    qtbot.waitUntil(lambda: window.right.currentWidget() is window.welcome, timeout=5000)
    save(window, folder, "welcome")

    basic = idp.clients["basic"]
    type_profile(
        qtbot,
        window,
        "Orders API (staging)",
        idp.token_endpoint,
        basic.client_id,
        basic.secret or "",
        "api:read api:write",
        api.base,
    )
    type_profile(qtbot, window, "Billing API", idp.token_endpoint, "m2m-billing", "nope")
    orders = next(p for p in window.desk.profiles() if p.name.startswith("Orders"))
    window.profile_list.select(orders.id)
    get_token(qtbot, window)
    qtbot.wait(1100)
    save(window, folder, "valid-token")

    window.tabs.setCurrentIndex(REQUESTS_TAB)
    composer = window.requests_panel.composer
    qtbot.keyClicks(composer.url, "/orders?status=open")
    send_and_wait(qtbot, window)
    qtbot.waitUntil(
        lambda: "Widget" in window.requests_panel.viewer.text.toPlainText(), timeout=10000
    )
    save(window, folder, "request-response")

    # The same two views in dark mode. The offscreen platform has no desktop scheme to switch
    # (setColorScheme is ignored there), so the test applies what the scheme change applies.
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    viewer = window.requests_panel.viewer
    try:
        theme.apply(app, dark=True)
        viewer.highlighter.set_dark(True)
        viewer.highlighter.rehighlight()
        assert window.palette().color(QPalette.ColorRole.Window).lightness() < 128
        save(window, folder, "request-response-dark")
        window.tabs.setCurrentIndex(0)
        save(window, folder, "valid-token-dark")
    finally:
        theme.apply(app, dark=False)
        viewer.highlighter.set_dark(False)
    assert window.palette().color(QPalette.ColorRole.Window).lightness() > 128
    window.tabs.setCurrentIndex(0)

    billing = next(p for p in window.desk.profiles() if p.name == "Billing API")
    window.profile_list.select(billing.id)
    qtbot.mouseClick(window.token_panel.get_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(window.token_panel.error.isVisible, timeout=10000)
    qtbot.mouseClick(window.token_panel.error.toggle, Qt.MouseButton.LeftButton)
    assert window.token_panel.state.text().startswith("⚠ Failed")
    save(window, folder, "error")

    # A half-filled form after Save: the fields to fix are outlined, the messages in place.
    window.profiles.new_profile()
    qtbot.keyClicks(window.editor.name, "Half done")
    qtbot.keyClicks(window.editor.token_url, "login.example.com/token")
    qtbot.mouseClick(window.editor.save_button, Qt.MouseButton.LeftButton)
    save(window, folder, "profile-form")
    window.editor.revert()


def test_screenshots_of_import_environments_and_endpoints(
    windows: Windows, qtbot: Any, idp: IdentityServer, api: ResourceServer, tmp_path: Path
) -> None:
    """The import summary, the environment switcher with both tokens' states, and the endpoint
    picker searching by scope."""
    from tests.gui.test_composer_window import send
    from tests.gui.test_import_window import (
        FIXTURES,
        confirm_import,
        read_plan,
        two_environment_export,
    )

    folder = Path(os.environ.get("TOKENDESK_SCREENSHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    window, _ = windows.open()
    export = two_environment_export(tmp_path, idp, api)
    read_plan(qtbot, window, [export, FIXTURES / "orders-api.yaml"])
    save(window.imports.dialog, folder, "import-summary", (720, 520))
    confirm_import(qtbot, window)
    window.imports.dialog.close()

    orders = next(p for p in window.desk.profiles() if p.import_source.startswith("insomnia"))
    window.profile_list.select(orders.id)
    window.tabs.setCurrentIndex(REQUESTS_TAB)
    bar = window.environments.bar if window.environments else None
    assert bar is not None
    for env in ("Production", "Staging"):
        qtbot.mouseClick(bar.buttons[env], Qt.MouseButton.LeftButton)
        send(qtbot, window, "/orders")
    qtbot.waitUntil(lambda: "Valid" in bar.buttons["Production"].text(), timeout=5000)
    save(window, folder, "environments")

    api_profile = next(p for p in window.desk.profiles() if p.import_source.startswith("openapi"))
    window.profile_list.select(api_profile.id)
    qtbot.mouseClick(window.requests_panel.composer.endpoints_button, Qt.MouseButton.LeftButton)
    picker = window.requests._picker
    assert picker is not None
    qtbot.keyClicks(picker.search, "orders")
    save(picker, folder, "endpoint-picker", (640, 360))
    picker.close()
    qtbot.waitUntil(lambda: not window.profiles.tasks.running("stored"), timeout=10000)


def test_screenshots_of_presets_certificates_and_dpop(
    windows: Windows,
    qtbot: Any,
    idp: IdentityServer,
    secure_api: ResourceServer,
    tmp_path: Path,
) -> None:
    """The provider picker and a preset's form, the certificate form with a certificate chosen,
    a DPoP token's binding line and the DPoP header preview in the composer."""
    from tests.gui.test_composer_window import send
    from tests.gui.test_presets_window import open_picker
    from tests.gui.test_sender_constrained_window import fill_common, key_files
    from tests.gui.test_sender_constrained_window import get_token as get_bound_token
    from tests.gui.test_sender_constrained_window import save as save_profile

    folder = Path(os.environ.get("TOKENDESK_SCREENSHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    window, prompter = windows.open()
    dialog = open_picker(qtbot, window)
    save(dialog, folder, "preset-picker", (640, 460))
    dialog.picker.setCurrentRow(2)  # Auth0
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    save(dialog, folder, "preset-form", (640, 560))
    dialog.reject()
    qtbot.waitUntil(lambda: window.profiles.preset_dialog is None, timeout=5000)

    editor = window.editor
    tls = idp.clients["tls"]
    fill_common(qtbot, window, "Bank (mTLS)", tls.client_id, idp)
    editor.advanced.setChecked(False)
    editor.auth_method.setCurrentIndex(editor.auth_method.findData("tls_client_auth"))
    prompter.open_answers = key_files(tmp_path, tls.cert_pem or "", tls.cert_key_pem or "")
    qtbot.mouseClick(editor.client_auth.client_cert.choose_button, Qt.MouseButton.LeftButton)
    editor.scroll_area.ensureWidgetVisible(editor.client_auth.client_cert)
    save(window, folder, "certificate-form")
    editor.revert()

    dpop = idp.clients["dpop"]
    fill_common(qtbot, window, "Health (DPoP)", dpop.client_id, idp)
    qtbot.keyClicks(editor.api_base, secure_api.base)
    qtbot.keyClicks(editor.secret, dpop.secret or "")
    editor.client_auth.dpop.setChecked(True)
    save_profile(qtbot, window)
    assert "Bound to DPoP key" in get_bound_token(qtbot, window)
    save(window, folder, "dpop-token")

    assert "DPoP …" in window.token_panel.copy_header.text()
    window.tabs.setCurrentIndex(REQUESTS_TAB)
    composer = window.requests_panel.composer
    send(qtbot, window, "/orders")
    assert "200" in window.requests_panel.viewer.status.text()
    assert "a DPoP proof is made for each request" in composer.auth_preview.text()
    save(window, folder, "dpop-request")
    qtbot.waitUntil(lambda: not window.profiles.tasks.running("stored"), timeout=10000)
