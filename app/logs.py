"""Logging for the window and the CLI: one rotating file, every record redacted.

Modules log through `logging.getLogger(__name__)`; this module only decides where records go
and makes sure no token or secret reaches the file, whatever a message or a traceback holds.
"""

from __future__ import annotations

import logging
import os
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path

import platformdirs

from app import __version__
from app.core.redact import REDACTED, redact_text

LOG_NAME = "tokendesk.log"
MAX_BYTES = 1_000_000
BACKUPS = 2


def scrub(text: str) -> str:
    """The redaction policy for free text: JWTs, bearer/basic/DPoP credentials, secret fields,
    PEM blocks."""
    if "-----BEGIN" in text:
        head, _, _rest = text.partition("-----BEGIN")
        text = f"{head}{REDACTED} (PEM block)"
    return redact_text(text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + "".join(traceback.format_exception(*record.exc_info))
            record.exc_info = None
            record.exc_text = None
        record.msg = scrub(message)
        record.args = None
        return True


def log_dir(override: Path | None = None) -> Path:
    if override is not None:
        return override
    return Path(platformdirs.user_log_dir("tokendesk"))


def setup(*, verbose: bool = False, directory: Path | None = None) -> Path | None:
    """Send records to the rotating log file (INFO, or DEBUG with --verbose or
    TOKENDESK_LOG=debug). Returns the file's path, or None when it cannot be written."""
    level = logging.DEBUG if verbose or os.environ.get("TOKENDESK_LOG") == "debug" else logging.INFO
    root = logging.getLogger("app")
    root.setLevel(level)
    root.propagate = False
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    path = log_dir(directory) / LOG_NAME
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
        os.chmod(path, 0o600)
    except OSError:
        return None
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    return path


def crash_report(error: BaseException) -> str:
    """A redacted traceback a person can paste into a bug report."""
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return scrub(f"Tokendesk {__version__}\n{text}")
