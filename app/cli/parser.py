"""The command line's grammar: every command and flag, and nothing that runs them."""

from __future__ import annotations

import argparse
from pathlib import Path

from app import __version__
from app.cli.profile_parser import METHODS, add_profile_commands


def _token_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    token = commands.add_parser(
        "token",
        help="print a valid access token",
        description="Print a valid access token: the cached one while it is still valid, else a "
        "fresh one. Without NAME, a one-shot token from the flags below: nothing is stored and no "
        "keychain is needed (the secret comes from standard input or --secret-env).",
    )
    token.add_argument("name", nargs="?", help="the profile (omit it for a one-shot token)")
    form = token.add_mutually_exclusive_group()
    form.add_argument("--header", action="store_true", help="print “Authorization: Bearer …”")
    form.add_argument("--json", action="store_true", help="print token, type, expiry and scopes")
    token.add_argument("--fresh", action="store_true", help="ignore the cached token")
    token.add_argument(
        "--env", metavar="ENV", help="the token of one of the profile's environments"
    )
    once = token.add_argument_group("one-shot (no NAME)")
    where = once.add_mutually_exclusive_group()
    where.add_argument("--token-url", metavar="URL")
    where.add_argument("--issuer", metavar="URL")
    once.add_argument("--client-id", metavar="ID")
    once.add_argument("--auth-method", choices=METHODS)
    once.add_argument("--scope", metavar='"A B"')
    once.add_argument("--audience", metavar="AUD")
    once.add_argument("--resource", action="append", metavar="URI", help="repeatable")
    once.add_argument("--private-key-file", type=Path, metavar="PEM")
    once.add_argument("--ca-bundle", metavar="PEM")
    once.add_argument(
        "--secret-env", metavar="VAR", help="read the secret from this environment variable"
    )


def _request_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    request = commands.add_parser("request", help="list or send a profile's saved requests")
    cmds = request.add_subparsers(dest="request_command", metavar="ACTION", required=True)
    lst = cmds.add_parser("list", help="the profile's saved requests, one a line")
    lst.add_argument("profile", metavar="PROFILE")
    lst.add_argument("--env", metavar="ENV", help="one of the profile's environments")
    send = cmds.add_parser(
        "send",
        help="send a saved request; the response body goes to stdout",
        description="Send a saved request with the profile's token. Exit status: 0 for 2xx/3xx, "
        "1 for 4xx/5xx or a network failure, 2 when the host is not the profile's API.",
    )
    send.add_argument("profile", metavar="PROFILE")
    send.add_argument("request", metavar="REQUEST", help="its title (or a unique prefix)")
    send.add_argument("--var", action="append", default=[], metavar="K=V", help="repeatable")
    send.add_argument(
        "--include", action="store_true", help="print the status line and headers first"
    )
    send.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="HOST",
        help="let the token go to this host (host or host:port) for this run",
    )
    send.add_argument("--env", metavar="ENV", help="send in one of the profile's environments")


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
    parser.add_argument(
        "--verbose", action="store_true", help="write debug records to the log file (redacted)"
    )
    parser.add_argument("--self-test", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="open the window with the practice sandbox (a local identity server and API) running",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_profile_commands(commands)
    _token_command(commands)

    run = commands.add_parser(
        "exec",
        help="run a command with the token in its environment",
        description="Run COMMAND with TOKEN (the access token) and TOKENDESK_AUTHORIZATION "
        "(“Bearer …”) in its environment; the exit status is the command's.",
    )
    run.add_argument("name", metavar="NAME")
    run.add_argument("--env", metavar="ENV", help="one of the profile's environments")
    run.add_argument("argv", nargs=argparse.REMAINDER, metavar="-- COMMAND [ARGS...]")

    proxy = commands.add_parser(
        "proxy",
        help="serve the profile's API on 127.0.0.1 with the token attached",
        description="A local authenticating proxy: the first line on stdout is its base URL, "
        "which carries a random access key; then one line per request. Ctrl+C stops it.",
    )
    proxy.add_argument("name", metavar="NAME")
    proxy.add_argument("--port", type=int, default=0, metavar="N", help="default: any free port")

    proof = commands.add_parser(
        "proof",
        help="print a DPoP proof header for one request",
        description="Print “DPoP: <proof>” for one request of a DPoP profile (RFC 9449): pair "
        "it with `tokendesk token NAME --header`. A proof is valid for that method and URL only, "
        "for about a minute.",
    )
    proof.add_argument("name", metavar="NAME")
    proof.add_argument("method", metavar="METHOD")
    proof.add_argument("url", metavar="URL")
    proof.add_argument("--env", metavar="ENV", help="one of the profile's environments")

    imports = commands.add_parser(
        "import",
        help="import Postman, Insomnia or Bruno collections and OpenAPI files",
        description="Import collections and API descriptions (Postman, Insomnia, Bruno, OpenAPI; "
        "the kind is found from the content). Secrets go into the OS keychain; the source files "
        "are never changed. Importing the same source again updates what it created.",
    )
    imports.add_argument("paths", nargs="+", metavar="PATH", help="files, folders or http(s) URLs")
    imports.add_argument(
        "--dry-run", action="store_true", help="say what would be imported; write nothing"
    )

    completion = commands.add_parser("completion", help="print a shell completion script")
    completion.add_argument("shell", choices=["bash", "zsh", "fish"])
    _request_commands(commands)
    return parser
