"""`tokendesk token NAME`: a valid access token on stdout, and nothing else."""

from __future__ import annotations

import argparse
import json

from app.cli.context import EXIT_FAILURE, EXIT_OK, CliError, Context
from app.core.errors import NetworkError, ProfileError
from app.core.tokens import Token


def token_json(token: Token) -> str:
    return json.dumps(
        {
            "access_token": token.access_token,
            "token_type": token.token_type,
            "expires_at": token.expires_at.isoformat() if token.expires_at else None,
            "scopes": list(token.scopes),
        }
    )


async def token(ctx: Context, args: argparse.Namespace) -> int:
    from app.desk.desk import SANDBOX_ID

    profile = ctx.desk.find(args.name)
    try:
        result = await ctx.desk.get_token(profile, force=args.fresh)
    except (NetworkError, ProfileError) as exc:
        if profile.id == SANDBOX_ID:
            raise CliError(
                "The sandbox runs only while the Tokendesk window is open. "
                "Start it with: tokendesk --sandbox",
                EXIT_FAILURE,
            ) from exc
        raise
    for warning in result.warnings:
        ctx.say(f"Note: {warning}")
    if args.json:
        ctx.answer(token_json(result))
    elif args.header:
        ctx.answer(f"Authorization: {result.authorization_header}")
    else:
        ctx.answer(result.access_token)
    return EXIT_OK
