"""Where Tokendesk keeps its files (never secrets): platformdirs' per-user dirs by default."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "tokendesk"


def config_dir(override: Path | None = None) -> Path:
    return override if override is not None else Path(platformdirs.user_config_dir(APP_NAME))


def data_dir(override: Path | None = None) -> Path:
    return override if override is not None else Path(platformdirs.user_data_dir(APP_NAME))
