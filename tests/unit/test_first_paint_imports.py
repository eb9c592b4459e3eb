"""The window paints before the heavy libraries load (make bench: cold start to first paint).
Building the window must not import httpx, PyJWT, cryptography or keyring: they load on first
use."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = (
    "httpx",
    "jwt",
    "cryptography",
    "keyring",
    "app.core.api_call",
    "app.sandbox.sandbox",
    "app.ui.composer.composer",  # the Requests tab is built after the first paint
)


def test_building_the_window_loads_none_of_the_heavy_libraries(tmp_path: object) -> None:
    code = (
        "import sys, asyncio\n"
        "import qasync\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from app.main import build_window\n"
        "app = QApplication([])\n"
        "loop = qasync.QEventLoop(app)\n"
        "asyncio.set_event_loop(loop)\n"
        f"window = build_window({str(tmp_path)!r} + '/c', {str(tmp_path)!r} + '/d')\n"
        "window.show(); app.processEvents()\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    lines = result.stdout.strip().splitlines()
    assert lines, result.stderr[-2000:]
    assert lines[-1] == "[]", result.stderr[-2000:]


# What `main()` keeps out of its first frame: it paints the real window before it loads the
# application layer, asyncio/qasync, logging and storage beyond the profiles file, and before
# it builds the hidden pages (Profile settings, Serve) and the controllers. (logging and zipfile
# are not listed: PySide6's own start-up imports them, the bare window's too.)
NOT_BEFORE_FIRST_PAINT = (
    *HEAVY,
    "asyncio",
    "qasync",
    "concurrent.futures",
    "ssl",
    "sqlite3",
    "filelock",
    "app.desk",
    "app.services.workbench",
    "app.storage.history_store",
    "app.ui.tasks",
    "app.ui.profiles.editor",
    "app.ui.profiles.controller",
    "app.ui.proxy_panel",
    "app.ui.imports.flow",
)


def test_the_first_frame_is_painted_before_the_application_layer_loads(tmp_path: object) -> None:
    """main()'s first phase paints the real window (saved profiles listed) with none of the
    second phase's modules imported; attaching them afterwards gives the wired window."""
    save = (
        "from pathlib import Path\n"
        "from app.core.profiles import Profile\n"
        "from app.storage.profile_store import ProfileStore\n"
        f"store = ProfileStore(Path({str(tmp_path)!r}) / 'c')\n"
        "store.save(Profile(name='orders', client_id='c', token_url='https://i/t'))\n"
    )
    subprocess.run([sys.executable, "-c", save], check=True, timeout=60)
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from PySide6.QtWidgets import QApplication\n"
        f"config = Path({str(tmp_path)!r}) / 'c'\n"
        "from app.main import attach_services, show_first_frame\n"
        "app = QApplication([])\n"
        "window = show_first_frame(config)\n"
        f"loaded = [m for m in {NOT_BEFORE_FIRST_PAINT!r} if m in sys.modules]\n"
        "shown = [window.profile_list.list.item(i).text().split(chr(10))[0]\n"
        "         for i in range(window.profile_list.list.count())]\n"
        "painted = window.isVisible() and window.right.currentWidget() is window.tabs\n"
        "import asyncio, qasync\n"
        "asyncio.set_event_loop(qasync.QEventLoop(app))\n"
        f"attach_services(window, config, Path({str(tmp_path)!r}) / 'd')\n"
        "wired = window.tabs.widget(2) is window.editor and window.profiles.current() is not None\n"
        "print(json.dumps([loaded, shown, painted, wired]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    lines = result.stdout.strip().splitlines()
    assert lines, result.stderr[-2000:]
    loaded, shown, painted, wired = json.loads(lines[-1])
    assert loaded == []
    assert shown == ["orders"]
    assert painted
    assert wired
