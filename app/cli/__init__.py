"""`tokendesk`: the window, or the command line for shells and scripts (no Qt imported here).

stdout carries only the answer; errors go to stderr in plain words.
Exit codes: 0 ok, 1 OAuth/HTTP failure, 2 usage or configuration, 3 keychain.

`tokendesk token NAME` with a valid cached token is served before anything else is imported
(app/desk/cached_token.py): scripts call it in loops.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse

    from app.cli.context import Context

    Handler = Callable[[Context, argparse.Namespace], Coroutine[Any, Any, int]]

FAST_FORMS: tuple[list[str], ...] = ([], ["--header"], ["--json"])


def _handler(args: argparse.Namespace) -> Handler:
    from app.cli import imports, profiles, serve, tokens

    by_command: dict[str, Handler] = {
        "token": tokens.token,
        "proof": tokens.proof,
        "exec": tokens.exec_,
        "import": imports.import_,
        "proxy": serve.proxy,
        "completion": serve.completion,
    }
    if args.command in by_command:
        return by_command[args.command]
    if args.command == "request":
        return {"list": serve.request_list, "send": serve.request_send}[args.request_command]
    return {
        "add": profiles.add,
        "edit": profiles.edit,
        "set-secret": profiles.set_secret,
        "list": profiles.list_,
        "show": profiles.show,
        "remove": profiles.remove,
        "export": profiles.export,
        "import": profiles.import_,
    }[args.profile_command]


async def _run(handler: Handler, ctx: Context, args: argparse.Namespace) -> int:
    try:
        return await handler(ctx, args)
    finally:
        await ctx.aclose()


def run(argv: Sequence[str], ctx: Context | None = None) -> int:
    """Run one CLI command; returns the exit code. The window is not started from here."""
    import asyncio
    import logging

    from app.cli.context import EXIT_FAILURE, CliError, Context, exit_code_for
    from app.cli.parser import build_parser
    from app.core.errors import TokendeskError

    args = build_parser().parse_args(argv)
    ctx = ctx or Context()
    from app import logs

    log_file = logs.setup(verbose=args.verbose)
    try:
        return asyncio.run(_run(_handler(args), ctx, args))
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
    except Exception as exc:  # the one path for the unexpected: a sentence, never a traceback
        logging.getLogger(__name__).exception("Unexpected error in `tokendesk %s`", args.command)
        where = f" The details are in {log_file}." if log_file else ""
        ctx.say(f"tokendesk: something went wrong inside Tokendesk ({type(exc).__name__}).{where}")
        ctx.say("What to do: try again; if it keeps happening, report it with that log.")
        return EXIT_FAILURE


def _cached(argv: list[str]) -> int | None:
    """`token NAME [--header|--json]` from the keychain's cached token, or None."""
    if len(argv) < 2 or argv[0] != "token" or argv[1].startswith("-") or argv[2:] not in FAST_FORMS:
        return None
    from app.desk.cached_token import cached_token

    token = cached_token(argv[1])
    if token is None:
        return None
    from app.cli.output import print_token

    print_token(
        token, header="--header" in argv, as_json="--json" in argv, out=sys.stdout, err=sys.stderr
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if (code := _cached(argv)) is not None:
        return code
    if argv[:1] == ["--format-worker"]:  # the window's body formatter, in a packaged app
        from app.core.format_worker import main as format_worker

        return format_worker(argv[1:])
    if argv[:1] == ["--complete-names"]:  # for the completion scripts
        from app.cli.completion import complete_names

        return complete_names(argv[1:])
    from app.cli.parser import build_parser

    args, _ = build_parser().parse_known_args(argv)
    if args.command is None:
        from app.main import main as gui_main

        return gui_main(argv)
    return run(argv)
