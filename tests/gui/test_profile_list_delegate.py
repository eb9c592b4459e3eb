"""Profile names in CJK or with emoji keep their state line and are not elided early (issue 11):
the list's delegate measures both lines with the fonts that draw them."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QStyleOptionViewItem

from app.core.profiles import Profile
from app.core.tokens import TokenState
from app.ui.profiles.list_delegate import PAD_Y, ProfileItemDelegate, line_size
from app.ui.profiles.list_panel import ProfileListPanel

NAME = "東京本社の注文管理システム API — 本番環境 🚀🔐"


def test_a_cjk_and_emoji_name_keeps_both_lines_and_fits(qtbot: Any) -> None:
    panel = ProfileListPanel()
    qtbot.addWidget(panel)
    profile = Profile(name=NAME, client_id="c", token_url="https://idp.example/token")
    panel.set_profiles([profile])
    panel.set_state(profile.id, NAME, "●", "Valid · 59 min left", TokenState.VALID)
    panel.resize(900, 300)
    panel.show()
    delegate = panel.list.itemDelegate()
    assert isinstance(delegate, ProfileItemDelegate)
    index = panel.list.model().index(0, 0)
    assert delegate.lines(index) == [NAME, "   ● Valid · 59 min left"]
    option = QStyleOptionViewItem()
    option.font = panel.list.font()
    hint = delegate.sizeHint(option, index)
    sizes = [line_size(line, option.font) for line in delegate.lines(index)]
    assert hint.height() >= sum(h for _, h in sizes) + 2 * PAD_Y  # room for both lines
    assert hint.width() >= max(w for w, _ in sizes)  # the whole name, not elided early
    # Rebuilding the list (an outside change) keeps the state line.
    panel.refresh([profile])
    assert delegate.lines(panel.list.model().index(0, 0))[1] == "   ● Valid · 59 min left"
