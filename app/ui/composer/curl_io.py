"""curl in and out of the composer: a pasted example fills it; a copy gives the request as a
curl command, with the token (or $TOKEN in its place) and, for a DPoP profile, a proof made now
for exactly that request."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from app.core import request_spec
from app.core.curl import TOKEN_PLACEHOLDER, from_curl, to_curl
from app.core.errors import TokendeskError
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


class CurlIO:
    def __init__(
        self,
        desk: Desk,
        composer: Composer,
        context: ComposerContext,
        *,
        tasks: TaskRunner,
        prompter: Prompter,
        copy: Callable[[str, str, bool], None],
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
        spec = self.composer.to_model()
        profile = self.context.sending()
        try:
            request = request_spec.build(
                spec,
                api_base=profile.api_base_url if profile else "",
                variables=profile.variable_map if profile else {},
            )
        except TokendeskError as exc:
            self._notify(f"{exc.message} {exc.hint}")
            return
        if spec.auth is AuthMode.PROFILE and profile is not None and profile.dpop:
            self.tasks.run(
                "curl",
                self._copy_with_proof(spec, request, real_token),
                busy=[self.composer.copy_curl],
            )
            return
        self._copy_curl(spec, request, real_token)

    async def _copy_with_proof(
        self, spec: RequestSpec, request: httpx.Request, real_token: bool
    ) -> None:
        """A DPoP proof is bound to one method and URL and lives about a minute (RFC 9449
        §11.1): the copy carries one made now for exactly this request."""
        assert self.context.profile is not None
        env = self.context.environment or None
        proof = await self.desk.dpop_proof(
            self.context.profile, request.method, str(request.url), env=env
        )
        self._copy_curl(spec, request, real_token, proof)
        self._notify(
            f"Copied, with a DPoP proof valid for this one request ({request.method} "
            f"{request.url.copy_with(query=None)}) for about a minute."
        )

    def _copy_curl(
        self, spec: RequestSpec, request: httpx.Request, real_token: bool, proof: str = ""
    ) -> None:
        profile = self.context.sending()
        authorization: str | None = None
        if spec.auth is AuthMode.PROFILE:
            token = self.desk.token_view(profile.id).token if profile else None
            if real_token and token is not None:
                authorization = token.authorization_header
            else:
                scheme = "DPoP" if profile is not None and profile.dpop else "Bearer"
                authorization = f"{scheme} {TOKEN_PLACEHOLDER}"
                if real_token:
                    self._notify("There is no token yet; $TOKEN stands in for it.")
        elif spec.auth is AuthMode.PASTED:
            authorization = f"Bearer {spec.pasted_token if real_token else TOKEN_PLACEHOLDER}"
        file = spec.body.file if spec.body.kind.value == "file" else ""
        sensitive = real_token and spec.auth is not AuthMode.NONE
        what = "curl command with the token" if sensitive else "curl command"
        text = to_curl(request, authorization=authorization, file=file, dpop=proof)
        self._copy(text, what, sensitive)
