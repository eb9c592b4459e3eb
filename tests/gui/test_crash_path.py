"""One path for the unexpected: a slot that raises shows the crash dialog, the window keeps
running, and the log holds the traceback without any secret."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QMessageBox

from app import logs
from app.ui.crash import CrashHandler
from tests.gui.conftest import Windows

SECRET = "s3cr3t-value-never-logged"
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXZhbHVl"


def test_an_unexpected_error_in_a_task_shows_the_crash_dialog_and_a_redacted_log(
    windows: Windows, qtbot: Any, tmp_path: Path, qloop: asyncio.AbstractEventLoop
) -> None:
    log_file = logs.setup(directory=tmp_path / "logs")
    assert log_file is not None
    window, _ = windows.open()
    crash = window.crash
    assert isinstance(crash, CrashHandler)
    crash.install(qloop)
    try:

        async def broken() -> None:
            raise OSError(f"disk full while saving Authorization: Bearer {JWT} {SECRET=}")

        window.tasks.run("broken", broken())
        qtbot.waitUntil(lambda: crash.dialog is not None and crash.dialog.isVisible(), timeout=5000)
        dialog = crash.dialog
        assert isinstance(dialog, QMessageBox)
        assert dialog.objectName() == "crashDialog"
        assert "Something went wrong inside Tokendesk" in dialog.text()
        report = dialog.detailedText()
        assert "OSError" in report
        assert JWT not in report
        dialog.close()
        # The window keeps running: it still answers.
        assert window.isVisible()
    finally:
        crash.uninstall()
        app_log = logging.getLogger("app")
        for handler in list(app_log.handlers):
            app_log.removeHandler(handler)
            handler.close()
        app_log.propagate = True
    text = log_file.read_text(encoding="utf-8")
    assert "OSError" in text
    assert "disk full" in text
    assert JWT not in text
    assert "Bearer «redacted»" in text
