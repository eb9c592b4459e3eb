"""`tokendesk profile …`: add, list, show, remove, export, import — each one Desk use case."""

from __future__ import annotations

import argparse
import json
import shlex
from pathlib import Path
from typing import Any

from app.cli.context import EXIT_OK, CliError, Context
from app.core.errors import KeychainError
from app.core.profiles import AuthMethod, Profile, split_scopes


def read_private_key(path: Path) -> str:
    from app.desk import Desk

    try:
        text = path.expanduser().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"The private key file {path} could not be read: {exc}.") from exc
    Desk.check_private_key(text)  # raises ProfileError with a plain message when unusable
    return text


async def add(ctx: Context, args: argparse.Namespace) -> int:
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
    if any(p.name.casefold() == profile.name.casefold() for p in ctx.desk.profiles()):
        raise CliError(
            f"A profile named “{profile.name}” already exists; remove it first, or choose "
            "another name."
        )
    if method.needs_private_key and args.private_key_file is None:
        raise CliError("private_key_jwt needs --private-key-file PEM.")
    if not method.needs_private_key and args.private_key_file is not None:
        raise CliError("--private-key-file is only for --auth-method private_key_jwt.")
    secret = key = None
    if method.needs_secret:
        secret = ctx.read_secret(f"Client secret for “{profile.name}”: ")
    if method.needs_private_key:
        key = read_private_key(args.private_key_file)
    await ctx.desk.add_profile(profile, secret=secret, private_key=key)
    ctx.say(f"Saved “{profile.name}”; its secret is in the OS keychain.")
    ctx.say(f"Get a token with: tokendesk token {shlex.quote(profile.name)}")
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


async def show(ctx: Context, args: argparse.Namespace) -> int:
    from app.core.secrets import SecretKind

    profile = ctx.desk.find(args.name)
    stored: dict[str, str] = {}
    try:
        held = await ctx.desk.stored_secrets(profile)
        for kind in (SecretKind.CLIENT_SECRET, SecretKind.PRIVATE_KEY):
            stored[kind.value] = "stored in the OS keychain" if kind in held else "not stored"
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
    width = max(len(label) for label, value in rows if value) + 2
    for label, value in rows:
        if value:
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
