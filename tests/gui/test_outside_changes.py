"""Another writer on the profiles file while the window is open (issue 10, item 4): the window
shows what the CLI added, keeps the form being edited, and asks whose version to keep when the
profile being edited changed underneath. The second writer is a real `tokendesk` process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.ui.main_window import MainWindow
from tests.gui.conftest import ScriptedPrompter, Windows
from tests.gui.test_token_window import type_profile

pytestmark = [pytest.mark.keychain]

TOKEN_URL = "https://idp.example/token"


def tokendesk(home: Path, *args: str, stdin: str = "") -> None:
    """The CLI in its own process, on the same config folder as the window."""
    env = {**os.environ, "XDG_CONFIG_HOME": str(home / "xdg"), "XDG_DATA_HOME": str(home / "d")}
    result = subprocess.run(
        [sys.executable, "-m", "app", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def names(window: MainWindow) -> list[str]:
    items = (window.profile_list.list.item(i) for i in range(window.profile_list.list.count()))
    return [item.text().split("\n")[0] for item in items]


def open_window(windows: Windows, home: Path) -> tuple[MainWindow, ScriptedPrompter]:
    windows.config = home / "xdg" / "tokendesk"  # where the CLI finds it through XDG
    window, prompter = windows.open()
    window.start()
    return window, prompter


def test_the_list_follows_the_cli_and_the_form_being_edited_stays(
    windows: Windows, qtbot: Any, tmp_path: Path
) -> None:
    window, _ = open_window(windows, tmp_path)
    type_profile(qtbot, window, "Alpha", TOKEN_URL, "alpha", "s1")
    editor = window.editor
    qtbot.keyClicks(editor.scope, " typed:here")
    assert editor.is_dirty()

    tokendesk(tmp_path, "profile", "add", "Beta", "--token-url", TOKEN_URL, "--client-id", "b",
              stdin="secret\n")  # fmt: skip
    qtbot.waitUntil(lambda: names(window) == ["Alpha", "Beta"], timeout=10000)
    assert editor.scope.text() == "api:read typed:here"  # the edit is still there
    assert editor.is_dirty()
    assert editor.name.text() == "Alpha"
    assert window.profile_list.selected_id() == editor.profile.id  # type: ignore[union-attr]

    # The atomic replace swapped the file: a second outside change is noticed too.
    tokendesk(tmp_path, "profile", "remove", "Beta")
    qtbot.waitUntil(lambda: names(window) == ["Alpha"], timeout=10000)
    assert editor.scope.text() == "api:read typed:here"


def test_a_clean_form_shows_the_new_version(windows: Windows, qtbot: Any, tmp_path: Path) -> None:
    window, prompter = open_window(windows, tmp_path)
    type_profile(qtbot, window, "Alpha", TOKEN_URL, "alpha", "s1")
    tokendesk(tmp_path, "profile", "edit", "Alpha", "--scope", "from:cli")
    qtbot.waitUntil(lambda: window.editor.scope.text() == "from:cli", timeout=10000)
    assert not window.editor.is_dirty()
    assert prompter.asked == []


@pytest.mark.parametrize(
    ("answer", "kept"),
    [("Keep mine", "api:read mine"), ("Use theirs", "from:cli"), (None, None)],
)
def test_saving_over_an_outside_change_asks_which_to_keep(
    windows: Windows, qtbot: Any, tmp_path: Path, answer: str | None, kept: str | None
) -> None:
    window, prompter = open_window(windows, tmp_path)
    type_profile(qtbot, window, "Alpha", TOKEN_URL, "alpha", "s1")
    editor = window.editor
    profile_id = editor.profile.id  # type: ignore[union-attr]
    qtbot.keyClicks(editor.scope, " mine")
    tokendesk(tmp_path, "profile", "edit", "Alpha", "--scope", "from:cli")
    qtbot.waitUntil(
        lambda: "changed elsewhere" in window.statusBar().currentMessage(), timeout=10000
    )
    assert editor.scope.text() == "api:read mine"

    prompter.choice_answer = answer
    editor.save_button.click()  # works whichever tab is showing
    try:
        qtbot.waitUntil(
            lambda: any(t == "Changed elsewhere" for t, _ in prompter.asked), timeout=10000
        )
    except Exception as exc:
        shown = (window.statusBar().currentMessage(), editor.test_error.message.text())
        raise AssertionError(f"not asked; the window said {shown}; asked {prompter.asked}") from exc
    qtbot.waitUntil(editor.save_button.isEnabled, timeout=10000)
    on_disk = " ".join(window.desk.profile(profile_id).scopes)  # type: ignore[union-attr]
    if kept is None:  # Cancel: theirs stays on disk, mine stays in the form
        assert on_disk == "from:cli"
        assert editor.scope.text() == "api:read mine"
        assert editor.is_dirty()
    else:
        qtbot.waitUntil(
            lambda: (
                " ".join(window.desk.profile(profile_id).scopes) == kept  # type: ignore[union-attr]
                and editor.scope.text() == kept
                and not editor.is_dirty()
            ),
            timeout=10000,
        )
        qtbot.waitUntil(editor.save_button.isEnabled, timeout=10000)
    assert len([t for t, _ in prompter.asked if t == "Changed elsewhere"]) == 1
