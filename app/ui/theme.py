"""Colours that follow the OS light/dark palette. State colours always come with words and a
glyph (see token/panel.py), so colour is never the only signal."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication, QPalette

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
    palette = QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


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
    ]
    for state, (fg, bg) in colours.items():
        rules.append(f'QLabel[role="badge"][state="{state}"] {{ color: {fg}; background: {bg}; }}')
    return "\n".join(rules)
