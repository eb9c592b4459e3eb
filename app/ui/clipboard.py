"""Copying secrets to the clipboard, and clearing them again after a while — but only if the
clipboard still holds what we put there (never wipe something the person copied since)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QClipboard

# One rule for every "Copy as curl" button, shown in their tooltips.
CURL_RULE = (
    "Copies a curl command with $TOKEN where the token goes (run export TOKEN=… first). "
    "The arrow offers a copy with the real token."
)


class ClipboardGuard(QObject):
    def __init__(
        self,
        clipboard: QClipboard,
        notify: Callable[[str], None],
        *,
        clear_after: int = 60,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._clipboard = clipboard
        self._notify = notify
        self.clear_after = clear_after  # seconds; 0 turns clearing off
        self._copied: str | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._clear)

    def copy(self, text: str, what: str, sensitive: bool = True, note: str = "") -> None:
        """Copy `text`; if it is `sensitive` (a token), clear it again after a while. `note`
        follows the "Copied …" line (what the copy cannot carry, how long it works)."""
        self._clipboard.setText(text)
        self._copied = text
        said = f"Copied the {what}."
        if not sensitive:
            self._timer.stop()
            self._copied = None
        elif self.clear_after > 0:
            self._timer.start(self.clear_after * 1000)
            said += f" The clipboard will be cleared in {self.clear_after} s."
        self._notify(f"{said} {note}".strip())

    def clear_now(self) -> None:
        """On quit: a pending clear would never run, so do it now (if it is still ours)."""
        if self._timer.isActive():
            self._timer.stop()
            self._clear()

    def _clear(self) -> None:
        if self._copied is not None and self._clipboard.text() == self._copied:
            self._clipboard.clear()
            self._notify("Cleared the clipboard: the copied token is no longer there.")
        self._copied = None
