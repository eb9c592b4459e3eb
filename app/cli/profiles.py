"""`tokendesk profile …`: add, edit, set-secret, list, show, remove, export, import — each one
Desk use case (app/desk/profile_edit.py for adding and changing)."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import shlex
from typing import Any

from app.cli.context import EXIT_OK, CliError, Context
from app.core.errors import KeychainError
from app.core.profiles import AuthMethod, BasicEncoding, Profile, split_scopes
from app.desk import profile_edit
from app.desk.profile_edit import Certificate
from app.desk.profile_fields import (
    check_ca_bundle,
    parse_pairs,
    read_pem_pair,
    read_pkcs12,
    read_private_key,
    read_service_account,
)

KEYCHAIN = "stored in the OS keychain"


def _listed(values: list[str] | None) -> tuple[str, ...] | None:
    """A repeatable flag: None when not given; a single '' clears the list."""
    if values is None:
        return None
    return tuple(v.strip() for v in values if v.strip())


def field_changes(args: argparse.Namespace) -> dict[str, Any]:
    """The profile fields the flags give, and only those."""
    changes: dict[str, Any] = {}
    text = {
        "token_url": args.token_url,
        "issuer_url": args.issuer,
        "client_id": args.client_id,
        "key_id": args.key_id,
        "audience": args.audience,
        "api_base_url": args.api_base,
    }
    changes.update({k: v.strip() for k, v in text.items() if v is not None})
    if getattr(args, "name", None) is not None and args.command == "profile":
        changes["name"] = args.name.strip()
    if args.auth_method is not None:
        changes["auth_method"] = AuthMethod(args.auth_method)
        changes["auth_method_chosen"] = True
    if args.basic_encoding is not None:
        changes["basic_encoding"] = BasicEncoding(args.basic_encoding)
    if args.scope is not None:
        changes["scopes"] = split_scopes(args.scope)
    if (resources := _listed(args.resource)) is not None:
        changes["resources"] = resources
    if (origins := _listed(args.allow_origin)) is not None:
        changes["allowed_origins"] = origins
    if args.extra_param is not None:
        changes["extra_params"] = parse_pairs([p for p in args.extra_param if p], "--extra-param")
    if args.var is not None:
        changes["variables"] = parse_pairs([v for v in args.var if v], "--var")
    if args.ca_bundle is not None:
        changes["ca_bundle"] = check_ca_bundle(args.ca_bundle.strip())
    for name in ("notes", "auto_refresh", "mtls_bound", "dpop", "dpop_alg"):
        if getattr(args, name) is not None:
            changes[name] = getattr(args, name)
    return changes


def certificates(ctx: Context, args: argparse.Namespace, method: AuthMethod) -> list[Certificate]:
    """The certificates the flags give, checked (pair fits, not expired), keys not yet stored."""
    found: list[Certificate] = []
    if args.client_cert is not None or args.client_key is not None:
        if args.client_cert is None or args.client_key is None:
            raise CliError("Give --client-cert PEM and --client-key PEM together.")
        found.append(Certificate(read_pem_pair(args.client_cert, args.client_key), tls=True))
    if args.certificate is not None:
        if args.private_key_file is None:
            raise CliError("--certificate needs its key: --private-key-file PEM.")
        found.append(Certificate(read_pem_pair(args.certificate, args.private_key_file), False))
    if args.pkcs12 is not None:
        password = os.environ.get("TOKENDESK_PKCS12_PASSWORD")
        if password is None and ctx.stdin.isatty():
            password = getpass.getpass(f"Password of {args.pkcs12}: ", stream=ctx.stderr)
        tls = method.uses_tls_certificate or bool(args.mtls_bound)
        found.append(Certificate(read_pkcs12(args.pkcs12, password), tls=tls))
    return found


def _new_profile(ctx: Context, args: argparse.Namespace) -> tuple[Profile, str | None, str | None]:
    changes = field_changes(args)
    scopes = changes.get("scopes", ())
    if args.service_account_file is not None:
        if args.private_key_file is not None:
            raise CliError("Give --service-account-file or --private-key-file, not both.")
        account = read_service_account(args.service_account_file, name=args.name, scopes=scopes)
        changes.pop("auth_method_chosen", None)
        return profile_edit.changed(account.profile, changes), None, account.private_key
    if not changes.get("token_url") and not changes.get("issuer_url"):
        raise CliError("Give --token-url URL or --issuer URL (or --service-account-file).")
    if not changes.get("client_id"):
        raise CliError("Give --client-id ID.")
    if args.auth_method is None:
        method = AuthMethod.CLIENT_SECRET_BASIC
        if args.private_key_file is not None:
            method = AuthMethod.PRIVATE_KEY_JWT
        # Nobody chose: with an issuer, its metadata may pick the method (issue 12 §2).
        changes.update(auth_method=method, auth_method_chosen=args.private_key_file is not None)
    profile = Profile(**changes)
    method = profile.auth_method
    if method.needs_private_key and args.private_key_file is None:
        raise CliError(f"{method} needs --private-key-file PEM.")
    if not method.needs_private_key and args.private_key_file is not None:
        raise CliError("--private-key-file is only for --auth-method private_key_jwt.")
    if method.needs_private_key:
        return profile, None, read_private_key(args.private_key_file)
    if not method.needs_secret:
        return profile, None, None  # the TLS client certificate proves who the client is
    return profile, ctx.read_secret(f"Client secret for “{profile.name}”: "), None


async def add(ctx: Context, args: argparse.Namespace) -> int:
    args.name = args.name.strip()
    profile, secret, key = _new_profile(ctx, args)
    saved, warnings, token = await profile_edit.add_profile(
        ctx.desk,
        profile,
        secret=secret,
        private_key=key,
        check=args.check,
        certificates=certificates(ctx, args, profile.auth_method),
    )
    for warning in warnings:
        ctx.say(f"Warning: {warning}")
    if token is not None:
        ctx.say("Checked: the identity server issued a token with these settings.")
    ctx.say(f"Saved “{saved.name}”; its {_secret_word(saved)} is in the OS keychain.")
    ctx.say(f"Get a token with: tokendesk token {shlex.quote(saved.name)}")
    return EXIT_OK


def _secret_word(profile: Profile) -> str:
    return "private key" if profile.auth_method.needs_private_key else "secret"


async def edit(ctx: Context, args: argparse.Namespace) -> int:
    profile = ctx.desk.find(args.profile)
    changes = field_changes(args)
    method = changes.get("auth_method", profile.auth_method)
    found = certificates(ctx, args, method)
    key = read_private_key(args.private_key_file) if args.private_key_file else None
    if not changes and key is None and not found:
        raise CliError('Nothing to change: give the fields to change, e.g. --scope "a b".')
    saved, warnings = await profile_edit.edit_profile(
        ctx.desk, profile, changes, private_key=key, certificates=found
    )
    for warning in warnings:
        ctx.say(f"Warning: {warning}")
    ctx.say(f"Saved “{saved.name}”.")
    return EXIT_OK


async def set_secret(ctx: Context, args: argparse.Namespace) -> int:
    profile = ctx.desk.find(args.profile)
    if args.private_key_file is not None:
        await ctx.desk.set_secret(profile, private_key=read_private_key(args.private_key_file))
        what = "private key"
    else:
        secret = ctx.read_secret(f"New client secret for “{profile.name}”: ")
        await ctx.desk.set_secret(profile, secret=secret)
        what = "client secret"
    ctx.say(f"Replaced the {what} of “{profile.name}” in the OS keychain; its token is dropped.")
    return EXIT_OK


def _summary(profile: Profile) -> dict[str, Any]:
    data = profile.to_dict()
    data["secret_storage"] = "OS keychain"
    return data


async def list_(ctx: Context, args: argparse.Namespace) -> int:
    profiles = ctx.desk.profiles()
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


def _pairs(pairs: tuple[tuple[str, str], ...]) -> str:
    return ", ".join(f"{k}={v}" for k, v in pairs)


def _cert(pem: str) -> str:
    return "set (PEM, its key in the OS keychain)" if pem else "—"


def show_rows(profile: Profile, secrets: dict[str, str]) -> list[tuple[str, str]]:
    """Every field, in the form's order; empty ones say so rather than vanish."""
    method = profile.auth_method
    return [
        ("Name", profile.name),
        ("Id", profile.id),
        ("Token URL", profile.token_url or "—"),
        ("Issuer URL", profile.issuer_url or "—"),
        ("Client ID", profile.client_id),
        ("Sign-in method", f"{method} ({method.label})"),
        ("Method chosen", "yes" if profile.auth_method_chosen else "no (discovery may pick)"),
        ("Basic credentials", f"{profile.basic_encoding} ({profile.basic_encoding.label})"),
        ("Key id", profile.key_id or "—"),
        ("Scopes", profile.scope_string or "—"),
        ("Audience", profile.audience or "—"),
        ("Resources", " ".join(profile.resources) or "—"),
        ("Extra parameters", _pairs(profile.extra_params) or "—"),
        ("API base URL", profile.api_base_url or "—"),
        ("Allowed origins", " ".join(profile.allowed_origins) or "—"),
        ("Variables", _pairs(profile.variables) or "—"),
        ("Verify TLS", "yes" if profile.verify_tls else "NO"),
        ("CA bundle", profile.ca_bundle or "the system's"),
        ("Auto-refresh", "on" if profile.auto_refresh else "off"),
        ("Client certificate", _cert(profile.client_cert)),
        ("Certificate-bound", "yes" if profile.mtls_bound else "no"),
        ("Assertion cert.", _cert(profile.assertion_cert)),
        ("DPoP", f"on ({profile.dpop_alg})" if profile.dpop else "off"),
        ("Environments", ", ".join(e.name for e in profile.environments) or "—"),
        ("Imported from", profile.import_source or "—"),
        ("Notes", profile.notes.replace("\n", " ⏎ ") or "—"),
        *((label, value) for label, value in secrets.items()),
    ]


