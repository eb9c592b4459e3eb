"""Drives the token panel for the selected profile: runs the async actions, ticks the countdown,
keeps the list's state badges current, copies safely."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QTimer

from app.core.errors import OAuthServerError, TokendeskError
from app.core.jwtinfo import DecodedJwt
from app.core.profiles import AuthMethod, Profile
from app.core.request_spec import RequestSpec
from app.core.timefmt import countdown, span, state_words
from app.core.tokens import Token, TokenState
from app.desk.views import TokenEvent
from app.services.workbench import Workbench
from app.ui.clipboard import ClipboardGuard
from app.ui.profiles.list_panel import ProfileListPanel
from app.ui.prompter import Prompter
from app.ui.tasks import TaskRunner
from app.ui.token.panel import GLYPHS, TokenPanel


class TokenController(QObject):
    def __init__(
        self,
        workbench: Workbench,
        panel: TokenPanel,
        *,
        profiles: ProfileListPanel,
        clipboard: ClipboardGuard,
        prompter: Prompter,
        notify: Callable[[str], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.workbench = workbench
        self.desk = workbench.desk
        self.panel = panel
        self.profiles = profiles
        self.clipboard = clipboard
        self._prompter = prompter
        self._notify = notify
        self.tasks = TaskRunner(self._show_error)
        self.profile: Profile | None = None
        self._verified: dict[str, DecodedJwt] = {}
        self._introspection: dict[str, dict[str, Any]] = {}
        self._from_keychain: set[str] = set()
        self._op_error: TokendeskError | None = None
        self._settled: set[str] = set()  # fetch answered, its task not yet wound down
        # The binding line per profile, for the token it was worked out for.
        self._binding: dict[str, tuple[Token, str, bool | None]] = {}
        self._told: set[tuple[str, str]] = set()  # what a fetch learned, said once

        panel.get_requested.connect(self.get_token)
        panel.paste_requested.connect(self.paste_token)
        panel.revoke_requested.connect(self.revoke)
        panel.introspect_requested.connect(self.introspect)
        panel.verify_requested.connect(self.verify)
        panel.forget_requested.connect(self.forget)
        panel.copy_requested.connect(self.copy)
        panel.start_sandbox_requested.connect(self._start_sandbox_clicked)
        # The window sets it: starts the practice servers and selects the Sandbox profile.
        self.start_sandbox: Callable[[], None] = lambda: None
        self._info: dict[str, str] = {}
        workbench.token_event.connect(self._on_event)
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    # Showing -------------------------------------------------------------------------------

    def show(self, profile: Profile | None) -> None:
        changed = profile is None or self.profile is None or profile.id != self.profile.id
        self.profile = profile
        if changed:
            self._op_error = None
        self.panel.show_profile(profile)
        self.panel.show_sandbox_stopped(self.desk.sandbox_stopped(profile))
        self.panel.show_capabilities(False, False)
        self.refresh()
        if profile is not None:
            self.tasks.run("capabilities", self._capabilities(profile))

    def _start_sandbox_clicked(self) -> None:
        self.start_sandbox()

    async def _capabilities(self, profile: Profile) -> None:
        revoke, introspect = await self.desk.capabilities(profile)
        if not shiboken6.isValid(self.panel):
            return  # the window closed while the server answered
        if self.profile is not None and self.profile.id == profile.id:
            self.panel.show_capabilities(revoke, introspect)

    def refresh(self) -> None:
        desk = self.desk
        now = desk.now()
        if self.profile is None:
            self.panel.show_token(None, TokenState.NONE, now)
        else:
            pid = self.profile.id
            self.panel.show_token(
                desk.token_view(pid).token,
                desk.token_view(pid).state,
                now,
                error=self._op_error or desk.token_view(pid).error,
                decoded=self._verified.get(pid),
                introspection=self._introspection.get(pid),
                loaded_from_keychain=pid in self._from_keychain,
            )
            self.panel.show_info(self._info.get(pid, ""))
            self.panel.show_fetching(self._fetching(pid))
            self._show_binding(self.profile, desk.token_view(pid).token)
            self._offer_fix(self.profile, self._op_error or desk.token_view(pid).error)
        self.update_badges()

    def _show_binding(self, profile: Profile, token: Token | None) -> None:
        known = self._binding.get(profile.id)
        if token is None:
            self.panel.show_binding("", None)
        elif known is not None and known[0] is token:
            self.panel.show_binding(known[1], known[2])
        else:
            self.tasks.run(
                f"binding:{profile.id}",
                self._work_out_binding(profile, token),
                on_error=lambda _e: None,
            )

    async def _work_out_binding(self, profile: Profile, token: Token) -> None:
        info = await self.desk.token_binding(profile, token)
        text = f"Token type {token.token_type or 'Bearer'} · {info.text}"
        self._binding[profile.id] = (token, text, info.matches)
        if self.profile is not None and self.profile.id == profile.id:
            self.panel.show_binding(text, info.matches)

    def _offer_fix(self, profile: Profile, error: TokendeskError | None) -> None:
        """A token request refused with a method the server points at: one click switches the
        profile to it and asks again."""
        method = getattr(error, "suggested_method", None)
        if not isinstance(error, OAuthServerError) or method is None:
            return
        words = (
            "Try with the secret in the request body"
            if method is AuthMethod.CLIENT_SECRET_POST
            else f"Try with “{method.label}”"
        )
        self.panel.error.offer(words, lambda: self._switch_method(profile, method))

    def _switch_method(self, profile: Profile, method: AuthMethod) -> None:
        async def switch() -> None:
            current = self.desk.profile(profile.id) or profile
            saved = await self.desk.save_profile(
                current.with_changes(auth_method=method, auth_method_chosen=True)
            )
            self._notify(f"“{saved.name}” now signs in with: {method.label}. Asking again…")
            if self.profile is not None and self.profile.id == saved.id:
                self.profile = saved
            await self.desk.get_token(saved, force=True)

        self._op_error = None
        self.tasks.run(f"get:{profile.id}", switch(), on_done=self.refresh)

    def _tell_learned(self, profile_id: str) -> None:
        """What a fetch learned about the server ("saved for this profile", "Picked …") goes
        to the status bar once; the token's notes keep it."""
        token = self.desk.token_view(profile_id).token
        for warning in token.warnings if token else ():
            learned = "saved for this profile" in warning or warning.startswith("Picked")
            if learned and (profile_id, warning) not in self._told:
                self._told.add((profile_id, warning))
                self._notify(warning)

    def tick(self) -> None:
        desk = self.desk
        if self.profile is not None:
            self.panel.tick(desk.now(), desk.token_view(self.profile.id).state)
            self.panel.show_fetching(self._fetching(self.profile.id))
        self.update_badges()

    def _fetching(self, profile_id: str) -> bool:
        return self.tasks.running(f"get:{profile_id}") and profile_id not in self._settled

    def update_badges(self) -> None:
        desk = self.desk
        now = desk.now()
        for profile in self.desk.profiles():
            state = desk.token_view(profile.id).state
            token = desk.token_view(profile.id).token
            words = state_words(state, token, now, desk.token_view(profile.id).error)
            remaining = token.remaining(now) if token else None
            if state is TokenState.VALID and remaining is not None:
                left = countdown(remaining) if remaining.total_seconds() < 3600 else span(remaining)
                words = f"Valid · {left} left"
            if state is TokenState.FAILED:
                words = "Failed"
            self.profiles.set_state(profile.id, profile.name, GLYPHS[state], words, state)

    def _on_event(self, event: TokenEvent) -> None:
        if event.reason in ("fetched", "failed"):
            self._settled.add(event.profile_id)
        if event.reason == "loaded":
            self._from_keychain.add(event.profile_id)
        else:
            self._from_keychain.discard(event.profile_id)
            self._verified.pop(event.profile_id, None)
            self._introspection.pop(event.profile_id, None)
            self._info.pop(event.profile_id, None)
        if event.reason == "fetched":
            self._tell_learned(event.profile_id)
        if event.reason == "fetched" and self.profile and self.profile.id == event.profile_id:
            self._op_error = None
        if self.profile is not None and event.profile_id == self.profile.id:
            self.refresh()
        else:
            self.update_badges()

    def _show_error(self, error: TokendeskError) -> None:
        self._op_error = error
        self.refresh()

    # Actions -------------------------------------------------------------------------------

    def _run(self, key: str, coro: Any, *buttons: Any) -> None:
        self._op_error = None
        self.tasks.run(key, coro, busy=buttons, on_done=self.refresh)

    def get_token(self) -> None:
        """Get a fresh token; while one is on its way for this profile, the same button
        cancels it. Other profiles stay usable meanwhile."""
        if self.profile is None:
            return
        if self.desk.sandbox_stopped(self.profile):
            self.start_sandbox()  # its old address answers nothing; starting it gets a token
            return
        profile = self.profile
        key = f"get:{profile.id}"
        if self.tasks.running(key):
            self.tasks.cancel(key)
            self._notify(f"Stopped asking for a token for “{profile.name}”.")
            self.refresh()
            return
        self._op_error = None
        self._settled.discard(profile.id)
        # A failed fetch is recorded by the token manager (state "failed"); refresh shows it.
        self.tasks.run(
            key,
            self.desk.get_token(profile, force=True),
            on_error=lambda _e: None,
            on_done=self.refresh,
        )
        self.refresh()

    def paste_token(self) -> None:
        if self.profile is None:
            return
        text = self._prompter.ask_text(
            "Use a token from elsewhere",
            "Paste the access token (or the whole “Bearer …” value). "
            "It is kept in the OS keychain like any other token:",
            multiline=True,
        )
        if text:
            self._run("paste", self.desk.paste_token(self.profile, text), self.panel.paste_button)

    def revoke(self) -> None:
        if self.profile is None:
            return
        if self._prompter.confirm(
            "Revoke the token?",
            "The identity server will stop accepting this token. You can get a new one anytime.",
            action="Revoke",
            danger=True,
        ):
            self._run("revoke", self.desk.revoke(self.profile), self.panel.revoke_button)

    def introspect(self) -> None:
        if self.profile is None:
            return
        profile = self.profile

        async def ask() -> None:
            self._info.pop(profile.id, None)
            try:
                self._introspection[profile.id] = await self.desk.introspect(profile)
            except OAuthServerError as exc:
                if exc.error != "unsupported_token_type":
                    raise
                self._info[profile.id] = (
                    "ℹ Introspection asks the identity server whether it still accepts a token "
                    "and what it stands for. This server answers that only for opaque tokens: "
                    "this one is a JWT, which carries its own answer — see the claims below, "
                    "and “Verify signature” to check them."
                )

        self._run("introspect", ask(), self.panel.introspect_button)

    def verify(self) -> None:
        if self.profile is None:
            return
        profile = self.profile

        async def check() -> None:
            self._verified[profile.id] = await self.desk.verify(profile)
            self._notify("The token's signature and claims check out against the issuer.")

        self._run("verify", check(), self.panel.verify_button)

    def forget(self) -> None:
        if self.profile is not None:
            self._run("forget", self.desk.forget_token(self.profile), self.panel.forget_button)

    def copy(self, kind: str) -> None:
        """Copy the token, the header or a curl command (curl: $TOKEN, or the real token when
        `kind` is "curl-real" — the same rule as the Requests tab)."""
        if self.profile is None:
            return
        profile = self.profile
        desk = self.desk
        token = desk.token_view(profile.id).token
        if token is None:
            return
        if desk.token_view(profile.id).state in (TokenState.EXPIRED, TokenState.FAILED):
            remaining = token.remaining(desk.now())
            ago = f" {span(remaining)} ago" if remaining is not None else ""
            renew, anyway = "Get a new one and copy", "Copy anyway"
            choice = self._prompter.choose(
                "This token has expired",
                f"The token expired{ago}; APIs will refuse it.",
                [renew, anyway],
                default=renew,
            )
            if choice is None:
                return
            if choice == renew:
                self._run("copy-fresh", self._fetch_and_copy(profile, kind), self.panel.get_button)
                return
        self._copy(profile, token, kind)

    async def _fetch_and_copy(self, profile: Profile, kind: str) -> None:
        token = await self.desk.get_token(profile, force=True)
        self._copy(profile, token, kind)

    def _copy(self, profile: Profile, token: Token, kind: str) -> None:
        if kind in ("curl", "curl-real"):
            copying = self._copy_curl(profile, real_token=kind == "curl-real")
            self._run("copy-curl", copying, self.panel.copy_curl)
            return
        if kind == "header":
            text, what = f"Authorization: {token.authorization_header}", "Authorization header"
        else:
            text, what = token.access_token, "access token"
        self.clipboard.copy(text, what)

    async def _copy_curl(self, profile: Profile, *, real_token: bool) -> None:
        """The Requests tab's rule (Desk.curl_command): a GET of the profile's API base."""
        spec = RequestSpec(url=profile.api_base_url or "https://api.example.com/")
        copy = await self.desk.curl_command(profile, spec, real_token=real_token)
        self.clipboard.copy(copy.text, copy.what, copy.sensitive, " ".join(copy.notes))
