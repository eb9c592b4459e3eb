"""The grammar of `tokendesk profile …`: one flag for every profile field the window's form has."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.core.profiles import DPOP_ALGORITHMS, AuthMethod, BasicEncoding

METHODS = [m.value for m in AuthMethod]

# Profile field -> the flag that sets it. The parity test (tests/gui/test_cli_parity.py) fails
# when Profile gains a field that is neither here nor in UNSET_BY_FLAG.
FIELD_FLAGS = {
    "name": "--name",  # `profile add NAME` takes it as an argument
    "token_url": "--token-url",
    "issuer_url": "--issuer",
    "client_id": "--client-id",
    "auth_method": "--auth-method",
    "auth_method_chosen": "--auth-method",
    "basic_encoding": "--basic-encoding",
    "key_id": "--key-id",
    "scopes": "--scope",
    "audience": "--audience",
    "resources": "--resource",
    "extra_params": "--extra-param",
    "api_base_url": "--api-base",
    "ca_bundle": "--ca-bundle",
    "notes": "--notes",
    "auto_refresh": "--auto-refresh",
    "allowed_origins": "--allow-origin",
    "variables": "--var",
    "client_cert": "--client-cert",
    "mtls_bound": "--mtls-bound",
    "assertion_cert": "--certificate",
    "dpop": "--dpop",
    "dpop_alg": "--dpop-alg",
}
UNSET_BY_FLAG = {
    "id": "made by Tokendesk and never changes",
    "verify_tls": "no flag turns certificate checking off; --ca-bundle trusts a private CA",
    "environments": "made by `tokendesk import` (issue 14); `--env` chooses one",
    "import_source": "made by `tokendesk import`, so importing again updates the profile",
}


def add_field_flags(parser: argparse.ArgumentParser, *, editing: bool) -> None:
    """Every flag defaults to None, so `profile edit` can tell “not given” from “empty”."""
    where = parser.add_mutually_exclusive_group(required=False)
    where.add_argument("--token-url", metavar="URL", help="the token endpoint")
    where.add_argument("--issuer", metavar="URL", help="the issuer (endpoints found automatically)")
    parser.add_argument("--client-id", metavar="ID")
    parser.add_argument(
        "--auth-method",
        choices=METHODS,
        help="how the client signs in (default: client_secret_basic, or what the issuer's "
        "metadata lists)",
    )
    parser.add_argument(
        "--basic-encoding",
        choices=[e.value for e in BasicEncoding],
        help="client_secret_basic: form-encoded (RFC 6749), as typed (raw), or auto (default: "
        "form first, then as typed if the server refuses)",
    )
    parser.add_argument("--key-id", metavar="KID", help="the `kid` header of signed assertions")
    parser.add_argument("--scope", metavar='"A B"', help="space-separated scopes")
    parser.add_argument("--audience", metavar="AUD")
    many = "repeatable" + ("; replaces the list, '' clears it" if editing else "")
    parser.add_argument("--resource", action="append", metavar="URI", help=many)
    parser.add_argument(
        "--extra-param",
        action="append",
        metavar="K=V",
        help=f"an extra token request parameter ({many})",
    )
    parser.add_argument("--api-base", metavar="URL", help="the API's base URL")
    parser.add_argument(
        "--ca-bundle",
        metavar="PEM",
        help="trust this CA bundle (PEM) for this profile's servers; '' for the system's",
    )
    parser.add_argument("--notes", metavar="TEXT")
    parser.add_argument(
        "--auto-refresh",
        action=argparse.BooleanOptionalAction,
        help="get the next token before this one expires while the window is open",
    )
    parser.add_argument(
        "--allow-origin",
        action="append",
        metavar="URL",
        help=f"another origin that may receive the token without asking ({many})",
    )
    parser.add_argument(
        "--var", action="append", metavar="K=V", help=f"a {{{{K}}}} request variable ({many})"
    )
    parser.add_argument(
        "--private-key-file",
        type=Path,
        metavar="PEM",
        help="private_key_jwt: PEM or JWK file; the key goes into the keychain",
    )
    certs = parser.add_argument_group("certificates and sender-constrained tokens")
    certs.add_argument(
        "--certificate",
        type=Path,
        metavar="PEM",
        help="private_key_jwt with an X.509 certificate (x5t, as Entra ID wants); the key is "
        "--private-key-file",
    )
    certs.add_argument(
        "--client-cert",
        type=Path,
        metavar="PEM",
        help="the TLS client certificate (tls_client_auth methods, or --mtls-bound); its key "
        "is --client-key",
    )
    certs.add_argument("--client-key", type=Path, metavar="PEM", help="the --client-cert's key")
    certs.add_argument(
        "--pkcs12",
        type=Path,
        metavar="P12",
        help="a certificate and its key in one PKCS#12 file (the TLS client certificate with "
        "the tls_client_auth methods or --mtls-bound, else the assertion certificate); its "
        "password from TOKENDESK_PKCS12_PASSWORD or asked for",
    )
    certs.add_argument(
        "--mtls-bound",
        action=argparse.BooleanOptionalAction,
        help="present the client certificate with any method: certificate-bound tokens (RFC 8705)",
    )
    certs.add_argument(
        "--dpop", action=argparse.BooleanOptionalAction, help="DPoP-bound tokens (RFC 9449)"
    )
    certs.add_argument("--dpop-alg", choices=DPOP_ALGORITHMS, help="the DPoP key's algorithm")


def add_profile_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    profile = commands.add_parser(
        "profile", help="add, edit, set-secret, list, show, remove, export or import"
    )
    cmds = profile.add_subparsers(dest="profile_command", metavar="ACTION", required=True)

    add = cmds.add_parser(
        "add",
        help="add a client profile",
        description="Add a client profile. The client secret is read from standard input when "
        "it is not a terminal, otherwise asked for; it is never taken from the command line.",
    )
    add.add_argument("name")
    add_field_flags(add, editing=False)
    add.add_argument(
        "--service-account-file",
        type=Path,
        metavar="JSON",
        help="a service-account key file: token URL and client from the file, the key into the "
        "keychain; the file is not kept",
    )
    add.add_argument(
        "--check", action="store_true", help="get a token first; save nothing if that fails"
    )

    edit = cmds.add_parser(
        "edit",
        help="change a profile in place",
        description="Change only the fields given; the cached token is dropped when a change "
        "affects which token the client gets.",
    )
    edit.add_argument("profile", metavar="NAME")
    edit.add_argument("--name", metavar="NEW", help="rename the profile")
    add_field_flags(edit, editing=True)

    secret = cmds.add_parser(
        "set-secret",
        help="replace a profile's secret (from standard input) or private key",
        description="Replace the client secret (read from standard input, or asked for) or, "
        "with --private-key-file, the private key; the cached token is dropped.",
    )
    secret.add_argument("profile", metavar="NAME")
    secret.add_argument("--private-key-file", type=Path, metavar="PEM")

    lst = cmds.add_parser("list", help="list profiles")
    lst.add_argument("--json", action="store_true")
    show = cmds.add_parser("show", help="show every field of a profile (never its secrets)")
    show.add_argument("name")
    show.add_argument("--json", action="store_true")
    show.add_argument("--env", metavar="ENV", help="as used in one of the profile's environments")
    remove = cmds.add_parser("remove", help="remove a profile and its keychain entries")
    remove.add_argument("name")
    export = cmds.add_parser("export", help="print profiles as JSON, without secrets")
    export.add_argument("names", nargs="*", metavar="NAME", help="default: all")
    imp = cmds.add_parser("import", help="import profiles exported earlier (no secrets)")
    imp.add_argument("file", type=Path, help="the export file, or - for standard input")
