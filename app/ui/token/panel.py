"""The selected profile's token at a glance: state in words and colour, a live countdown, the
lifetime left, scopes, decoded claims, and the buttons to get, check and copy it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QProgressBar,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import TokendeskError
from app.core.jwtinfo import DecodedJwt
from app.core.profiles import Profile
from app.core.timefmt import expiry_words, relative, state_words
from app.core.tokens import Token, TokenSource, TokenState
from app.ui.clipboard import CURL_RULE
from app.ui.qt import named
from app.ui.token.claims import ClaimsView
from app.ui.widgets.error_box import ErrorBox
from app.ui.widgets.form_section import restyle
from app.ui.widgets.warning_list import WarningList

# A glyph per state, so the badge never relies on colour alone.
GLYPHS = {
    TokenState.NONE: "○",
    TokenState.VALID: "●",
    TokenState.EXPIRING: "◐",
    TokenState.EXPIRED: "✕",
    TokenState.FAILED: "⚠",
}


class TokenPanel(QWidget):
    """Shows one profile's token. Holds no logic beyond display; TokenController drives it.

    Signals:
        get_requested(): Get/refresh token was clicked.
        paste_requested(): "Use a token from elsewhere" was clicked.
        revoke_requested(), introspect_requested(), verify_requested(), forget_requested()
        copy_requested(str): "token", "header" or "curl".
        start_sandbox_requested(): "Start the sandbox" was clicked (its profile is selected
            but the practice servers are not running in this session).
    """

    get_requested = Signal()
    paste_requested = Signal()
    revoke_requested = Signal()
    introspect_requested = Signal()
    verify_requested = Signal()
    forget_requested = Signal()
    copy_requested = Signal(str)
    start_sandbox_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = named(QLabel(), "tokenProfileTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.title.setFont(font)
        self.endpoint = named(QLabel(wordWrap=True), "tokenEndpointLabel")
        self.endpoint.setProperty("role", "hint")
        self.state = named(QLabel(), "tokenStateLabel")
        self.state.setProperty("role", "badge")
        self.state.setAccessibleName("Token state")
        self.expiry = named(QLabel(), "tokenExpiryLabel")
        self.expiry.setAccessibleName("Time left")
        self.lifetime = named(QProgressBar(), "tokenLifetimeBar")
        self.lifetime.setRange(0, 1000)
        self.lifetime.setTextVisible(False)
        self.lifetime.setFixedHeight(8)
        self.lifetime.setAccessibleName("Share of the token's lifetime left")
        self.source = named(QLabel(wordWrap=True), "tokenSourceLabel")
        self.source.setProperty("role", "hint")
        self.scopes = named(QLabel(wordWrap=True), "tokenScopesLabel")
        # What the token is bound to (certificate, DPoP key); warning colour when not ours.
        self.binding = named(QLabel(wordWrap=True), "tokenBindingLabel")
        self.binding.setVisible(False)
        self.warnings = WarningList("tokenWarnings", self)
        self.error = ErrorBox(self, name="tokenError")
        # Declining to introspect a JWT is not a failure: said in plain colour, not as an error.
        self.info = named(QLabel(wordWrap=True), "tokenInfoLabel")
        self.info.setProperty("role", "hint")
        self.info.setVisible(False)
        self.sandbox_stopped = named(QFrame(), "sandboxStoppedNotice")
        self.sandbox_stopped.setProperty("role", "banner")
        notice = QLabel(
            "<b>The sandbox is not running.</b> Its practice servers live only while Tokendesk "
            "is open, so its addresses change at every start.",
            wordWrap=True,
        )
        self.start_sandbox = named(QPushButton("Start the sandbox"), "startSandboxButton")
        self.start_sandbox.clicked.connect(self.start_sandbox_requested)
        notice_row = QHBoxLayout(self.sandbox_stopped)
        notice_row.addWidget(notice, 1)
        notice_row.addWidget(self.start_sandbox)
        self.sandbox_stopped.setVisible(False)
        self._origin = ""

        self.get_button = self._button("getTokenButton", "Get token", self.get_requested)
        self.get_button.setShortcut(QKeySequence("Ctrl+R"))
        self.get_button.setToolTip("Ask the identity server for a new token (Ctrl+R)")
        self.paste_button = self._button(
            "pasteTokenButton", "Use a token from elsewhere…", self.paste_requested
        )
        self.paste_button.setToolTip("Paste a token you got elsewhere, e.g. from a browser")
        self.verify_button = self._button(
            "verifyTokenButton", "Verify signature", self.verify_requested
        )
        self.introspect_button = self._button(
            "introspectButton", "Ask the server", self.introspect_requested
        )
        self.introspect_button.setToolTip(
            "Introspection (RFC 7662): ask the identity server whether it still accepts this "
            "token and what it stands for"
        )
        self.revoke_button = self._button("revokeButton", "Revoke", self.revoke_requested)
        self.revoke_button.setToolTip("Tell the server to stop accepting this token (RFC 7009)")
        self.forget_button = self._button("forgetTokenButton", "Forget", self.forget_requested)
        self.forget_button.setToolTip("Drop the cached token from this computer")
        self.copy_token = self._button("copyTokenButton", "Copy token", None)
        self.copy_token.setShortcut(QKeySequence("Ctrl+Shift+C"))
        self.copy_token.setToolTip("Copy the raw access token (Ctrl+Shift+C)")
        self.copy_header = self._button("copyHeaderButton", "Copy “Authorization: Bearer …”", None)
        self.copy_curl = named(QToolButton(), "copyCurlButton")
        self.copy_curl.setText("Copy as curl")
        self.copy_curl.setToolTip(CURL_RULE)
        self.copy_curl.setAccessibleName("Copy as curl")
        self.copy_curl.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        curl_menu = QMenu(self.copy_curl)
        curl_menu.addAction(
            "Copy as curl, token as $TOKEN", lambda: self.copy_requested.emit("curl")
        )
        curl_menu.addAction(
            "Copy as curl with the real token", lambda: self.copy_requested.emit("curl-real")
        )
        self.copy_curl.setMenu(curl_menu)
        self.copy_token.clicked.connect(lambda: self.copy_requested.emit("token"))
        self.copy_header.clicked.connect(lambda: self.copy_requested.emit("header"))
        self.copy_curl.clicked.connect(lambda: self.copy_requested.emit("curl"))
        self.revoke_button.setVisible(False)
        self.introspect_button.setVisible(False)

        self.claims = ClaimsView(self)
        self._token: Token | None = None
        self._state = TokenState.NONE
        self._error: TokendeskError | None = None

        status = QGridLayout()
        status.addWidget(self.state, 0, 0)
        status.addWidget(self.expiry, 0, 1)
        status.setColumnStretch(1, 1)
        status.addWidget(self.lifetime, 1, 0, 1, 2)
        # Three short rows rather than one long one, so the window fits small screens.
        rows = QGridLayout()
        rows.addWidget(QLabel("Token:"), 0, 0)
        rows.addLayout(self._row(self.get_button, self.paste_button, self.forget_button), 0, 1)
        rows.addWidget(QLabel("Check:"), 1, 0)
        rows.addLayout(
            self._row(self.verify_button, self.introspect_button, self.revoke_button), 1, 1
        )
        rows.addWidget(QLabel("Copy:"), 2, 0)
        rows.addLayout(self._row(*self.copy_buttons), 2, 1)
        rows.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.endpoint)
        layout.addWidget(self.sandbox_stopped)
        layout.addLayout(status)
        layout.addWidget(self.source)
        layout.addWidget(self.scopes)
        layout.addWidget(self.binding)
        layout.addWidget(self.warnings)
        layout.addWidget(self.error)
        layout.addLayout(rows)
        layout.addWidget(self.info)
        layout.addWidget(self.claims, 1)
        # With no claims to show, everything stays at the top instead of spreading out.
        layout.addStretch(0)
        self.show_profile(None)

    @staticmethod
    def _row(*buttons: QAbstractButton) -> QHBoxLayout:
        row = QHBoxLayout()
        for button in buttons:
            row.addWidget(button)
        row.addStretch(1)
        return row

    def _button(self, name: str, text: str, signal: Any) -> QPushButton:
        button = named(QPushButton(text), name)
        button.setAccessibleName(text.replace("…", "").replace("“", "").replace("”", ""))
        if signal is not None:
            button.clicked.connect(signal)
        return button

    @property
    def copy_buttons(self) -> tuple[QAbstractButton, ...]:
        return (self.copy_token, self.copy_header, self.copy_curl)

    def show_profile(self, profile: Profile | None) -> None:
        self.setEnabled(profile is not None)
        self.title.setText(profile.name if profile else "No profile selected")
        if profile is None:
            self.endpoint.setText("Choose a profile on the left, or add one.")
        else:
            where = profile.token_url or f"{profile.issuer_url} (found automatically)"
            self.endpoint.setText(f"Client “{profile.client_id}” at {where}")

    def show_capabilities(self, can_revoke: bool, can_introspect: bool) -> None:
        self.revoke_button.setVisible(can_revoke)
        self.introspect_button.setVisible(can_introspect)

    def show_token(
        self,
        token: Token | None,
        state: TokenState,
        now: datetime,
        *,
        error: TokendeskError | None = None,
        decoded: DecodedJwt | None = None,
        introspection: dict[str, Any] | None = None,
        loaded_from_keychain: bool = False,
    ) -> None:
        """Everything but the ticking parts; tick() updates those every second."""
        self._token, self._state, self._error = token, state, error
        has_token = token is not None
        for button in (
            *self.copy_buttons,
            self.forget_button,
            self.revoke_button,
            self.introspect_button,
        ):
            button.setEnabled(has_token)
        self.verify_button.setEnabled(has_token and token is not None and token.jwt is not None)
        scheme = token.header_scheme if token is not None else "Bearer"  # DPoP tokens say DPoP
        self.copy_header.setText(f"Copy “Authorization: {scheme} …”")
        if token is None:
            self._origin = ""
            self.scopes.setText("")
        else:
            if loaded_from_keychain:
                self._origin = "Loaded from the keychain"
            elif token.source is TokenSource.PASTED:
                self._origin = "Pasted by you"
            else:
                self._origin = "Fetched from the identity server"
            self.scopes.setText(
                "Scopes: " + (", ".join(token.scopes) if token.scopes else "none stated")
            )
        self.warnings.show_warnings(token.warnings if token else ())
        self.source.setVisible(has_token)
        self.scopes.setVisible(has_token)
        if not has_token:
            self.binding.setVisible(False)
        self.claims.setVisible(has_token or introspection is not None)
        if error is not None:
            self.error.show_error(error)
        else:
            self.error.clear()
        self.claims.show_token(
            decoded or (token.jwt if token else None),
            now,
            opaque=token is not None and token.jwt is None,
            introspection=introspection,
        )
        self.tick(now, state)

    def show_fetching(self, fetching: bool) -> None:
        """While a token request is on its way the button cancels it, and the badge says so."""
        if fetching:
            self.get_button.setText("Cancel")
            self.get_button.setToolTip("Stop waiting for the identity server (Ctrl+R)")
            self.state.setText("… Asking the identity server")
        else:
            self.get_button.setText("Get token" if self._token is None else "Get a new token")
            self.get_button.setToolTip("Ask the identity server for a new token (Ctrl+R)")
        self.get_button.setShortcut(QKeySequence("Ctrl+R"))

    def show_binding(self, text: str, matches: bool | None) -> None:
        """The binding line ("" hides it); `matches` False colours it as a warning."""
        self.binding.setText(text)
        self.binding.setProperty("role", "warning" if matches is False else "hint")
        restyle(self.binding)
        self.binding.setVisible(bool(text) and self._token is not None)

    def show_info(self, text: str) -> None:
        self.info.setText(text)
        self.info.setVisible(bool(text))

    def show_sandbox_stopped(self, stopped: bool) -> None:
        self.sandbox_stopped.setVisible(stopped)

    def tick(self, now: datetime, state: TokenState | None = None) -> None:
        """The live parts: badge, countdown, lifetime bar, and every "in 4 min" / "2 s ago"
        (so none contradicts the countdown). No network, no keychain."""
        token, error = self._token, self._error
        if token is not None:
            self.source.setText(f"{self._origin} · issued {relative(token.issued_at, now)}")
        self.claims.tick(now)
        if state is None:
            state = self._state
        self._state = state
        words = state_words(state, token, now, error)
        if len(words) > 70:
            words = words[:68].rstrip() + "…"
        self.state.setText(f"{GLYPHS[state]} {words}")
        self.state.setToolTip(error.hint if (error and state is TokenState.FAILED) else "")
        if self.state.property("state") != state.value:
            self.state.setProperty("state", state.value)
            self.state.style().unpolish(self.state)
            self.state.style().polish(self.state)
        self.expiry.setText(expiry_words(token, now))
        lifetime = token.lifetime if token else None
        remaining = token.remaining(now) if token else None
        if lifetime and remaining is not None and lifetime.total_seconds() > 0:
            share = max(0.0, remaining / lifetime)
            self.lifetime.setValue(int(min(1.0, share) * 1000))
            self.lifetime.setVisible(True)
        else:
            self.lifetime.setVisible(False)