async def show(ctx: Context, args: argparse.Namespace) -> int:
    from app.core.secrets import SecretKind

    profile = ctx.desk.in_environment(ctx.desk.find(args.name), args.env)
    labels = {SecretKind.CLIENT_SECRET: "Client secret", SecretKind.PRIVATE_KEY: "Private key"}
    wanted = SecretKind.PRIVATE_KEY if profile.auth_method.needs_private_key else None
    wanted = wanted or SecretKind.CLIENT_SECRET
    stored: dict[str, str] = {}
    try:
        held = await ctx.desk.stored_secrets(profile)
        stored[labels[wanted]] = KEYCHAIN if wanted in held else "not stored"
    except KeychainError as exc:
        stored["Keychain"] = f"unavailable: {exc.message}"
    if args.json:
        secrets = {k.lower().replace(" ", "_"): v for k, v in stored.items()}
        ctx.answer(json.dumps({**profile.to_dict(), "secrets": secrets}, indent=2))
        return EXIT_OK
    rows = show_rows(profile, stored)
    width = max(len(label) for label, _ in rows) + 2
    for label, value in rows:
        ctx.answer(f"{label + ':':<{width}}{value}")
    return EXIT_OK


async def remove(ctx: Context, args: argparse.Namespace) -> int:
    profile = ctx.desk.find(args.name)
    await ctx.desk.delete_profile(profile)
    ctx.say(f"Removed “{profile.name}”, its saved requests and its secrets in the OS keychain.")
    return EXIT_OK


async def export(ctx: Context, args: argparse.Namespace) -> int:
    ids = [ctx.desk.find(n).id for n in args.names] if args.names else None
    ctx.stdout.write(ctx.desk.export_profiles(ids))
    return EXIT_OK


async def import_(ctx: Context, args: argparse.Namespace) -> int:
    try:
        text = ctx.stdin.read() if str(args.file) == "-" else args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"The file {args.file} could not be read: {exc}.") from exc
    for profile in ctx.desk.import_profiles(text):
        needs = "client secret" if profile.auth_method.needs_secret else "private key"
        ctx.say(f"Imported “{profile.name}”; it needs its {needs} before it can get tokens.")
    return EXIT_OK
