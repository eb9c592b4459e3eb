"""The fences: app/core, app/storage, app/desk and app/importers never import Qt (nor qasync,
which pulls Qt in); core depends on nothing above it; the CLI and the window reach the domain
only through the application layer (app/desk), never the stores or the engine it wraps."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
FENCED = ("core", "storage", "desk", "importers")
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "qasync", "app.ui", "app.services")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_fenced_module_names_qt() -> None:
    offenders = {
        f"{path.relative_to(APP.parent)}: {name}"
        for package in FENCED
        for path in (APP / package).rglob("*.py")
        for name in imported_modules(path)
        if name.startswith(FORBIDDEN)
    }
    assert not offenders


def test_importing_every_fenced_module_loads_no_qt() -> None:
    modules = [
        ".".join(path.relative_to(APP.parent).with_suffix("").parts)
        for package in FENCED
        for path in (APP / package).rglob("*.py")
    ]
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print([m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'qasync'))])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=APP.parent
    )
    assert len(modules) > 10
    assert result.stdout.strip() == "[]"


def test_the_fence_check_would_catch_an_offender(tmp_path: Path) -> None:
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("from PySide6.QtCore import QObject\n")
    assert any(n.startswith(FORBIDDEN) for n in imported_modules(sneaky))


# What the application layer wraps: the stores and the engine. Domain types (profiles, tokens,
# errors, request specs) stay importable: they are the layer's vocabulary.
WRAPPED = (
    "app.storage",
    "app.core.token_manager",
    "app.core.oauth",
    "app.core.client_auth",
    "app.core.http_clients",
    "app.core.transport",
    "app.core.api_call",
    "app.sandbox",
)


def modules_under(*parts: str) -> list[Path]:
    found: list[Path] = []
    for part in parts:
        target = APP / part
        found += list(target.rglob("*.py")) if target.is_dir() else [target]
    return found


def test_core_imports_nothing_above_it() -> None:
    offenders = {
        f"{path.relative_to(APP.parent)}: {name}"
        for path in (APP / "core").rglob("*.py")
        for name in imported_modules(path)
        if name.startswith(("app.storage", "app.desk", "app.services", "app.ui", "app.cli"))
    }
    assert not offenders


def test_the_window_and_the_cli_go_through_the_application_layer() -> None:
    offenders = {
        f"{path.relative_to(APP.parent)}: {name}"
        for path in modules_under("ui", "cli", "services")
        for name in imported_modules(path)
        if name.startswith(WRAPPED)
    }
    assert not offenders


def test_the_layer_fence_would_catch_a_shortcut(tmp_path: Path) -> None:
    shortcut = tmp_path / "shortcut.py"
    shortcut.write_text("from app.storage.profile_store import ProfileStore\n")
    assert any(n.startswith(WRAPPED) for n in imported_modules(shortcut))
