"""*Serve this API on this computer*: the local authenticating proxy (app/desk/proxy.py) for the
selected profile, with its address, *Copy*, and the live request log.

One proxy at a time; it keeps serving the profile it was started for until *Stop* (choosing
another profile does not stop it, the panel says which one is served)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import TokendeskError
from app.core.profiles import Profile
from app.desk.desk import Desk
from app.desk.proxy import Proxy, ProxyRequest
from app.ui.qt import named
from app.ui.tasks import TaskRunner

LOG_LINES = 500


class ProxyPanel(QWidget):
    def __init__(
        self,
        desk: Desk,
        *,
        copy: Callable[[str, str], None],
        on_error: Callable[[TokendeskError], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._desk = desk
        self._copy = copy
        self._profile: Profile | None = None
        self._proxy: Proxy | None = None
        self.tasks = TaskRunner(on_error)

        self.explanation = QLabel(
            "Tools that cannot sign in with OAuth (a spreadsheet's web connector, a BI tool, an "
            "old script) can call this profile's API through an address on this computer; "
            "Tokendesk adds the token. The address holds a secret key: share it with nobody."
        )
        self.explanation.setWordWrap(True)
        self.state = named(QLabel(), "proxyStateLabel")
        self.toggle = named(QPushButton("Serve this API on this computer"), "proxyToggleButton")
        self.address = named(QLineEdit(), "proxyAddressEdit")
        self.address.setReadOnly(True)
        self.address.setPlaceholderText("Not serving")
        self.copy_button = named(QPushButton("Copy"), "proxyCopyButton")
        self.copy_button.setEnabled(False)
        self.log = named(QPlainTextEdit(), "proxyLog")
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(LOG_LINES)
        self.log.setPlaceholderText("Requests through the address appear here.")

        row = QHBoxLayout()
        row.addWidget(self.address, 1)
        row.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explanation)
        layout.addWidget(self.toggle)
        layout.addLayout(row)
        layout.addWidget(self.state)
        layout.addWidget(self.log, 1)

        self.toggle.clicked.connect(self._toggled)
        self.copy_button.clicked.connect(lambda: self._copy(self.address.text(), "proxy address"))
        self.show_profile(None)

    @property
    def serving(self) -> bool:
        return self._proxy is not None

    def show_profile(self, profile: Profile | None) -> None:
        self._profile = profile
        self._refresh()

    def _refresh(self) -> None:
        profile = self._profile
        if self._proxy is not None:
            self.toggle.setText("Stop serving")
            self.toggle.setEnabled(True)
            return
        self.toggle.setText("Serve this API on this computer")
        self.toggle.setEnabled(bool(profile and profile.api_base_url))
        if profile is None:
            self.state.setText("Choose a profile.")
        elif not profile.api_base_url:
            self.state.setText("Set the API base URL in the profile settings to serve it.")
        else:
            self.state.setText(f"Serves {profile.api_base_url} at 127.0.0.1, for this computer.")

    def _toggled(self) -> None:
        if self._proxy is not None:
            self.tasks.run("proxy", self.stop(), busy=[self.toggle])
        elif self._profile is not None:
            self.tasks.run("proxy", self._start(self._profile), busy=[self.toggle])

    async def _start(self, profile: Profile) -> None:
        proxy = Proxy(self._desk, profile, on_request=self._logged)
        address = await proxy.start()
        self._proxy = proxy
        self.address.setText(address)
        self.copy_button.setEnabled(True)
        self.state.setText(f"Serving “{profile.name}” ({profile.api_base_url}).")
        self._refresh()

    def _logged(self, request: ProxyRequest) -> None:
        self.log.appendPlainText(request.line())

    async def shutdown(self) -> None:
        """Stop serving without touching the widgets (the window may be gone already)."""
        proxy, self._proxy = self._proxy, None
        if proxy is not None:
            await proxy.stop()

    async def stop(self) -> None:
        await self.shutdown()
        self.address.clear()
        self.copy_button.setEnabled(False)
        self._refresh()
