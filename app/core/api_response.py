"""What came back from an API call, and what it means for the token — without httpx, so the
window can show responses before the HTTP stack has loaded."""

from __future__ import annotations

import io
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

# A body up to this size stays in memory (no file created, written and unlinked per request);
# a larger one is streamed to a file and read through a memory map.
IN_MEMORY = 1024 * 1024


def parse_challenges(value: str) -> dict[str, dict[str, str]]:
    """WWW-Authenticate challenges by scheme (lower-case): {"bearer": {"error": ..., ...}}."""
    found: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    from urllib.request import parse_http_list  # urllib.request is slow to import: on use

    for item in parse_http_list(value):
        first, _, rest = item.strip().partition(" ")
        if first and "=" not in first:  # "Bearer realm=…" or a bare "Bearer" starts a challenge
            current = found.setdefault(first.lower(), {})
            param = rest.strip()
        else:
            param = item.strip()
        if current is not None and "=" in param:
            name, _, raw = param.partition("=")
            current[name.strip().lower()] = raw.strip().strip('"')
    return found


@dataclass
class Timing:
    """Seconds per phase; None where httpx did not report it (a reused connection has no
    connect or TLS phase)."""

    total: float = 0.0
    connect: float | None = None
    tls: float | None = None
    send: float | None = None
    wait: float | None = None
    download: float | None = None

    def breakdown(self) -> list[tuple[str, float]]:
        phases = [
            ("Connect (incl. DNS)", self.connect),
            ("TLS handshake", self.tls),
            ("Send request", self.send),
            ("Wait for first byte", self.wait),
            ("Download", self.download),
        ]
        return [(name, value) for name, value in phases if value is not None]


@dataclass
class ApiResponse:
    status: int
    reason: str
    http_version: str
    url: str
    headers: list[tuple[str, str]]
    request_headers: list[tuple[str, str]]  # as sent, secrets redacted
    body_path: Path  # where the body is, or where it goes (a folder beside it for its views)
    content: bytes | None  # the body when small enough to keep in memory; None: in body_path
    size: int
    timing: Timing
    retried: bool = False
    first_challenge: dict[str, str] = field(default_factory=dict)
    challenge: dict[str, str] = field(default_factory=dict)
    # Why the body was cut short (size limit, deadline, disk space), in plain words; "" if whole.
    stopped: str = ""

    @property
    def content_type(self) -> str:
        for name, value in self.headers:
            if name.lower() == "content-type":
                return value.split(";")[0].strip().lower()
        return ""

    def head(self, limit: int = 64 * 1024) -> bytes:
        if self.content is not None:
            return self.content[:limit]
        with self.body_path.open("rb") as handle:
            return handle.read(limit)

    def open(self) -> BinaryIO:
        """The body as a binary stream, wherever it is kept."""
        return io.BytesIO(self.content) if self.content is not None else self.body_path.open("rb")

    def read(self) -> bytes:
        """The whole body: for small bodies (large ones are read through a memory map)."""
        return self.content if self.content is not None else self.body_path.read_bytes()

    def save(self, target: Path | str) -> None:
        if self.content is not None:
            Path(target).write_bytes(self.content)
        else:
            shutil.copyfile(self.body_path, target)


def explain(response: ApiResponse, *, token_scopes: tuple[str, ...], sent_token: bool) -> list[str]:
    """What the response means for the token, in plain words (shown above the body)."""
    notes: list[str] = [response.stopped] if response.stopped else []
    if response.retried:
        notes.append(
            "The API said the token was no longer valid (invalid_token), so Tokendesk fetched a "
            "new token and sent the request once more."
        )
    challenge = response.challenge
    error = challenge.get("error", "")
    if error == "insufficient_scope":
        needed = challenge.get("scope", "")
        has = " ".join(token_scopes) or "none"
        what = f"the scope “{needed}”" if needed else "a scope"
        notes.append(
            f"The API needs {what}, which this token does not have (it has: {has}). Add it to "
            "the profile's scopes; the identity server must also allow it for this client."
        )
    elif response.status == 401 and error == "invalid_token" and response.retried:
        notes.append(
            "The API refused even the fresh token. The token may be for another API (audience) "
            "or the API may not trust this identity server."
        )
    elif response.status == 401 and not sent_token:
        notes.append(
            "The API wants a token, and none was sent. Choose “Profile's token” as authentication."
        )
    elif response.status == 401 and error:
        description = challenge.get("error_description", "")
        notes.append(
            f"The API refused the token ({error}{': ' + description if description else ''})."
        )
    return notes
