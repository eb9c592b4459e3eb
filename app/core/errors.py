"""Typed errors: each one a plain sentence, what to do next, and the raw details behind it.

Every failure a user can meet ends up as a `TokendeskError`. The window shows `message` and
`hint` and keeps `details` (the raw exchange, secrets already redacted) one click away; the CLI
prints `message` and `hint` to stderr.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from app.core.profiles import AuthMethod, Profile


@dataclass(frozen=True)
class Exchange:
    """A raw HTTP exchange behind an error. Built only from redacted material (see redact.py)."""

    method: str
    url: str
    request_headers: tuple[tuple[str, str], ...] = ()
    request_body: str = ""
    status: int | None = None
    reason: str = ""
    response_headers: tuple[tuple[str, str], ...] = ()
    response_body: str = ""
    notes: tuple[str, ...] = field(default=())

    def render(self) -> str:
        lines = [f"{self.method} {self.url}"]
        lines += [f"{name}: {value}" for name, value in self.request_headers]
        if self.request_body:
            lines += ["", self.request_body]
        lines.append("")
        if self.status is None:
            lines.append("(no response)")
        else:
            lines.append(f"HTTP {self.status} {self.reason}".rstrip())
            lines += [f"{name}: {value}" for name, value in self.response_headers]
            if self.response_body:
                lines += ["", self.response_body]
        lines += self.notes
        return "\n".join(lines)


class TokendeskError(Exception):
    """Base of every error a user can meet.

    `message` is one plain sentence saying what went wrong; `hint` says what to do about it;
    `details` holds the raw, redacted material for people who want to dig.
    """

    def __init__(
        self,
        message: str,
        hint: str = "",
        *,
        details: str = "",
        exchange: Exchange | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.exchange = exchange
        self._details = details

    @property
    def details(self) -> str:
        parts = [p for p in (self._details, self.exchange.render() if self.exchange else "") if p]
        return "\n\n".join(parts)

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


class OAuthServerError(TokendeskError):
    """The identity server answered with an OAuth error (RFC 6749 §5.2) or an HTTP error status."""

    def __init__(
        self,
        message: str,
        hint: str = "",
        *,
        error: str = "",
        description: str = "",
        error_uri: str = "",
        status: int | None = None,
        retry_after: float | None = None,
        details: str = "",
        exchange: Exchange | None = None,
    ) -> None:
        super().__init__(message, hint, details=details, exchange=exchange)
        self.error = error
        self.description = description
        self.error_uri = error_uri
        self.status = status
        self.retry_after = retry_after
        # Another client authentication method the server's metadata or answer points at; the
        # window offers it as one click (app/core/auth_choice.py sets it).
        self.suggested_method: AuthMethod | None = None


class NetworkError(TokendeskError):
    """The server could not be reached or the connection broke (DNS, refused, TLS, timeout,
    reset)."""

    def __init__(
        self,
        message: str,
        hint: str = "",
        *,
        kind: str,
        details: str = "",
        exchange: Exchange | None = None,
    ) -> None:
        super().__init__(message, hint, details=details, exchange=exchange)
        self.kind = kind


class BadResponseError(TokendeskError):
    """The server answered, but not with what was asked for (HTML, broken JSON, no token...)."""


class DiscoveryError(TokendeskError):
    """The issuer's metadata (RFC 8414 / OpenID discovery) could not be found or is unusable."""


class ProfileError(TokendeskError):
    """A profile is incomplete, invalid, or does not exist."""


class ProfileStoreError(TokendeskError):
    """The profiles file cannot be read or written. It is never overwritten after a failed read."""


class ProfileChangedError(ProfileStoreError):
    """The profile was changed by another window or process since it was loaded for editing;
    `current` is how it is now (None: removed there)."""

    def __init__(self, message: str, hint: str, *, current: Profile | None) -> None:
        super().__init__(message, hint)
        self.current = current


KeychainAction = Literal["read", "store"]


def no_keychain_hint(platform: str = sys.platform) -> str:
    """The one thing to do when no keychain answers, with the command that starts one."""
    if platform.startswith("linux") or "bsd" in platform:
        return (
            "Start gnome-keyring or KWallet. With gnome-keyring, inside your desktop's D-Bus "
            "session run: gnome-keyring-daemon --start --components=secrets (in a shell without "
            "a session, wrap it in dbus-run-session). Then retry."
        )
    if platform == "darwin":
        return "Open the Keychain Access app and unlock the login keychain, then retry."
    return "Sign in to Windows again so the Credential Manager is available, then retry."


class KeychainError(TokendeskError):
    """The OS keychain is missing, locked, refusing, silent, or not a real keychain."""


class NoKeychainError(KeychainError):
    """No keychain service answers (no Secret Service, no D-Bus session)."""


class InsecureKeychainError(KeychainError):
    """The keyring backend is not a real OS keychain (plaintext or unknown)."""


class KeychainLockedError(KeychainError):
    """The keychain is locked, or its unlock prompt was dismissed or cannot be shown."""


class KeychainTimeoutError(KeychainError):
    """The keychain did not answer in time (an unlock prompt may be waiting)."""


class TokenVerificationError(TokendeskError):
    """A JWT's signature or claims did not check out against the issuer's keys."""


class ConsentNeeded(TokendeskError):
    """The token would go somewhere it is not bound to; the person must say yes first."""

    def __init__(self, message: str, hint: str, *, origin: str) -> None:
        super().__init__(message, hint)
        self.origin = origin


class ImportSourceError(TokendeskError):
    """A file to import is of another kind, damaged, too large or too deep; nothing was written."""


class HistoryError(TokendeskError):
    """The history file cannot be opened, read or written (damaged, unwritable, or closed)."""
