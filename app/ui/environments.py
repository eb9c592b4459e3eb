"""The environment switcher of the Requests tab: one button per environment of the selected
profile (dev, staging, production…) and one for the profile's own settings, each showing that
environment's own token state, side by side. One click chooses where the composer sends; the
choice is remembered per profile for the session."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from app.core.errors import TokendeskError
from app.core.profiles import Profile
from app.core.timefmt import state_words
from app.desk.views import TokenEvent
from app.services.workbench import Workbench
from app.ui.qt import named
from app.ui.tasks import TaskRunner

OWN = ""  # the profile's own settings, no environment


class EnvironmentBar(QWidget):
    """Signals:
    clicked(str): the person clicked an environment's button ("" for the profile's own).
    """

    clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("environmentBar")
        # As tall as its buttons: the composer below takes the rest.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, QToolButton] = {}
        self.label = QLabel("Environment:")
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 4)
        self._layout.addWidget(self.label)
        self._layout.addStretch(1)
        self.setVisible(False)

    def set_environments(self, names: list[str], chosen: str) -> None:
        for button in self.buttons.values():
            self.group.removeButton(button)
            button.deleteLater()
        self.buttons = {}
        for index, name in enumerate([OWN, *names]):
            button = named(QToolButton(self), f"environmentButton{index}")
            button.setCheckable(True)
            button.toggled.connect(lambda on, b=button: _embolden(b, on))
            button.setChecked(name == chosen)
            button.setAutoRaise(False)
            button.clicked.connect(lambda _checked=False, n=name: self.clicked.emit(n))
            self.group.addButton(button)
            self._layout.insertWidget(self._layout.count() - 1, button)
            self.buttons[name] = button
        self.setVisible(bool(names))

    def set_state(self, name: str, words: str) -> None:
        button = self.buttons.get(name)
        if button is not None:
            title = name or "Profile settings"
            button.setText(f"{title}\n{words}")
            button.setAccessibleName(f"Environment {title}, token: {words}")

    def choose(self, name: str) -> None:
        button = self.buttons.get(name)
        if button is not None:
            button.setChecked(True)


def _embolden(button: QToolButton, on: bool) -> None:
    """The chosen environment in bold, not by shade alone."""
    font = button.font()
    font.setBold(on)
    button.setFont(font)


class EnvironmentSwitcher(QObject):
    """Signals:
    environment_chosen(str): where requests of the shown profile now go ("" = its own settings).
    """

    environment_chosen = Signal(str)

    def __init__(
        self, workbench: Workbench, bar: EnvironmentBar, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.desk = workbench.desk
        self.bar = bar
        self.profile: Profile | None = None
        self.chosen: dict[str, str] = {}
        self.tasks = TaskRunner(self._failed)
        bar.clicked.connect(self.choose)
        workbench.token_event.connect(self._token_event)

    @property
    def environment(self) -> str:
        return self.chosen.get(self.profile.id, OWN) if self.profile else OWN

    def show(self, profile: Profile | None) -> None:
        self.profile = profile
        names = [e.name for e in profile.environments] if profile else []
        if self.environment not in ("", *names):
            self.chosen.pop(profile.id if profile else "", None)  # gone after a re-import
        self.bar.set_environments(names, self.environment)
        self.refresh()
        if profile is not None and names:
            self.tasks.run("cached", self._load_cached(profile))
        self.environment_chosen.emit(self.environment)

    def choose(self, name: str) -> None:
        if self.profile is None:
            return
        self.chosen[self.profile.id] = name
        self.bar.choose(name)
        self.environment_chosen.emit(name)

    async def _load_cached(self, profile: Profile) -> None:
        """Each environment's token kept in the keychain from an earlier run."""
        for env in profile.environments:
            await self.desk.cached_token(self.desk.in_environment(profile, env.name))
        self.refresh()

    def refresh(self) -> None:
        if self.profile is None:
            return
        now = self.desk.now()
        for name in [OWN, *(e.name for e in self.profile.environments)]:
            view = self.desk.token_view(self.desk.in_environment(self.profile, name).id)
            self.bar.set_state(name, state_words(view.state, view.token, now, view.error))

    def _token_event(self, event: TokenEvent) -> None:
        if self.profile is not None and event.profile_id.startswith(self.profile.id):
            self.refresh()

    def _failed(self, error: TokendeskError) -> None:
        self.refresh()  # a keychain that cannot say: the buttons keep "No token yet"
