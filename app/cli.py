"""`tokendesk`: the window, or the command line for shells and scripts (no Qt imported here).

stdout carries only the answer; errors go to stderr in plain words.
Exit codes: 0 ok, 1 OAuth/HTTP failure, 2 usage or configuration, 3 keychain.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import shlex
import sys
from collections.abc import Callable, Coroutine, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from app import __version__
from app.core.errors import (
    KeychainError,
    ProfileError,
    ProfileStoreError,
    TokendeskError,
)
from app.core.profiles import AuthMethod, Profile, split_scopes
from app.core.tokens import Token

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_KEYCHAIN = 0, 1, 2, 3


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tokendesk",
        description="A workbench for OAuth2 machine-to-machine clients. "
        "Without a command, opens the window.",
        epilog="Secrets live in the OS keychain. Exit codes: 0 ok, 1 OAuth/HTTP failure, "
        "2 usage, 3 keychain.",
    )
    parser.add_argument("--version", action="version", version=f"tokendesk {__version__}")
    parser.add_argument(
        "--details", action="store_true", help="on errors, also print the raw details (redacted)"
    )
    parser.add_argument("--self-test", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="open the window with the practice sandbox (a local identity server and API) running",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    profile = commands.add_parser("profile", help="add, list, show, remove, export or import")
    profile_cmds = profile.add_subparsers(dest="profile_command", metavar="ACTION", required=True)

    add = profile_cmds.add_parser(
        "add",
        help="add a client profile",
        description="Add a client profile. The client secret is read from standard input when "
        "it is not a terminal, otherwise asked for; it is never taken from the command line.",
    )
    add.add_argument("name")
    where = add.add_mutually_exclusive_group(required=True)
    where.add_argument("--token-url", metavar="URL", help="the token endpoint")
    where.add_argument("--issuer", metavar="URL", help="the issuer (endpoints found automatically)")
    add.add_argument("--client-id", metavar="ID", required=True)
    add.add_argument(
        "--auth-method",
        choices=[m.value for m in AuthMethod],
        default=AuthMethod.CLIENT_SECRET_BASIC.value,
        help="how the client signs in (default: client_secret_basic)",
    )
    add.add_argument("--scope", default="", metavar='"A B"', help="space-separated scopes")
    add.add_argument("--audience", default="", metavar="AUD")
    add.add_argument("--resource", action="append", default=[], metavar="URI", help="repeatable")
    add.add_argument("--api-base", default="", metavar="URL", help="the API's base URL")
    add.add_argument(
        "--private-key-file",
        type=Path,
        metavar="PEM",
        help="private_key_jwt: PEM or JWK file; the key goes into the keychain",
    )

    lst = profile_cmds.add_parser("list", help="list profiles")
    lst.add_argument("--json", action="store_true")
    show = profile_cmds.add_parser("show", help="show one profile (secrets are never printed)")
    show.add_argument("name")
    show.add_argument("--json", action="store_true")
    remove = profile_cmds.add_parser("remove", help="remove a profile and its keychain entries")
    remove.add_argument("name")
    export = profile_cmds.add_parser("export", help="print profiles as JSON, without secrets")
    export.add_argument("names", nargs="*", metavar="NAME", help="default: all")
    imp = profile_cmds.add_parser("import", help="import profiles exported earlier (no secrets)")
    imp.add_argument("file", type=Path, help="the export file, or - for standard input")

    token = commands.add_parser(
        "token",
        help="print a valid access token",
        description="Print a valid access token: "
        "the cached one while it is still valid, else a fresh one.",
    )
    token.add_argument("name")
    form = token.add_mutually_exclusive_group()
    form.add_argument("--header", action="store_true", help="print “Authorization: Bearer …”")
    form.add_argument("--json", action="store_true", help="print token, type, expiry and scopes")
    token.add_argument("--fresh", action="store_true", help="ignore the cached token")
    return parser


class CliError(Exception):
    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def exit_code_for(error: TokendeskError) -> int:
    if isinstance(error, KeychainError):
        return EXIT_KEYCHAIN
    if isinstance(error, ProfileError | ProfileStoreError):
        return EXIT_USAGE
    return EXIT_FAILURE


class Context:
    """Collaborators for one CLI run; real ones unless a test passes its own."""

    def __init__(
        self,
        *,
        config_dir: Path | None = None,
        secrets: Any = None,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        from app.storage.paths import config_dir as default_config_dir
        from app.storage.profile_store import ProfileStore

        self.store = ProfileStore(default_config_dir(config_dir))
        self._secrets = secrets
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self.clock = clock or (lambda: datetime.now(UTC))

    @property
    def secrets(self) -> Any:
        if self._secrets is None:
            from app.storage.secrets import KeyringSecretStore

            self._secrets = KeyringSecretStore()
        return self._secrets

    def say(self, text: str) -> None:
        print(text, file=self.stderr)

    def answer(self, text: str) -> None:
        print(text, file=self.stdout)

    def profile(self, name: str) -> Profile:
        found = self.store.find(name)
        if found is None:
            names = ", ".join(p.name for p in self.store.load()) or "none yet"
            raise CliError(f"There is no profile named “{name}” (profiles: {names}).")
        return found


def _read_secret(ctx: Context, prompt: str) -> str:
    if ctx.stdin.isatty():
        value = getpass.getpass(prompt, stream=ctx.stderr)
    else:
        value = ctx.stdin.read()
        # Only the line ending a pipe or heredoc adds is dropped; spaces may belong to the secret.
        value = value.removesuffix("\n").removesuffix("\r")
    if not value:
        raise CliError("No client secret was given.")
    return value


def _read_private_key(path: Path) -> str:
    from app.core.client_auth import signing_key

    try:
        text = path.expanduser().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"The private key file {path} could not be read: {exc}.") from exc
    signing_key(text)  # raises ProfileError with a plain message when unusable
    return text


async def _cmd_add(ctx: Context, args: argparse.Namespace) -> int:
    from app.core.secrets import SecretKind

    method = AuthMethod(args.auth_method)
    profile = Profile(
        name=args.name.strip(),
        token_url=(args.token_url or "").strip(),
        issuer_url=(args.issuer or "").strip(),
        client_id=args.client_id.strip(),
        auth_method=method,
        scopes=split_scopes(args.scope),
        audience=args.audience.strip(),
        resources=tuple(r.strip() for r in args.resource),
        api_base_url=args.api_base.strip(),
    )
    problems = profile.problems()
    if blocking := [p.message for p in problems if p.blocking]:
        raise CliError(" ".join(blocking))
    for warning in (p.message for p in problems if not p.blocking):
        ctx.say(f"Warning: {warning}")
    if ctx.store.find(profile.name) is not None:
        raise CliError(f"A profile named “{profile.name}” already exists; remove it first.")
    if method.needs_private_key and args.private_key_file is None:
        raise CliError("private_key_jwt needs --private-key-file PEM.")
    if not method.needs_private_key and args.private_key_file is not None:
        raise CliError("--private-key-file is only for --auth-method private_key_jwt.")

    # Keychain first: if it refuses, nothing is written anywhere.
    if method.needs_secret:
        secret = _read_secret(ctx, f"Client secret for “{profile.name}”: ")
        await ctx.secrets.set(profile.id, SecretKind.CLIENT_SECRET, secret)
    if method.needs_private_key:
        key = _read_private_key(args.private_key_file)
        await ctx.secrets.set(profile.id, SecretKind.PRIVATE_KEY, key)
    try:
        ctx.store.save(profile)
    except TokendeskError:
        await ctx.secrets.delete_all(profile.id)
        raise
    ctx.say(f"Saved “{profile.name}”; its secret is in the OS keychain.")
    ctx.say(f"Get a token with: tokendesk token {shlex.quote(profile.name)}")
    return EXIT_OK


def _summary(profile: Profile) -> dict[str, Any]:
    data = profile.to_dict()
    data["secret_storage"] = "OS keychain"
    return data


async def _cmd_list(ctx: Context, args: argparse.Namespace) -> int:
    profiles = ctx.store.load()
    if args.json:
        ctx.answer(json.dumps([_summary(p) for p in profiles], indent=2))
        return EXIT_OK
    if not profiles:
        ctx.say(
            "No profiles yet. Add one with: tokendesk profile add NAME --token-url URL "
            "--client-id ID"
        )
        return EXIT_OK
    width = max(len(p.name) for p in profiles)
    for p in profiles:
        ctx.answer(f"{p.name:<{width}}  {p.auth_method:<19}  {p.token_url or p.issuer_url}")
    return EXIT_OK


async def _cmd_show(ctx: Context, args: argparse.Namespace) -> int:
    from app.core.secrets import SecretKind

    profile = ctx.profile(args.name)
    stored: dict[str, str] = {}
    try:
        for kind in (SecretKind.CLIENT_SECRET, SecretKind.PRIVATE_KEY):
            value = await ctx.secrets.get(profile.id, kind)
            stored[kind.value] = "stored in the OS keychain" if value else "not stored"
    except KeychainError as exc:
        stored = {"keychain": f"unavailable: {exc.message}"}
    if args.json:
        ctx.answer(json.dumps({**profile.to_dict(), "secrets": stored}, indent=2))
        return EXIT_OK
    rows = [
        ("Name", profile.name),
        ("Token URL", profile.token_url),
        ("Issuer URL", profile.issuer_url),
        ("Client ID", profile.client_id),
        ("Sign-in method", f"{profile.auth_method} ({profile.auth_method.label})"),
        ("Scopes", profile.scope_string),
        ("Audience", profile.audience),
        ("Resources", " ".join(profile.resources)),
        ("API base URL", profile.api_base_url),
        ("Verify TLS", "yes" if profile.verify_tls else "NO"),
        ("CA bundle", profile.ca_bundle),
        ("Auto-refresh", "on" if profile.auto_refresh else "off"),
        *((f"Secret: {k.replace('_', ' ')}", v) for k, v in stored.items()),
    ]
    for label, value in rows:
        if value:
            ctx.answer(f"{label + ':':<22}{value}")
    return EXIT_OK


async def _cmd_remove(ctx: Context, args: argparse.Namespace) -> int:
    profile = ctx.profile(args.name)
    # Keychain first: a profile is never removed while its secrets would be left behind.
    await ctx.secrets.delete_all(profile.id)
    ctx.store.remove(profile.id)
    ctx.say(f"Removed “{profile.name}” and its secrets from the OS keychain.")
    return EXIT_OK


async def _cmd_export(ctx: Context, args: argparse.Namespace) -> int:
    from app.storage.profile_store import export_profiles

    chosen = [ctx.profile(n) for n in args.names] if args.names else ctx.store.load()
    ctx.stdout.write(export_profiles(chosen))
    return EXIT_OK


async def _cmd_import(ctx: Context, args: argparse.Namespace) -> int:
    from app.storage.profile_store import import_profiles

    text = ctx.stdin.read() if str(args.file) == "-" else args.file.read_text(encoding="utf-8")
    imported = import_profiles(text, ctx.store.load())
    for profile in imported:
        ctx.store.save(profile)
        needs = "client secret" if profile.auth_method.needs_secret else "private key"
        ctx.say(f"Imported “{profile.name}”; it needs its {needs} before it can get tokens.")
    return EXIT_OK


def _token_json(token: Token) -> str:
    return json.dumps(
        {
            "access_token": token.access_token,
            "token_type": token.token_type,
            "expires_at": token.expires_at.isoformat() if token.expires_at else None,
            "scopes": list(token.scopes),
        }
    )


async def _cmd_token(ctx: Context, args: argparse.Namespace) -> int:
    from app.core.errors import NetworkError
    from app.core.http_clients import HttpClients
    from app.core.token_manager import TokenManager

    profile = ctx.profile(args.name)
    http = HttpClients()
    try:
        manager = TokenManager(http, ctx.secrets, clock=ctx.clock)
        token = await manager.get_token(profile, force=args.fresh)
    except NetworkError as exc:
        if profile.id == "sandbox" and exc.kind == "refused":
            raise CliError(
                "The sandbox runs only while the Tokendesk window is open. "
                "Start it with: tokendesk --sandbox",
                EXIT_FAILURE,
            ) from exc
        raise
    finally:
        await http.aclose()
    for warning in token.warnings:
        ctx.say(f"Note: {warning}")
    if args.json:
        ctx.answer(_token_json(token))
    elif args.header:
        ctx.answer(f"Authorization: {token.authorization_header}")
    else:
        ctx.answer(token.access_token)
    return EXIT_OK


COMMANDS: dict[str, Callable[[Context, argparse.Namespace], Coroutine[Any, Any, int]]] = {
    "add": _cmd_add,
    "list": _cmd_list,
    "show": _cmd_show,
    "remove": _cmd_remove,
    "export": _cmd_export,
    "import": _cmd_import,
}


def run(argv: Sequence[str], ctx: Context | None = None) -> int:
    """Run one CLI command; returns the exit code. The window is not started from here."""
    parser = build_parser()
    args = parser.parse_args(argv)
    ctx = ctx or Context()
    handler = _cmd_token if args.command == "token" else COMMANDS[args.profile_command]
    try:
        return asyncio.run(handler(ctx, args))
    except CliError as exc:
        ctx.say(f"tokendesk: {exc}")
        return exc.code
    except TokendeskError as exc:
        ctx.say(f"tokendesk: {exc.message}")
        if exc.hint:
            ctx.say(f"What to do: {exc.hint}")
        if args.details and exc.details:
            ctx.say("\nDetails:\n" + exc.details)
        elif exc.details:
            ctx.say("(Run with --details for the raw exchange.)")
        return exit_code_for(exc)
    except KeyboardInterrupt:
        return 130


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--format-worker"]:  # the window's body formatter, in a packaged app
        from app.core.format_worker import main as format_worker

        return format_worker(argv[1:])
    parser = build_parser()
    args, _ = parser.parse_known_args(argv)
    if args.command is None:
        from app.main import main as gui_main

        return gui_main(argv)
    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
