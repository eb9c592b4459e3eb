"""curl in and out of the composer: a pasted example fills it; a copy gives the request as a
curl command made by the application layer's one rule (Desk.curl_command), the same as the
Token tab's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from app.core.curl import from_curl
from app.core.errors import TokendeskError
from app.core.profiles import Profile
from app.core.request_spec import AuthMode, RequestSpec
from app.desk.desk import Desk
from app.ui.composer.composer import Composer
from app.ui.composer.context import ComposerContext
from app.ui.prompter import Prompter
from app.ui.tasks import TaskRunner

PASTED_AUTH_WORDS = {
    AuthMode.PROFILE: "it will use the profile's token",
    AuthMode.PASTED: "it carried a real token, which is used for this request only",
    AuthMode.NONE: "it sends no token",
}


class Copy(Protocol):
    """The clipboard's copy: `note` follows its "Copied …" line."""

    def __call__(self, text: str, what: str, sensitive: bool = True, note: str = "") -> None: ...


class CurlIO:
    def __init__(
        self,
        desk: Desk,
        composer: Composer,
        context: ComposerContext,
        *,
        tasks: TaskRunner,
        prompter: Prompter,
        copy: Copy,
        notify: Callable[[str], None],
    ) -> None:
        self.desk = desk
        self.composer = composer
        self.context = context
        self.tasks = tasks
        self._prompter = prompter
        self._copy = copy
        self._notify = notify

    def paste(self) -> None:
        text = self._prompter.ask_text(
            "Paste a curl command",
            "Paste a curl example (from the API docs, for instance). Its method, address, "
            "headers and body fill the composer:",
            multiline=True,
        )
        if not text:
            return
        try:
            spec = from_curl(text)
        except TokendeskError as exc:
            self._notify(f"{exc.message} {exc.hint}")
            return
        self.composer.load(spec)
        self._notify(f"Filled in from curl; {PASTED_AUTH_WORDS[spec.auth]}.")

    def copy(self, real_token: bool) -> None:
        """The composer's request as curl, by the application layer's one rule for every copy
        (Desk.curl_command): $TOKEN or the real token, a DPoP proof made now for exactly this
        request (after asking the API for its nonce), the profile's CA bundle."""
        spec = self.composer.to_model()
        profile, env = self.context.profile, self.context.environment or None
        self.tasks.run(
            "curl", self._copy_curl(profile, spec, real_token, env), busy=[self.composer.copy_curl]
        )

    async def _copy_curl(
        self, profile: Profile | None, spec: RequestSpec, real_token: bool, env: str | None
    ) -> None:
        try:
            copy = await self.desk.curl_command(profile, spec, real_token=real_token, env=env)
        except TokendeskError as exc:  # an address that cannot be built: say so where copies do
            self._notify(f"{exc.message} {exc.hint}")
            return
        self._copy(copy.text, copy.what, copy.sensitive, " ".join(copy.notes))
