"""What one CLI run works with: the application layer, and where answers and errors go."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from app.core.errors import KeychainError, ProfileError, ProfileStoreError, TokendeskError

if TYPE_CHECKING:
    from app.core.secrets import SecretStore
    from app.desk import Desk

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_KEYCHAIN = 0, 1, 2, 3


class CliError(Exception):
    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def exit_code_for(error: TokendeskError) -> int:
    if isinstance(error, KeychainError):
        return EXIT_KEYCHAIN
    if isinstance(error, ProfileError | ProfileStoreError):
        return EXIT_USAGE
    return EXIT_FAILURE


class Context:
    """Collaborators for one CLI run; real ones unless a test passes its own."""

    def __init__(
        self,
        *,
        config_dir: Path | None = None,
        data_dir: Path | None = None,
        secrets: SecretStore | None = None,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._config_dir = config_dir
        self._data_dir = data_dir
        self._secrets = secrets
        self._clock = clock
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr

    @cached_property
    def desk(self) -> Desk:
        from app.desk import events
        from app.desk.wiring import open_desk, utc_now

        desk = open_desk(
            self._config_dir,
            self._data_dir,
            secrets=self._secrets,
            clock=self._clock or utc_now,
        )

        def said(event: events.Event) -> None:
            # The window says these in its status bar; a script's person reads stderr.
            if isinstance(event, events.HistoryTrouble):
                self.say(f"tokendesk: {event.error.message} {event.error.hint}")

        desk.subscribe(said)
        return desk

    def say(self, text: str) -> None:
        print(text, file=self.stderr)

    def answer(self, text: str) -> None:
        print(text, file=self.stdout)

    def read_secret(self, prompt: str, what: str = "client secret") -> str:
        if self.stdin.isatty():
            value = getpass.getpass(prompt, stream=self.stderr)
        else:
            value = self.stdin.read()
            # Only the line ending a pipe or heredoc adds is dropped; spaces may belong to it.
            value = value.removesuffix("\n").removesuffix("\r")
        if not value:
            raise CliError(f"No {what} was given.")
        return value

    async def aclose(self) -> None:
        """Idempotent: `exec` closes early, before its child runs."""
        desk = self.__dict__.pop("desk", None)
        if desk is not None:
            await desk.shutdown()
