"""The main window: composes the profile list, the editor, the token panel and their
controllers. It decides nothing itself.

It is built in two phases so that the first frame is the real window, painted early: the
constructor builds only what is on screen (no application layer, no asyncio, no hidden pages);
`attach(workbench)` then builds the hidden pages and wires the controllers. The modules of the
second phase are imported inside it: tests/unit/test_first_paint_imports.py keeps them out."""

from __future__ import annotations

from typing import TYPE_CHECKING

# Only the classes the first frame needs: each PySide6 class touched creates its enums, and the
# `Qt` namespace alone creates ~95 of them (second-phase code imports it where it needs it).
from PySide6.QtCore import QByteArray, QSettings, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QIcon, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import KeychainError, ProfileStoreError, TokendeskError
from app.ui import theme
from app.ui.profiles.list_panel import ProfileListPanel
from app.ui.qt import named
from app.ui.token.panel import TokenPanel
from app.ui.welcome import WelcomeView
from app.ui.widgets.banner import Banner

if TYPE_CHECKING:
    from app.core.profiles import Profile
    from app.desk.desk import Desk
    from app.services.workbench import Workbench
    from app.ui.clipboard import ClipboardGuard
    from app.ui.composer.controller import RequestsController
    from app.ui.composer.panel import RequestsPanel
    from app.ui.crash import CrashHandler
    from app.ui.environments import EnvironmentSwitcher
    from app.ui.imports.flow import ImportFlow
    from app.ui.profiles.controller import ProfilesController
    from app.ui.profiles.editor import ProfileEditor
    from app.ui.prompter import Prompter
    from app.ui.proxy_panel import ProxyPanel
    from app.ui.tasks import TaskRunner
    from app.ui.token.controller import TokenController

TOKEN_TAB, REQUESTS_TAB, SETTINGS_TAB, SERVE_TAB = 0, 1, 2, 3


