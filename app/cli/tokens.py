"""`tokendesk token` and `tokendesk exec`: a valid access token on stdout (or in a child's
environment), and nothing else."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal

from app.cli.context import EXIT_FAILURE, CliError, Context
from app.cli.output import print_token
from app.core.errors import NetworkError, ProfileError
from app.core.profiles import AuthMethod, Profile, split_scopes
from app.core.tokens import Token

ONE_SHOT_FLAGS = ("token_url", "issuer", "client_id", "auth_method", "scope", "audience",
                  "resource", "private_key_file", "ca_bundle", "secret_env")  # fmt: skip


async def _saved(ctx: Context, name: str, *, fresh: bool, env: str | None = None) -> Token:
    from app.desk.desk import SANDBOX_ID

    profile = ctx.desk.find(name)
    try:
        return await ctx.desk.get_token(profile, force=fresh, env=env)
    except (NetworkError, ProfileError) as exc:
        if profile.id == SANDBOX_ID:
            raise CliError(
                "The sandbox runs only while the Tokendesk window is open. "
                "Start it with: tokendesk --sandbox",
                EXIT_FAILURE,
            ) from exc
        raise


def _one_shot_profile(args: argparse.Namespace) -> Profile:
    from app.desk.profile_fields import check_ca_bundle

    if not (args.token_url or args.issuer) or not args.client_id:
        raise CliError(
            "Name a profile, or give a one-shot client: --token-url URL (or --issuer URL) "
            "and --client-id ID."
        )
    method = args.auth_method or (
        AuthMethod.PRIVATE_KEY_JWT if args.private_key_file else AuthMethod.CLIENT_SECRET_BASIC
    )
    return Profile(
        name="one-shot",
        token_url=(args.token_url or "").strip(),
        issuer_url=(args.issuer or "").strip(),
        client_id=args.client_id.strip(),
        auth_method=AuthMethod(method),
        auth_method_chosen=args.auth_method is not None or args.private_key_file is not None,
        scopes=split_scopes(args.scope or ""),
        audience=(args.audience or "").strip(),
        resources=tuple(r.strip() for r in args.resource or () if r.strip()),
        ca_bundle=check_ca_bundle((args.ca_bundle or "").strip()),
    )


async def _one_shot(ctx: Context, args: argparse.Namespace) -> Token:
    from app.desk.one_shot import one_shot_token
    from app.desk.profile_fields import read_private_key
    from app.desk.wiring import utc_now

    profile = _one_shot_profile(args)
    secret = key = None
    if profile.auth_method.needs_private_key:
        if args.private_key_file is None:
            raise CliError(f"{profile.auth_method} needs --private-key-file PEM.")
        key = read_private_key(args.private_key_file)
    elif args.secret_env:
        secret = os.environ.get(args.secret_env, "")
        if not secret:
            raise CliError(f"The environment variable {args.secret_env} is not set or empty.")
    else:
        secret = ctx.read_secret("Client secret: ")
    token, warnings = await one_shot_token(profile, secret=secret, private_key=key, clock=utc_now)
    for warning in warnings:
        ctx.say(f"Warning: {warning}")
    return token


async def token(ctx: Context, args: argparse.Namespace) -> int:
    given = [f for f in ONE_SHOT_FLAGS if getattr(args, f)]
    if args.name is not None and given:
        flags = ", ".join("--" + f.replace("_", "-") for f in given)
        raise CliError(f"{flags} describe a one-shot client; leave out the profile name.")
    if args.name is None:
        result = await _one_shot(ctx, args)
    else:
        result = await _saved(ctx, args.name, fresh=args.fresh, env=args.env)
    print_token(result, header=args.header, as_json=args.json, out=ctx.stdout, err=ctx.stderr)
    return 0


async def exec_(ctx: Context, args: argparse.Namespace) -> int:
    """The token goes in the child's environment only: never on its command line, where
    `ps` would show it to every user of the machine."""
    argv = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
    if not argv:
        raise CliError("Give the command to run after --, e.g. tokendesk exec NAME -- curl …")
    result = await _saved(ctx, args.name, fresh=False, env=args.env)
    env = {
        **os.environ,
        "TOKEN": result.access_token,
        "TOKENDESK_AUTHORIZATION": result.authorization_header,
    }
    await ctx.aclose()  # the child may run for long: release the HTTP clients and keychain now
    try:
        child = await asyncio.create_subprocess_exec(*argv, env=env)
    except OSError as exc:
        raise CliError(f"“{argv[0]}” could not be started: {exc.strerror or exc}.", 127) from exc
    loop = asyncio.get_running_loop()
    # Ctrl+C reaches the child (same process group); we wait for it and pass on its status.
    loop.add_signal_handler(signal.SIGINT, lambda: None)
    try:
        code = await child.wait()
    finally:
        loop.remove_signal_handler(signal.SIGINT)
    return code if code >= 0 else 128 - code


async def proof(ctx: Context, args: argparse.Namespace) -> int:
    """`DPoP: <proof>` for one request; the token itself comes from `token NAME --header`."""
    profile = ctx.desk.find(args.name)
    ctx.answer("DPoP: " + await ctx.desk.dpop_proof(profile, args.method, args.url, env=args.env))
    return 0
