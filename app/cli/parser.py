"""The command line's grammar: every command and flag, and nothing that runs them."""

from __future__ import annotations

import argparse
from pathlib import Path

from app import __version__
from app.core.profiles import AuthMethod


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
