"""The first thing a newcomer sees: the two stages in four lines, and two ways to start."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.ui.qt import named

TEXT = """
<h2>Welcome to Tokendesk</h2>
<p style="font-size: 11pt; line-height: 150%">
<b>1.</b> Your API's docs give you a <i>machine-to-machine client</i>: a client ID and a secret.<br>
<b>2.</b> Tokendesk uses them to get an <i>access token</i> from the identity server.<br>
<b>3.</b> Each API call then carries it: <code>Authorization: Bearer &lt;token&gt;</code>.<br>
<b>4.</b> Tokens expire after a while; Tokendesk shows when, and gets a new one for you.
</p>
<p>Your secrets go into this computer's keychain, never into a file.</p>
"""


class WelcomeView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomeView")
        text = QLabel(TEXT, wordWrap=True)
        text.setTextFormat(Qt.TextFormat.RichText)
        self.add_client = named(QPushButton("Add my client"), "addClientButton")
        self.add_client.setDefault(True)
        self.add_from_provider = named(
            QPushButton("Add from Entra ID, Auth0, Okta…"), "addFromProviderButton"
        )
        self.add_from_provider.setToolTip(
            "Microsoft Entra ID, Auth0, Okta, Keycloak, Amazon Cognito or a Google service "
            "account: only the questions that provider's console answers"
        )
        self.try_sandbox = named(QPushButton("Try the sandbox"), "trySandboxButton")
        self.try_sandbox.setToolTip(
            "Start a small practice identity server and API inside Tokendesk: no account, "
            "no network needed"
        )
        for button in (self.add_client, self.add_from_provider, self.try_sandbox):
            button.setMinimumSize(180, 40)
        self.status = named(QLabel(wordWrap=True), "welcomeStatus")
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_client)
        buttons.addWidget(self.add_from_provider)
        buttons.addWidget(self.try_sandbox)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.addWidget(text)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addStretch(1)
