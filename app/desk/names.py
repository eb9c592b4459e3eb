"""Profile names for shell completion: read straight from the profiles file, nothing else
loaded, since the shell waits on it at every Tab."""

from __future__ import annotations

from pathlib import Path


def profile_names(prefix: str = "", config_dir: Path | None = None) -> list[str]:
    """Names starting with `prefix` (case-insensitive); none when the file cannot be read."""
    from app.core.errors import TokendeskError
    from app.storage import paths
    from app.storage.profile_store import ProfileStore

    try:
        names = [p.name for p in ProfileStore(paths.config_dir(config_dir)).load()]
    except TokendeskError:
        return []
    wanted = prefix.casefold()
    return [n for n in names if n.casefold().startswith(wanted)]
