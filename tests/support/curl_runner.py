"""bash runs a copied curl command, as a person pasting it would: the HTTP status it got."""

from __future__ import annotations

import subprocess


def status_from_bash(command: str, env: dict[str, str] | None = None) -> str:
    """The status code curl reports ("000": no answer, e.g. a certificate it does not trust).
    `env`: variables the command reads (TOKEN); PATH is the system's only."""
    run = subprocess.run(
        ["bash", "-c", f"{command} -s -o /dev/null -w '%{{http_code}}'"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        env={"PATH": "/usr/bin:/bin", **(env or {})},
    )
    return run.stdout
