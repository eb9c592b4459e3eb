"""Rule 1: app/core, app/storage and app/importers never import Qt (nor qasync)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
FENCED = ("core", "storage", "importers")
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