class MainWindow(QMainWindow):
    """Signals:
    closed(): the window was closed; the composition root then shuts the services down.
    """

    closed = Signal()

    def __init__(
        self,
        workbench: Workbench | None = None,
        *,
        settings: QSettings,
        prompter: Prompter | None = None,
        icon: QIcon | None = None,
    ) -> None:
        """The visible widgets only; with a `workbench`, `attach` runs at once. `prompter`
        answers the window's questions (None: modal dialogs)."""
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle("Tokendesk")
        if icon is not None:
            self.setWindowIcon(icon)
        self.settings = settings
        self._prompter = prompter
        self.crash: CrashHandler | None = None  # set by the composition root
        self._startup_pending = False  # start() arms it; the first show runs it
        self._closing = False

        self.banner = Banner(self)
        self.store_banner = named(Banner(self), "storeBanner")
        self.store_banner.retry.setVisible(False)
        self.profile_list = ProfileListPanel(self)
        self.token_panel = TokenPanel(self)
        self.tabs = named(QTabWidget(), "mainTabs")
        # The Requests tab is built after the first paint (or when first opened): its widgets
        # and modules are not needed to show the window.
        self.requests_page = named(QWidget(), "requestsPage")
        QVBoxLayout(self.requests_page).setContentsMargins(0, 0, 0, 0)
        self._requests_panel: RequestsPanel | None = None
        self._requests: RequestsController | None = None
        self.environments: EnvironmentSwitcher | None = None
        self.tabs.addTab(self.token_panel, "Token")
        self.tabs.addTab(self.requests_page, "Requests")
        # Stand-ins keep the tab bar as it will be; `attach` swaps in the real (hidden) pages.
        self.tabs.addTab(QWidget(), "Profile settings")
        self.tabs.addTab(QWidget(), "Serve")
        self.welcome = WelcomeView(self)
        self.right = named(QStackedWidget(), "mainStack")
        self.right.addWidget(self.welcome)
        self.right.addWidget(self.tabs)
        self.splitter = named(QSplitter(), "mainSplitter")  # horizontal by default
        self.splitter.addWidget(self.profile_list)
        self.splitter.addWidget(self.right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([260, 740])
        self.splitter.setChildrenCollapsible(False)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.store_banner)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.statusBar().setObjectName("statusBar")
        # The menu titles are on screen; their actions are added by `attach`.
        self._menus = [self.menuBar().addMenu(t) for t in ("&File", "&Settings", "&Help")]
        self._restore()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            # Styled once the widgets exist: a style sheet set earlier re-polishes every
            # widget again each time the build reparents it.
            theme.follow_desktop(app)
        if workbench is not None:
            self.attach(workbench)

    def attach(self, workbench: Workbench) -> None:
        """The second phase: the hidden pages, the controllers and the menus' actions."""
        from PySide6.QtGui import QGuiApplication

        from app.ui.clipboard import ClipboardGuard
        from app.ui.profiles.controller import ProfilesController
        from app.ui.profiles.editor import ProfileEditor
        from app.ui.prompter import DialogPrompter
        from app.ui.proxy_panel import ProxyPanel
        from app.ui.tasks import TaskRunner
        from app.ui.token.controller import TokenController

        self.workbench = workbench
        self.desk: Desk = workbench.desk
        self.prompter: Prompter = self._prompter or DialogPrompter(self)
        self.tasks: TaskRunner = TaskRunner(self._show_status_error)
        self.editor: ProfileEditor = ProfileEditor(
            self.prompter.open_file, ask_password=self.prompter.ask_password
        )
        self.proxy_panel: ProxyPanel = named(
            ProxyPanel(self.desk, copy=lambda t, w: self.clipboard.copy(t, w, sensitive=False),
                       on_error=self._show_status_error), "proxyPanel")  # fmt: skip
        for index, page in ((SETTINGS_TAB, self.editor), (SERVE_TAB, self.proxy_panel)):
            label = self.tabs.tabText(index)
            stand_in = self.tabs.widget(index)
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, page, label)
            if stand_in is not None:
                stand_in.deleteLater()

        clipboard = QGuiApplication.clipboard()
        self.clipboard: ClipboardGuard = ClipboardGuard(
            clipboard,
            self.notify,
            clear_after=int(str(self.settings.value("clipboard/clear_after", 60))),
            parent=self,
        )
        self.profiles: ProfilesController = ProfilesController(
            workbench,
            self.profile_list,
            editor=self.editor,
            prompter=self.prompter,
            notify=self.notify,
            parent=self,
        )
        self.token: TokenController = TokenController(
            workbench,
            self.token_panel,
            profiles=self.profile_list,
            clipboard=self.clipboard,
            prompter=self.prompter,
            notify=self.notify,
            parent=self,
        )
        self.token.start_sandbox = self.start_sandbox
        self.tabs.currentChanged.connect(self._tab_changed)
        self.profiles.profile_selected.connect(self._profile_selected)
        self.profiles.editing_started.connect(self._editing_started)
        self.profiles.became_empty.connect(lambda: self.right.setCurrentWidget(self.welcome))
        self.welcome.add_client.clicked.connect(self.profiles.new_profile)
        self.welcome.add_from_provider.clicked.connect(self.profiles.new_from_preset)
        self.welcome.try_sandbox.clicked.connect(self.start_sandbox)
        workbench.keychain_checked.connect(self.banner.show_error)
        # Said wherever the person is: the Requests tab (and its list) may not exist yet.
        workbench.history_trouble.connect(lambda e: self.notify(f"{e.message} {e.hint}"))
        workbench.profiles_changed.connect(self.token.update_badges)
        self.banner.retry.clicked.connect(self._check_keychain)
        self.banner.save.clicked.connect(self._save_to_keychain)
        self._build_menus()

    # Menus and settings --------------------------------------------------------------------

    def _build_menus(self) -> None:
        from app.ui.imports.flow import ImportFlow
        from app.ui.response_limit import ResponseLimit
        from app.ui.window_menus import add_menu_actions

        self.imports: ImportFlow = ImportFlow(self.desk, self)
        self.imports.imported.connect(self._imported)
        self.response_limit = ResponseLimit(
            self.settings, prompter=self.prompter, notify=self.notify, parent=self
        )
        actions = add_menu_actions(self, *self._menus)
        self.save_action = actions.save
        self.sandbox_action = actions.sandbox
        self.clear_clipboard_action = actions.clear_clipboard

    def _restore(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1100, 720)
        self._restore_splitters((("window/splitter", self.splitter),))

    def _restore_splitters(self, pairs: tuple[tuple[str, QSplitter], ...]) -> None:
        for key, splitter in pairs:
            state = self.settings.value(key)
            if isinstance(state, QByteArray):
                splitter.restoreState(state)

    # The Requests tab, built on demand ----------------------------------------------------

    @property
    def requests_panel(self) -> RequestsPanel:
        self._build_requests()
        assert self._requests_panel is not None
        return self._requests_panel

    @property
    def requests(self) -> RequestsController:
        self._build_requests()
        assert self._requests is not None
        return self._requests

    def _build_requests(self) -> None:
        if self._requests is not None:
            return
        from app.ui.composer.controller import RequestsController
        from app.ui.composer.panel import RequestsPanel

        panel = RequestsPanel(self.requests_page)
        layout = self.requests_page.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.addWidget(panel)
        self._requests_panel = panel
        self._requests = RequestsController(
            self.workbench,
            panel,
            prompter=self.prompter,
            copy=self.clipboard.copy,
            notify=self.notify,
            max_bytes=self.response_limit.max_bytes,
            parent=self,
        )
        self._restore_splitters(
            (("window/requests", panel.horizontal), ("window/request", panel.vertical))
        )
        from app.ui.environments import EnvironmentBar, EnvironmentSwitcher

        self.environments = EnvironmentSwitcher(self.workbench, EnvironmentBar(), parent=self)
        layout.insertWidget(0, self.environments.bar)
        self.environments.environment_chosen.connect(self._requests.set_environment)
        self._requests.show(self.profiles.current())
        self.environments.show(self.profiles.current())

    def _tab_changed(self, index: int) -> None:
        if index == REQUESTS_TAB:
            self._build_requests()

    def save_state(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/splitter", self.splitter.saveState())
        if self._requests_panel is not None:
            panel = self._requests_panel
            self.settings.setValue("window/requests", panel.horizontal.saveState())
            self.settings.setValue("window/request", panel.vertical.saveState())
        self.settings.setValue("window/last_profile", self.profile_list.selected_id())
        self.settings.sync()

    # Start and stop ------------------------------------------------------------------------

    def start(self) -> None:
        """Show the profiles now; check the keychain and load cached tokens in the background."""
        try:
            self.show_profiles(self.desk.profiles())
        except ProfileStoreError as exc:
            self.show_profiles([], exc)
        if self.isVisible():  # two-phase start: the window painted before it was attached
            QTimer.singleShot(30, self, self._begin_startup)
        else:
            self._startup_pending = True

    def show_profiles(
        self, profiles: list[Profile], error: ProfileStoreError | None = None
    ) -> None:
        """The list (or the welcome page) as saved; the first phase shows it before `attach`."""
        if error is not None:
            self.store_banner.show_error(error)
            self.store_banner.text.setText(f"<b>{error.message}</b> {error.hint}")
        last = str(self.settings.value("window/last_profile", "") or "")
        if profiles:
            self.profile_list.set_profiles(profiles, last or None)
            self.right.setCurrentWidget(self.tabs)
            self.tabs.setCurrentIndex(TOKEN_TAB)
        else:
            self.right.setCurrentWidget(self.welcome)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._startup_pending:
            self._startup_pending = False
            # The keychain check starts only once the window has painted: choosing a keyring
            # backend scans installed packages and would hold the GIL while the window waits.
            QTimer.singleShot(30, self, self._begin_startup)

    def _begin_startup(self) -> None:
        if not self._closing:
            self.tasks.run("startup", self._startup())
            QTimer.singleShot(200, self, self._build_requests_if_open)

    def _build_requests_if_open(self) -> None:
        if not self._closing:
            self._build_requests()

    def _editing_started(self) -> None:
        self.right.setCurrentWidget(self.tabs)
        self.tabs.setCurrentIndex(SETTINGS_TAB)
        self.editor.name.setFocus()

    def start_sandbox(self) -> None:
        """Start the practice servers, select the Sandbox profile and get its first token."""
        self.profiles.leave(self._start_sandbox_now)

    def _start_sandbox_now(self) -> None:
        self.welcome.status.setText("Starting the sandbox…")
        self.tasks.run(
            "sandbox",
            self._start_sandbox(),
            busy=[self.welcome.try_sandbox, self.sandbox_action, self.token_panel.start_sandbox],
            on_error=self._sandbox_failed,
        )

    async def _start_sandbox(self) -> None:
        profile = await self.desk.start_sandbox()
        self.profiles.set_profiles(profile.id)
        self.token.show(profile)  # its addresses may have changed since the list last showed it
        self.right.setCurrentWidget(self.tabs)
        self.tabs.setCurrentIndex(TOKEN_TAB)
        self.welcome.status.clear()
        self.notify("The sandbox runs on this computer only. Its saved requests are in Requests.")
        self.token.get_token()

    def _sandbox_failed(self, error: TokendeskError) -> None:
        self.welcome.status.setText(f"<b>{error.message}</b> {error.hint}")
        self._show_status_error(error)

    async def _startup(self) -> None:
        await self.desk.check_keychain()
        await self.desk.load_cached_tokens()
        self.token.refresh()

    def _check_keychain(self) -> None:
        self.tasks.run("keychain", self._startup(), busy=[self.banner.retry])

    def _save_to_keychain(self) -> None:
        self.tasks.run("keychain", self._move_secrets(), busy=[self.banner.save])

    async def _move_secrets(self) -> None:
        moved = await self.desk.save_secrets_to_keychain()
        self.notify(f"Moved {moved} secret(s) from memory into the OS keychain.")

    def _imported(self, ids: list[str]) -> None:
        self.profile_list.set_profiles(self.desk.profiles(), ids[0] if ids else None)
        self.right.setCurrentWidget(self.tabs)

    def _profile_selected(self, profile: Profile | None) -> None:
        self.token.show(profile)
        self.proxy_panel.show_profile(profile)
        if self._requests is not None and self.environments is not None:
            self._requests.show(profile)
            self.environments.show(profile)

    def notify(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def _show_status_error(self, error: TokendeskError) -> None:
        if isinstance(error, KeychainError):
            self.banner.show_error(error, self.desk.secrets_in_memory)
        self.notify(f"{error.message} {error.hint}")

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closing and self.profiles.editor.is_dirty():
            event.ignore()
            # Once saved or discarded the form is clean and the next close goes through.
            self.profiles.leave(lambda: QTimer.singleShot(0, self, self.close))
            return
        self._closing = True
        self.save_state()
        self.clipboard.clear_now()
        self.token.timer.stop()
        self.profiles.watcher.stop()
        runners = [self.tasks, self.token.tasks, self.profiles.tasks, self.imports.tasks]
        if self._requests is not None and self.environments is not None:
            runners += [self._requests.tasks, self.environments.tasks]
        for runner in runners:
            runner.cancel_all()
        super().closeEvent(event)
        self.closed.emit()

    async def shutdown(self) -> None:
        # Let cancelled work wind down (httpx/anyio finish their cancellation on the loop)
        # before the services close and the loop stops.
        import asyncio

        current = asyncio.current_task()
        pending = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
        if pending:
            await asyncio.wait(pending, timeout=2)
        await self.proxy_panel.shutdown()
        await self.workbench.shutdown()
        if self.crash is not None:
            self.crash.uninstall()
        await asyncio.sleep(0.05)
