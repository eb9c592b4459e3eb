"""Long warnings are cut to a readable line; the whole text stays one click away."""

from __future__ import annotations

from app.ui.widgets.warning_list import shorten


def test_a_long_list_of_names_is_shortened() -> None:
    names = " ".join(f"scope{i}" for i in range(120))
    text = shorten(f"Scopes not granted by the server: {names}.")
    assert text == "Scopes not granted by the server: scope0 scope1 scope2 scope3 … and 116 more."


def test_a_short_warning_is_left_alone() -> None:
    warning = "Scopes not granted by the server: a b."
    assert shorten(warning) == warning
    assert shorten("The server did not say when it expires.") == (
        "The server did not say when it expires."
    )
