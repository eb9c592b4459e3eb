"""“Add my client” with a provider preset, in the window: the picker, the provider's own
questions, the profile filled into the editor, Save (secret to the keychain) and a token from a
local server shaped like that provider (Authlib, refusing a request without Auth0's audience).
Then what the window does with what such servers answer: the one-click suggested method and the
learned Basic encoding."""

from __future__ import annotations

from base64 import b64encode
from collections.abc import Iterator
from typing import Any

import keyring
import pytest
from PySide6.QtCore import Qt

from app.core.basic_fallback import LEARNED_RAW_NOTE
from app.core.profiles import AuthMethod, BasicEncoding
from app.core.providers import PRESETS
from app.storage.secrets import SERVICE
from app.ui.profiles.preset_dialog import PresetDialog
from tests.gui.conftest import Windows
from tests.gui.test_token_window import get_token, type_profile
from tests.integration.test_provider_presets import SECRET, auth0, known_paths
from tests.support.authlib_server import AuthlibServer, RegisteredClient
from tests.support.idp import WEIRD_SECRET

pytestmark = [pytest.mark.keychain]


@pytest.fixture
def auth0_server() -> Iterator[AuthlibServer]:
    server = AuthlibServer(
        clients=[
            RegisteredClient("auth0-app", SECRET, ("client_secret_post",), scope="read:reports")
        ],
        checks=[known_paths, auth0],
    ).start()
    yield server
    server.stop()


def open_picker(qtbot: Any, window: Any) -> PresetDialog:
    qtbot.mouseClick(window.welcome.add_from_provider, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.profiles.preset_dialog is not None, timeout=5000)
    dialog = window.profiles.preset_dialog
    assert isinstance(dialog, PresetDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    return dialog


def test_the_picker_offers_every_preset_and_asks_only_its_questions(
    windows: Windows, qtbot: Any
) -> None:
    """Each provider is listed; choosing one shows its own fields, help and docs link."""
    window, _ = windows.open()
    dialog = open_picker(qtbot, window)
    titles = [dialog.picker.item(i).text().split("\n")[0] for i in range(dialog.picker.count())]
    assert titles == [p.title for p in PRESETS.values()]
    assert "Microsoft Entra ID" in titles
    assert "Google service account" in titles

    dialog.picker.setCurrentRow(list(PRESETS).index("okta"))
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert set(dialog.fields) == {"name", *(f.key for f in PRESETS["okta"].fields)}
    assert PRESETS["okta"].docs_url in dialog.docs.text()
    assert dialog.fields["auth_server"].text() == "default"  # type: ignore[union-attr]

    # A missing answer is said in the dialog, with the provider's own label; nothing is built.
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.error.isVisibleTo(dialog)
    assert "Okta domain" in dialog.error.text()
    assert dialog.isVisible()
    assert window.editor.name.text() == ""

    qtbot.mouseClick(dialog.back_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentIndex() == 0
    dialog.reject()
    qtbot.waitUntil(lambda: window.profiles.preset_dialog is None, timeout=5000)


def test_an_auth0_preset_fills_the_editor_and_save_gets_a_token(
    windows: Windows, qtbot: Any, auth0_server: AuthlibServer
) -> None:
    """Auth0: the token URL from the domain, the audience, client_secret_post as the preset says;
    Save puts the secret in the keychain and the token comes from the Auth0-shaped server."""
    window, _ = windows.open()
    dialog = open_picker(qtbot, window)
    dialog.picker.setCurrentRow(list(PRESETS).index("auth0"))
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    answers = {
        "name": "Reports (Auth0)",
        "domain": auth0_server.base,
        "client_id": "auth0-app",
        "client_secret": SECRET,
        "audience": "https://reports.example.com",
        "scope": "read:reports",
    }
    for key, text in answers.items():
        qtbot.keyClicks(dialog.fields[key], text)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.profiles.preset_dialog is None, timeout=5000)

    editor = window.editor
    assert editor.isVisible()
    assert editor.name.text() == "Reports (Auth0)"
    assert editor.token_url.text() == f"{auth0_server.base}/oauth/token"
    assert editor.audience_edit.text() == "https://reports.example.com"
    assert editor.method() is AuthMethod.CLIENT_SECRET_POST
    assert editor.secret.text() == SECRET
    assert editor.is_dirty()  # ready to save: leaving would ask first

    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.profile_list.list.count() == 1, timeout=10000)
    saved = window.profiles.current()
    assert saved is not None
    assert saved.audience == "https://reports.example.com"
    stored = keyring.get_keyring().get_password(SERVICE, f"{saved.id}/client_secret")
    assert stored == SECRET

    get_token(qtbot, window)
    path, _headers, form = auth0_server.requests[-1]
    assert path == "/oauth/token"
    assert form["audience"] == "https://reports.example.com"
    assert form["client_secret"] == SECRET


