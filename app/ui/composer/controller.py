"""Drives the Requests tab: send (and cancel), saved requests, history; hands responses to the
body presenter, curl in and out to `curl_io`, and refused sends to the consent flow."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from urllib.parse import urlsplit

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QListWidgetItem

from app.core import binding, request_spec
from app.core.api_response import explain
from app.core.errors import ConsentNeeded, HistoryError, TokendeskError
from app.core.profiles import Profile
from app.core.request_spec import AuthMode, RequestSpec
from app.desk.views import HistoryEntry, SavedRequest
from app.services.workbench import Workbench
from app.ui.composer.consent import ConsentFlow
from app.ui.composer.curl_io import Copy, CurlIO
from app.ui.composer.header_preview import header_preview
from app.ui.composer.panel import RequestsPanel
from app.ui.imports.endpoint_picker import EndpointPicker
from app.ui.prompter import Prompter
from app.ui.response.presenter import BodyPresenter
from app.ui.response.viewer import human_size
from app.ui.tasks import TaskRunner

ID_ROLE = Qt.ItemDataRole.UserRole
HISTORY_SHOWN = 500


def _history_item(entry: HistoryEntry) -> QListWidgetItem:
    """Method and path first (what tells requests apart), the host second, the time on hover."""
    split = urlsplit(entry.url)
    path = (split.path or "/") + (f"?{split.query}" if split.query else "")
    status = entry.status if entry.status is not None else "—"
    item = QListWidgetItem(f"{status} {entry.method} {path}\n   {split.netloc}")
    item.setData(ID_ROLE, entry.id)
    when = datetime.fromtimestamp(entry.at).strftime("%Y-%m-%d %H:%M:%S")
    item.setToolTip(f"{entry.url}\nSent {when} with “{entry.profile_name}”")
    return item


class RequestsController(QObject):
    def __init__(
        self,
        workbench: Workbench,
        panel: RequestsPanel,
        *,
        prompter: Prompter,
        copy: Copy,
        notify: Callable[[str], None],
        max_bytes: Callable[[], int] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._max_bytes = max_bytes or (lambda: 0)  # 0: the application layer's default
        self._received = 0
        self.workbench = workbench
        self.desk = workbench.desk
        self.panel = panel
        self.composer = panel.composer
        self.viewer = panel.viewer
        self._prompter = prompter
        self._copy = copy
        self._notify = notify
        self.profile: Profile | None = None
        self.environment = ""  # the profile's environment requests go to ("" = its own)
        self._picker: EndpointPicker | None = None
        self.tasks = TaskRunner(self._failed)
        self.presenter = BodyPresenter(self.viewer, copy=copy, notify=notify, prompter=prompter)
        self._progress_shown = 0.0
        self._revealed = False
        self._history_reads: set[asyncio.Future[None]] = set()
        self._drafts: dict[str, RequestSpec] = {}
        self.curl = CurlIO(
            self.desk, self.composer, self, tasks=self.tasks, prompter=prompter, copy=copy,
            notify=notify,
        )  # fmt: skip
        self.consent = ConsentFlow(
            self.desk, self, tasks=self.tasks, prompter=prompter, notify=notify,
            resend=self._resend, changed=self._update_preview,
        )  # fmt: skip
        self.composer.send_requested.connect(self.send)
        self.composer.paste_curl_requested.connect(self.curl.paste)
        self.composer.copy_curl_requested.connect(self.curl.copy)
        self.composer.save_requested.connect(self.save_request)
        self.composer.reveal_requested.connect(self._reveal)
        self.composer.endpoints_requested.connect(self.pick_endpoint)
        self.viewer.search_requested.connect(
            lambda text, forward: self.tasks.run("search", self.presenter.search(text, forward))
        )
        panel.saved.itemActivated.connect(self._open_saved)
        panel.saved.itemClicked.connect(self._open_saved)
        panel.history.itemActivated.connect(self._open_history)
        panel.history.itemClicked.connect(self._open_history)
        panel.clear_history.clicked.connect(self.clear_history)
        panel.delete_saved.clicked.connect(self.delete_saved)
        self.composer.url.textChanged.connect(self._update_preview)
        self.composer.revoke_consent.clicked.connect(self.withdraw_consent)
        workbench.history_changed.connect(self._history_added)
        self._hints = (panel.saved.hint, panel.history.hint)  # what an empty list says
        workbench.token_event.connect(lambda _e: self._update_preview())
        self.refresh_history()

    # Context -------------------------------------------------------------------------------

    def show(self, profile: Profile | None) -> None:
        """One composer per profile: switching keeps this one's request and never shows
        another profile's address, answer or error."""
        previous = self.profile
        same = (previous.id if previous else None) == (profile.id if profile else None)
        if previous is not None and not same:
            self._drafts[previous.id] = self.composer.to_model()
        self.profile = profile
        if not same:
            if self.tasks.running("send"):
                self.tasks.cancel("send")
                self.composer.set_sending(False)
            draft = self._drafts.get(profile.id) if profile else None
            self.composer.load(draft or RequestSpec())
            self.viewer.clear()
        self.set_environment("")
        self.refresh_saved()

    def set_environment(self, env: str) -> None:
        """Requests now go to `env` of the profile: its API base, variables and own token."""
        self.environment = env
        sending = self._sending()
        self.composer.set_context(
            sending.api_base_url if sending else "", sending.variable_map if sending else {}
        )
        self._update_preview()

    def _sending(self) -> Profile | None:
        """The profile as used in the chosen environment."""
        if self.profile is None or not self.environment:
            return self.profile
        try:
            return self.desk.in_environment(self.profile, self.environment)
        except TokendeskError:
            return self.profile

    def _reveal(self, shown: bool) -> None:
        self._revealed = shown
        self._update_preview()

    def _target_origin(self) -> str:
        """The origin the composer's URL goes to ("" when it cannot be told yet)."""
        sending = self._sending()
        try:
            url = request_spec.resolve_url(
                self.composer.url.text(), sending.api_base_url if sending else ""
            )
        except TokendeskError:
            return ""
        return binding.origin(url)

    def withdraw_consent(self) -> None:
        sending = self._sending()
        if sending is None:
            return
        self.consent.withdraw(sending, self._target_origin())

    def _update_preview(self) -> None:
        sending = self._sending()
        target = self._target_origin()
        allowed = self.consent.allowed(sending, target)
        self.composer.show_consent(binding.host_port(target) if allowed else "")
        if sending is None:
            self.composer.show_token_preview("Authorization: Bearer … (choose a profile)")
            return
        token = self.workbench.desk.token_view(sending.id).token
        self.composer.show_token_preview(header_preview(sending, token, self._revealed))

    # Sending -------------------------------------------------------------------------------

    def send(self) -> None:
        if self.tasks.running("send"):
            self.tasks.cancel("send")
            self.composer.set_sending(False)
            self.viewer.show_failure(*stopped_words(self._received))
            return
        spec = self.composer.to_model()
        self.tasks.run(
            "send", self._send(self.profile, spec, self.environment), on_done=self._send_done
        )
        self.composer.set_sending(True)

    def _send_done(self) -> None:
        self.composer.set_sending(False)

    def _progress(self, received: int) -> None:
        self._received = received
        now = time.monotonic()
        if now - self._progress_shown > 0.1:
            self._progress_shown = now
            self.viewer.show_progress(received)

    async def _send(self, profile: Profile | None, spec: RequestSpec, env: str = "") -> None:
        if self.desk.sandbox_stopped(profile):
            # Day two: the practice servers ran with yesterday's Tokendesk. Start them, as Get
            # token does, rather than report that nothing answers at their old address.
            self.viewer.show_sending("Starting the sandbox…")
            profile = await self.desk.start_sandbox()
            self.profile = profile
        self.viewer.show_sending(f"Sending {spec.method}…")
        self._received = 0
        try:
            response = await self.desk.send(
                profile,
                spec,
                progress=self._progress,
                env=env or None,
                max_bytes=self._max_bytes() or None,
            )
        except ConsentNeeded as exc:
            self.viewer.show_failure("Not sent: the token would leave its API.", exc.message)
            self.consent.refused(profile, spec, exc, env)
            return
        sent_as = self.desk.in_environment(profile, env) if profile else None
        token = self.workbench.desk.token_view(sent_as.id).token if sent_as else None
        notes = explain(
            response,
            token_scopes=token.scopes if token else (),
            sent_token=spec.auth is not AuthMode.NONE,
        )
        self.viewer.show_response(response, notes)
        await self.presenter.present(response)

    def _resend(self, profile: Profile, spec: RequestSpec, env: str) -> None:
        """Send again once the person allowed the token to go where it was refused."""
        self.composer.set_sending(True)
        self.tasks.run("send", self._send(profile, spec, env), on_done=self._send_done)

    def _failed(self, error: TokendeskError) -> None:
        self.viewer.show_failure(error.message, error.hint, error.details)

    # Saved requests and history ------------------------------------------------------------

    def save_request(self) -> None:
        if self.profile is None:
            self._notify("Choose a profile first: saved requests belong to a profile.")
            return
        name = self._prompter.ask_text("Save request", "Name (e.g. “List orders”):")
        if not name or not name.strip():
            return
        self.tasks.run("save", self._save(self.profile, name.strip(), self.composer.to_model()))

    async def _save(self, profile: Profile, name: str, spec: RequestSpec) -> None:
        await self.desk.save_request(profile, name, spec)
        self.refresh_saved()
        self._notify(f"Saved “{name}” for {profile.name}. Tokens and secrets are never saved.")

    def refresh_saved(self) -> None:
        listing = self.panel.saved
        listing.clear()
        if self.profile is None:
            return
        for saved in self._saved(self.profile.id):
            item = QListWidgetItem(f"{saved.name}\n   {saved.spec.method} {saved.spec.url}")
            item.setData(ID_ROLE, saved.id)
            listing.addItem(item)

    def _open_saved(self, item: QListWidgetItem) -> None:
        if self.profile is None:
            return
        wanted = item.data(ID_ROLE)
        match = next((s for s in self._saved(self.profile.id) if s.id == wanted), None)
        if match is not None:
            self.composer.load(match.spec)

    def pick_endpoint(self) -> None:
        """The searchable list of the profile's saved and imported endpoints."""
        if self.profile is None:
            self._notify("Choose a profile first: endpoints belong to a profile.")
            return
        if self._picker is None:
            self._picker = EndpointPicker(self.panel)
            self._picker.endpoint_chosen.connect(self._open_saved_id)
        self._picker.set_endpoints(self._saved(self.profile.id))
        self._picker.search.clear()
        self._picker.open()
        self._picker.search.setFocus()

    def _open_saved_id(self, saved_id: int) -> None:
        if self.profile is None:
            return
        match = next((s for s in self._saved(self.profile.id) if s.id == saved_id), None)
        if match is not None:
            self.composer.load(match.spec)
            if match.note:
                self._notify(f"{match.name}: {match.note.splitlines()[0]}")

    def delete_saved(self) -> None:
        if self.panel.saved.currentRow() < 0:
            return
        item = self.panel.saved.currentItem()
        try:
            self.desk.delete_saved(int(item.data(ID_ROLE)))
        except HistoryError as exc:
            self._history_trouble(exc)
        self.refresh_saved()

    def refresh_history(self) -> None:
        listing = self.panel.history
        listing.clear()
        try:
            entries = self.desk.history_entries(limit=HISTORY_SHOWN)
        except HistoryError as exc:
            self._history_trouble(exc)
            return
        listing.hint = self._hints[1]
        listing.setToolTip("")
        for entry in entries:
            listing.addItem(_history_item(entry))

    def _saved(self, profile_id: str) -> list[SavedRequest]:
        try:
            saved = self.desk.saved_requests(profile_id)
        except HistoryError as exc:
            self._history_trouble(exc)
            return []
        self.panel.saved.hint = self._hints[0]
        self.panel.saved.setToolTip("")
        return saved

    def _history_trouble(self, error: HistoryError) -> None:
        """A history this tab cannot read is said where its entries would be (saved requests
        live in the same file: "none saved" would not be true either). Requests still go out;
        only their entries are missing."""
        self._notify(f"{error.message} {error.hint}")
        for listing in (self.panel.saved, self.panel.history):
            listing.hint = f"{error.message}\n{error.hint}"
            listing.setToolTip(error.details)  # the raw cause, one hover away
            listing.update()

    def _history_added(self) -> None:
        """One request was sent: show its entry on top rather than re-reading the list. The
        entry is read on the history's writer thread once written, so the window never waits
        for the disk; entries arrive in the order they were sent."""
        newest = asyncio.wrap_future(self.desk.history_newest(1))
        task = asyncio.ensure_future(self._show_newest(newest))
        self._history_reads.add(task)
        task.add_done_callback(self._history_reads.discard)

    async def _show_newest(self, newest: Awaitable[list[HistoryEntry]]) -> None:
        listing = self.panel.history
        try:
            entries = await newest
        except HistoryError as exc:
            self._history_trouble(exc)
            return
        for entry in entries:
            listing.insertItem(0, _history_item(entry))
        while listing.count() > HISTORY_SHOWN:
            listing.takeItem(listing.count() - 1)

    def _open_history(self, item: QListWidgetItem) -> None:
        try:
            spec = self.desk.history_spec(int(item.data(ID_ROLE)))
        except HistoryError as exc:
            self._history_trouble(exc)
            return
        if spec is not None:
            self.composer.load(spec)
            self._notify(
                "Re-opened from history. Secrets were never kept there: add them again if needed."
            )

    def clear_history(self) -> None:
        if self._prompter.confirm(
            "Clear the history?", "Every request in the history will be removed.", action="Clear"
        ):
            for pending in self._history_reads:  # entries read before the clear
                pending.cancel()
            try:
                self.desk.clear_history()  # on the writer thread: the list is empty whatever
            except HistoryError as exc:  # it finds there
                self._history_trouble(exc)
                return
            self.panel.history.clear()


def stopped_words(received: int) -> tuple[str, str]:
    """What a Stop pressed mid-send kept: nothing (a cut answer is not kept; the size limit
    in Settings keeps the first part of one)."""
    if received <= 0:
        return "Stopped: no answer had come yet.", "Nothing was kept. Send again when ready."
    return (
        f"Stopped by you after {human_size(received)} had arrived; that part was not kept.",
        "Send again for the whole answer, or lower the response size limit (Settings) to keep "
        "only its first part.",
    )
