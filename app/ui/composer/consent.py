"""Consent before a token leaves its API: when a send is refused because the token would go to
an address outside the profile's API, ask the person; allow for this session or add the address
to the profile's list, then send again. Consent given here can be taken back."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer

from app.core import binding
from app.core.errors import ConsentNeeded
from app.core.profiles import Profile
from app.core.request_spec import RequestSpec
from app.desk.desk import Desk
from app.ui.composer.context import ComposerContext
from app.ui.prompter import Prompter
from app.ui.tasks import TaskRunner

ALLOW_SESSION, ALLOW_ALWAYS = "Allow for this session", "Always allow for this profile"


class ConsentFlow:
    def __init__(
        self,
        desk: Desk,
        context: ComposerContext,
        *,
        tasks: TaskRunner,
        prompter: Prompter,
        notify: Callable[[str], None],
        resend: Callable[[Profile, RequestSpec, str], None],
        changed: Callable[[], None],
    ) -> None:
        """`resend(profile, spec, env)` sends again once allowed; `changed()` is called when
        what this session allows changed (the composer's preview shows it)."""
        self.desk = desk
        self.context = context
        self.tasks = tasks
        self._prompter = prompter
        self._notify = notify
        self._resend = resend
        self._changed = changed
        # (profile as used in its environment) id -> origins allowed this session
        self._consented: dict[str, set[str]] = {}

    def allowed(self, sending: Profile | None, target: str) -> bool:
        """Whether the person allowed `target` for this profile in this session."""
        return bool(sending and target and target in self._consented.get(sending.id, set()))

    def withdraw(self, sending: Profile, target: str) -> None:
        self._consented.get(sending.id, set()).discard(target)
        self.desk.withdraw_consent(sending, target)
        self._notify(f"The token goes to {binding.host_port(target)} only after asking again.")
        self._changed()

    def refused(
        self, profile: Profile | None, spec: RequestSpec, error: ConsentNeeded, env: str
    ) -> None:
        """A send was refused for want of consent: ask, outside the task that sent it (a modal
        dialog inside a running coroutine would nest event loops)."""
        QTimer.singleShot(0, lambda: self._ask(profile, spec, error, env))

    def _ask(
        self, profile: Profile | None, spec: RequestSpec, error: ConsentNeeded, env: str
    ) -> None:
        if profile is None:
            return
        choice = self._prompter.choose(
            "Send the token to this server?",
            f"{error.message}\n\nSend the request with the token anyway?",
            [ALLOW_SESSION, ALLOW_ALWAYS],
            default=None,  # Enter cancels: this is the safe answer
        )
        if choice is None:
            return
        sending = self.desk.in_environment(profile, env)
        self.desk.consent(sending, error.origin)
        if choice == ALLOW_ALWAYS:
            self.tasks.run("allow", self._always_allow(profile, error.origin, spec, env))
            return
        self._consented.setdefault(sending.id, set()).add(error.origin)
        self._changed()
        self._resend(profile, spec, env)

    async def _always_allow(
        self, profile: Profile, origin: str, spec: RequestSpec, env: str
    ) -> None:
        allowed = (*profile.allowed_origins, origin)
        saved = await self.desk.save_profile(profile.with_changes(allowed_origins=allowed))
        if self.context.profile is not None and self.context.profile.id == saved.id:
            self.context.profile = saved
        self._notify(
            f"{binding.host_port(origin)} is now on “{saved.name}”'s list of addresses that "
            "may receive its token (Profile settings → Advanced)."
        )
        self._resend(saved, spec, env)
