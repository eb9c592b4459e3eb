"""`tokendesk proxy`, `tokendesk request …` and `tokendesk completion`: the API side of the
command line, each a thin shell over a Desk use case."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import signal

from app.cli.context import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, Context
from app.core.errors import ConsentNeeded


async def proxy(ctx: Context, args: argparse.Namespace) -> int:
    from app.desk.proxy import Proxy, ProxyRequest

    profile = ctx.desk.find(args.name)

    def logged(request: ProxyRequest) -> None:
        ctx.answer(request.line())
        ctx.stdout.flush()

    server = Proxy(ctx.desk, profile, port=args.port, on_request=logged)
    ctx.answer(await server.start())
    ctx.stdout.flush()
    ctx.say(f"Serving “{profile.name}” ({profile.api_base_url}) on this computer; Ctrl+C stops.")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await server.stop()
    ctx.say("Stopped.")
    return EXIT_OK


async def completion(ctx: Context, args: argparse.Namespace) -> int:
    from app.cli.completion import script

    ctx.stdout.write(script(args.shell))
    return EXIT_OK


async def request_list(ctx: Context, args: argparse.Namespace) -> int:
    profile = ctx.desk.find(args.profile)
    saved = ctx.desk.saved_requests(profile.id)
    if not saved:
        ctx.say(f"“{profile.name}” has no saved requests; save one in the window's Requests tab.")
    width = max((len(s.name) for s in saved), default=0)
    for s in saved:
        ctx.answer(f"{s.name:<{width}}  {s.spec.method:<7}  {s.spec.url}")
    return EXIT_OK


async def request_send(ctx: Context, args: argparse.Namespace) -> int:
    from app.desk.profile_fields import parse_pairs
    from app.desk.saved_requests import send_saved

    profile = ctx.desk.find(args.profile)
    variables = parse_pairs(args.var, "--var")
    try:
        response = await send_saved(
            ctx.desk,
            profile,
            args.request,
            variables=variables,
            allow_hosts=args.allow_host,
            env=args.env,
        )
    except ConsentNeeded as exc:
        ctx.say(f"tokendesk: {exc.message}")
        host = exc.origin.split("://", 1)[-1]
        ctx.say(f"What to do: if you trust it, run again with --allow-host {host}")
        return EXIT_USAGE
    if args.include:
        ctx.stdout.write(f"HTTP/{response.http_version.removeprefix('HTTP/')} ")
        ctx.stdout.write(f"{response.status} {response.reason}\n")
        for name, value in response.headers:
            ctx.stdout.write(f"{name}: {value}\n")
        ctx.stdout.write("\n")
    ctx.stdout.flush()
    out = getattr(ctx.stdout, "buffer", None)
    with response.open() as body:
        if out is not None:
            shutil.copyfileobj(body, out)
            out.flush()
        else:  # a text stream (tests): decoded as UTF-8, undecodable bytes replaced
            ctx.stdout.write(body.read().decode("utf-8", "replace"))
    with contextlib.suppress(OSError):
        response.body_path.unlink()
    return EXIT_OK if response.status < 400 else EXIT_FAILURE
