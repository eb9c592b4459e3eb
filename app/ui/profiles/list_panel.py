"""The list of client profiles, each with its token state, and the buttons that manage them."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.profiles import Profile
from app.core.tokens import TokenState
from app.ui.profiles.list_delegate import ProfileItemDelegate
from app.ui.qt import named
from app.ui.widgets.hinted_list import HintedList

ID_ROLE = Qt.ItemDataRole.UserRole
STATE_ROLE = Qt.ItemDataRole.UserRole + 1


class ProfileListPanel(QWidget):
    """Signals:
    selected(str): the id of the newly selected profile ("" when none).
    new_requested(), duplicate_requested(), rename_requested(), delete_requested(),
    import_requested(), export_requested(), preset_requested(): the person asked for that
    action (preset: a new profile from a provider preset).
    """

    selected = Signal(str)
    new_requested = Signal()
    duplicate_requested = Signal()
    rename_requested = Signal()
    delete_requested = Signal()
    import_requested = Signal()
    export_requested = Signal()
    preset_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._states: dict[str, tuple[str, str, TokenState]] = {}
        self.list = named(
            HintedList(
                "No profiles yet. “+ New profile” adds your client; File → Try the "
                "sandbox shows the whole path with a practice server."
            ),
            "profileList",
        )
        self.list.setAccessibleName("Client profiles")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setSpacing(2)
        self.list.setItemDelegate(ProfileItemDelegate(self.list))
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.new_button = named(QPushButton("+ New profile"), "newProfileButton")
        self.new_button.setShortcut(QKeySequence("Ctrl+N"))
        self.new_button.setToolTip("Add a client profile (Ctrl+N)")
        self.new_button.setAccessibleName("New profile")
        self.more_button = named(QToolButton(), "profileMenuButton")
        self.more_button.setText("More")
        self.more_button.setAccessibleName("More profile actions")
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)

        self.duplicate_action = self._action(
            "Duplicate", "duplicateProfileAction", self.duplicate_requested, "Ctrl+D"
        )
        self.rename_action = self._action(
            "Rename…", "renameProfileAction", self.rename_requested, "F2"
        )
        self.delete_action = self._action(
            "Delete…", "deleteProfileAction", self.delete_requested, "Del"
        )
        self.import_action = self._action(
            "Import profiles…", "importProfilesAction", self.import_requested, None
        )
        self.export_action = self._action(
            "Export profiles (no secrets)…", "exportProfilesAction", self.export_requested, None
        )
        self.preset_action = self._action(
            "New from a provider (Entra ID, Auth0, Okta…)…",
            "newFromPresetAction",
            self.preset_requested,
            "Ctrl+Shift+N",
        )
        menu = QMenu(self.more_button)
        menu.addAction(self.preset_action)
        menu.addSeparator()
        for action in (self.duplicate_action, self.rename_action, self.delete_action):
            menu.addAction(action)
            self.list.addAction(action)
        menu.addSeparator()
        menu.addAction(self.import_action)
        menu.addAction(self.export_action)
        self.more_button.setMenu(menu)

        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button, 1)
        buttons.addWidget(self.more_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self.list.currentItemChanged.connect(self._current_changed)
        self.update_actions()

    def _action(
        self, text: str, name: str, signal: SignalInstance, shortcut: str | None
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(signal)
        return action

    def _current_changed(self, current: QListWidgetItem | None, _previous: object) -> None:
        self.update_actions()
        self.selected.emit(str(current.data(ID_ROLE)) if current else "")

    def update_actions(self) -> None:
        has = self.list.currentItem() is not None
        for action in (self.duplicate_action, self.rename_action, self.delete_action):
            action.setEnabled(has)

    def set_profiles(self, profiles: list[Profile], keep: str | None = None) -> None:
        """Rebuild the list, keeping (or moving to) the profile id `keep` selected."""
        self.list.blockSignals(True)
        try:
            row = self._rebuild(profiles, keep)
        finally:
            self.list.blockSignals(False)
        self.list.setCurrentRow(row)
        if row == -1:
            self._current_changed(None, None)

    def refresh(self, profiles: list[Profile]) -> None:
        """Rebuild the list after an outside change, keeping the selection and announcing
        nothing: the form beside it is left alone."""
        self.list.blockSignals(True)
        try:
            self.list.setCurrentRow(self._rebuild(profiles, None))
        finally:
            self.list.blockSignals(False)
        self.update_actions()

    def _rebuild(self, profiles: list[Profile], keep: str | None) -> int:
        keep = keep if keep is not None else self.selected_id()
        self.list.clear()
        for profile in profiles:
            item = QListWidgetItem(profile.name)
            item.setData(ID_ROLE, profile.id)
            item.setToolTip(profile.token_url or profile.issuer_url)
            self.list.addItem(item)
            known = self._states.get(profile.id)
            if known is not None:  # the state line stays until the next tick brings news
                self.set_state(profile.id, profile.name, *known)
        return next((i for i, p in enumerate(profiles) if p.id == keep), 0 if profiles else -1)

    def _item(self, profile_id: str) -> QListWidgetItem | None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(ID_ROLE) == profile_id:
                return item
        return None

    def set_state(
        self, profile_id: str, name: str, glyph: str, words: str, state: TokenState
    ) -> None:
        item = self._item(profile_id)
        if item is None:
            return
        self._states[profile_id] = (glyph, words, state)
        text = f"{name}\n   {glyph} {words}"
        if item.text() == text:
            return
        item.setText(text)
        item.setData(STATE_ROLE, state.value)
        item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{name}, token: {words}")

    def selected_id(self) -> str:
        item = self.list.currentItem()
        return str(item.data(ID_ROLE)) if item else ""

    def select(self, profile_id: str) -> None:
        item = self._item(profile_id)
        if item is not None:
            self.list.setCurrentItem(item)
