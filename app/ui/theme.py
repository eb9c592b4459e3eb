"""Colours that follow the desktop's light or dark colour scheme (Qt 6's styleHints), live.
State colours always come with words and a glyph (see token/panel.py), so colour is never the
only signal."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

LIGHT = {
    "valid": ("#1a7f37", "rgba(46,160,67,0.14)"),
    "expiring": ("#9a6700", "rgba(212,167,44,0.20)"),
    "expired": ("#cf222e", "rgba(207,34,46,0.12)"),
    "failed": ("#cf222e", "rgba(207,34,46,0.12)"),
    "none": ("#57606a", "rgba(110,119,129,0.12)"),
}
DARK = {
    "valid": ("#56d364", "rgba(46,160,67,0.22)"),
    "expiring": ("#e3b341", "rgba(187,128,9,0.25)"),
    "expired": ("#ff7b72", "rgba(248,81,73,0.20)"),
    "failed": ("#ff7b72", "rgba(248,81,73,0.20)"),
    "none": ("#8b949e", "rgba(110,118,129,0.20)"),
}


def is_dark() -> bool:
    """The desktop's colour scheme when it states one, else what the palette looks like."""
    scheme = QGuiApplication.styleHints().colorScheme()
    if scheme == Qt.ColorScheme.Dark:
        return True
    if scheme == Qt.ColorScheme.Light:
        return False
    return QGuiApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128


def dark_palette() -> QPalette:
    """For platforms whose style stays light when the desktop is dark (e.g. Fusion on X11)."""
    palette = QPalette()
    roles = QPalette.ColorRole
    for role, colour in (
        (roles.Window, "#1f2329"),
        (roles.WindowText, "#e6edf3"),
        (roles.Base, "#161a1f"),
        (roles.AlternateBase, "#22272e"),
        (roles.Text, "#e6edf3"),
        (roles.PlaceholderText, "#8b949e"),
        (roles.Button, "#2b3139"),
        (roles.ButtonText, "#e6edf3"),
        (roles.ToolTipBase, "#2b3139"),
        (roles.ToolTipText, "#e6edf3"),
        (roles.Highlight, "#2f6feb"),
        (roles.HighlightedText, "#ffffff"),
        (roles.Link, "#58a6ff"),
        (roles.Mid, "#30363d"),
        (roles.Dark, "#0d1117"),
        (roles.Light, "#3d444d"),
    ):
        palette.setColor(role, QColor(colour))
    for role in (roles.Text, roles.WindowText, roles.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6e7681"))
    return palette


def apply(app: QApplication, dark: bool | None = None) -> None:
    """Palette and stylesheet for the current scheme (or for `dark`, when given)."""
    dark = is_dark() if dark is None else dark
    looks_dark = app.palette().color(QPalette.ColorRole.Window).lightness() < 128
    if dark != looks_dark:
        app.setPalette(dark_palette() if dark else app.style().standardPalette())
    app.setStyleSheet(stylesheet(dark))


def follow_desktop(app: QApplication) -> None:
    """Re-colour the running app when the desktop switches between light and dark."""
    app.styleHints().colorSchemeChanged.connect(lambda _scheme: apply(app))
    apply(app)


def stylesheet(dark: bool | None = None) -> str:
    dark = is_dark() if dark is None else dark
    colours = DARK if dark else LIGHT
    problem = colours["failed"][0]
    rules = [
        'QLabel[role="badge"] { border-radius: 11px; padding: 4px 12px; font-weight: bold; }',
        f'QLabel[role="hint"] {{ color: {colours["none"][0]}; }}',
        f'QLabel[role="problem"] {{ color: {problem}; }}',
        f'QLabel[role="problem"][blocking="false"] {{ color: {colours["expiring"][0]}; }}',
        f'QLabel[role="warning"] {{ color: {colours["expiring"][0]}; }}',
        f'QLabel[role="success"] {{ color: {colours["valid"][0]}; font-weight: bold; }}',
        f'QFrame[role="error"] {{ border: 1px solid {problem}; border-radius: 6px;'
        f" background: {colours['failed'][1]}; }}",
        f'QFrame[role="banner"] {{ background: {colours["expiring"][1]};'
        f" border-bottom: 1px solid {colours['expiring'][0]}; }}",
        f'QLabel#claimsStatusLabel[verified="true"] {{ color: {colours["valid"][0]}; }}',
        # The fields named by "fix the highlighted fields".
        f'QLineEdit[problem="blocking"], QPlainTextEdit[problem="blocking"],'
        f' QTableWidget[problem="blocking"] {{ border: 2px solid {problem}; border-radius: 3px; }}',
        f'QLineEdit[problem="warning"], QPlainTextEdit[problem="warning"],'
        f' QTableWidget[problem="warning"] {{ border: 2px solid {colours["expiring"][0]};'
        " border-radius: 3px; }",
    ]
    for state, (fg, bg) in colours.items():
        rules.append(f'QLabel[role="badge"][state="{state}"] {{ color: {fg}; background: {bg}; }}')
    return "\n".join(rules)
