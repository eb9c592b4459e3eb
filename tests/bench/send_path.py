"""The window's real send path, beside bare httpx: Desk.send with the real HistoryStore (as the
window wires it), the cost of the httpx.Auth generator that attaches the token, and RSS over
thousands of sends (a leak check). Real parts: the pinned oidc-provider and the loopback API."""

from __future__ import annotations

import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.bench.harness import alternate, stats


def rss_kb() -> int:
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


async def bench_send_path(rounds: int, per_round: int, leak_sends: int) -> dict[str, Any]:
    import httpx

    from app.core import api_call
    from app.core.http_clients import HttpClients
    from app.core.profiles import Profile
    from app.core.request_spec import RequestSpec
    from app.core.secrets import SecretKind
    from app.core.token_manager import TokenManager
    from app.desk.desk import Desk
    from app.storage.history_store import HistoryStore
    from app.storage.profile_store import ProfileStore
    from tests.support import idp as idp_support
    from tests.support.memory_secrets import MemorySecretStore
    from tests.support.resource_server import ResourceServer

    work = Path(tempfile.mkdtemp(prefix="tokendesk-bench-send-"))
    idp = idp_support.start(work)
    api = ResourceServer(idp.issuer, idp_support.JWT_API).start()
    client = idp.clients["basic"]
    profile = Profile(
        name="bench",
        client_id=client.client_id,
        token_url=idp.token_endpoint,
        scopes=("api:read",),
        api_base_url=api.base,
    )
    secrets = MemorySecretStore()
    await secrets.set(profile.id, SecretKind.CLIENT_SECRET, client.secret or "")
    http = HttpClients()
    tokens = TokenManager(http, secrets, clock=lambda: datetime.now(UTC))
    history = HistoryStore(work / "data")
    desk = Desk(  # as app.desk.wiring builds it for the window
        store=ProfileStore(work / "config"),
        secrets=secrets,
        tokens=tokens,
        http=http,
        history=lambda: history,
        response_dir=work / "bodies",
    )
    bare = httpx.AsyncClient()
    try:
        token = await tokens.get_token(profile)
        header = {"Authorization": f"Bearer {token.access_token}"}
        url = f"{api.base}/orders"

        async def window_get() -> None:
            await desk.send(profile, RequestSpec(url="/orders"))

        async def bare_get() -> None:
            response = await bare.get(url, headers=header)
            await response.aread()

        ours, base = await alternate(rounds, per_round, window_get, bare_get)
        history.flush()

        # The token through httpx's auth generator (as the window sends) or as a plain header.
        engine = http.get()
        body_path = work / "auth.body"

        async def with_auth_flow() -> None:
            auth = api_call.ProfileTokenAuth(lambda force: tokens.get_token(profile, force=force))
            await api_call.call(
                engine, engine.build_request("GET", url), auth=auth, seconds=30, body_path=body_path
            )

        async def plain_header() -> None:
            request = engine.build_request("GET", url, headers=header)
            await api_call.call(engine, request, auth=None, seconds=30, body_path=body_path)

        flow, plain = await alternate(rounds, per_round, with_auth_flow, plain_header)

        # RSS over many sends: the first third warms caches (SQLite's, httpx's pools), then
        # growth per request should be about nothing.
        marks = {0: rss_kb()}
        for i in range(1, leak_sends + 1):
            await window_get()
            if i in (leak_sends // 3, leak_sends):
                history.flush()
                marks[i] = rss_kb()
        warm, end = leak_sends // 3, leak_sends
        leak = {
            "sends": leak_sends,
            "rss_kb": marks,
            "growth_kb_per_request_after_warmup": (marks[end] - marks[warm]) / (end - warm),
        }
    finally:
        await bare.aclose()
        await http.aclose()
        history.close()
        api.stop()
        idp.stop()
    return {
        "window_get_s": {"tokendesk": stats(ours), "baseline": stats(base)},
        "auth_flow_get_s": {"tokendesk": stats(flow), "baseline": stats(plain)},
        "leak": leak,
        "measured_at": time.time(),
    }


def rows(r: dict[str, Any]) -> list[tuple[str, str, str, str, bool]]:
    """The harness's table rows for this bench's result (r: the harness's results)."""
    rows = []
    window = r["send_path"]["window_get_s"]
    ours, base = window["tokendesk"]["median"], window["baseline"]["median"]
    rows.append(
        (
            "authenticated GET, the window's path (history on)",
            f"{ours * 1000:.2f} ms",
            f"{base * 1000:.2f} ms (bare httpx)",
            f"≤ 1.20× ({ours / base:.2f}×)",
            ours <= 1.2 * base,
        )
    )
    flow = r["send_path"]["auth_flow_get_s"]
    ours, base = flow["tokendesk"]["median"], flow["baseline"]["median"]
    rows.append(
        (
            "token via httpx.Auth generator vs a plain header",
            f"{ours * 1000:.2f} ms",
            f"{base * 1000:.2f} ms",
            f"report only ({ours / base:.2f}×)",
            True,
        )
    )
    leak = r["send_path"]["leak"]
    growth = leak["growth_kb_per_request_after_warmup"]
    rows.append(
        (
            f"RSS over {leak['sends']:,} sends (after the first third)",
            f"{growth:+.2f} KB/request",
            f"{leak['rss_kb']['0'] / 1024:.0f} MB at start",
            "≤ 0.5 KB/request",
            growth <= 0.5,
        )
    )
    return rows