@pytest.fixture
def picky_server() -> Iterator[AuthlibServer]:
    """Authlib with two clients for the secret `p@ss:w+rd/%&= x`: one that takes only
    client_secret_post (and says so in its metadata), one whose Basic check compares raw."""
    server = AuthlibServer(
        clients=[
            RegisteredClient("post-only", WEIRD_SECRET, ("client_secret_post",), scope="api:read"),
            RegisteredClient("raw-weird", WEIRD_SECRET, scope="api:read"),
        ],
        metadata={"token_endpoint_auth_methods_supported": ["client_secret_post"]},
    ).start()
    yield server
    server.stop()


def test_one_click_switches_to_the_method_the_server_names(
    windows: Windows, qtbot: Any, picky_server: AuthlibServer
) -> None:
    """Basic refused by a server that lists only client_secret_post: the error offers the
    body as one click, which saves the method and gets the token."""
    window, _ = windows.open()
    token_url = f"{picky_server.base}/token"
    type_profile(qtbot, window, "Picky", token_url, "post-only", WEIRD_SECRET)
    panel = window.token_panel
    window.tabs.setCurrentIndex(0)
    qtbot.mouseClick(panel.get_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.error.action.isVisibleTo(panel), timeout=10000)
    assert panel.error.action.text() == "Try with the secret in the request body"
    assert "secret in the request body" in panel.error.hint.text()

    qtbot.mouseClick(panel.error.action, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Valid" in panel.state.text(), timeout=10000)
    saved = window.desk.profile(window.profile_list.selected_id())
    assert saved is not None
    assert saved.auth_method is AuthMethod.CLIENT_SECRET_POST
    _path, headers, form = picky_server.requests[-1]
    assert form["client_secret"] == WEIRD_SECRET
    assert "Authorization" not in headers


def test_the_learned_basic_encoding_is_said_once_in_the_status_bar(
    windows: Windows, qtbot: Any, picky_server: AuthlibServer
) -> None:
    """A server comparing Basic credentials raw: form-encoded is refused, as typed works, the
    profile keeps “as typed” and the window says so once."""
    window, _ = windows.open()
    said: list[str] = []
    window.statusBar().messageChanged.connect(said.append)
    token_url = f"{picky_server.base}/token"
    type_profile(qtbot, window, "Raw", token_url, "raw-weird", WEIRD_SECRET)
    get_token(qtbot, window)
    qtbot.waitUntil(lambda: LEARNED_RAW_NOTE in said, timeout=5000)
    saved = window.desk.profile(window.profile_list.selected_id())
    assert saved is not None
    assert saved.basic_encoding is BasicEncoding.RAW

    assert said.count(LEARNED_RAW_NOTE) == 1
    _path, headers, _form = picky_server.requests[-1]
    assert (
        headers["Authorization"]
        == "Basic " + b64encode(f"raw-weird:{WEIRD_SECRET}".encode()).decode()
    )  # the credentials as typed, not form-encoded
