"""`tokendesk import PATH…`: Postman, Insomnia, Bruno and OpenAPI into profiles, environments and
saved requests; secrets into the keychain; a summary first, a report after."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.context import EXIT_OK, Context


async def import_(ctx: Context, args: argparse.Namespace) -> int:
    urls = [p for p in args.paths if p.startswith(("http://", "https://"))]
    files = [Path(p) for p in args.paths if p not in urls]  # the shell has expanded ~
    plans = [await ctx.desk.read_import_url(url) for url in urls]
    if files:
        plans.append(ctx.desk.read_import(files))
    for plan in plans:
        ctx.say(plan.summary())
        for report in plan.reports:
            for line in report.lines():
                ctx.say(f"  {line}")
        if args.dry_run:
            continue
        done = await ctx.desk.apply_import(plan)
        ctx.say(done.summary())
        for change in done.changes:
            ctx.say(f"  {change}")
    if args.dry_run:
        ctx.say("Nothing was written (--dry-run).")
    return EXIT_OK
