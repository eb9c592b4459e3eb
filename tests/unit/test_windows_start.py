"""The window must start where the POSIX `resource` module does not exist (Windows)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_app_main_imports_without_the_resource_module() -> None:
    code = (
        "import sys\n"
        "sys.modules['resource'] = None  # makes `import resource` raise ImportError\n"
        "import app.main, app.cli, app.desk.wiring\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
