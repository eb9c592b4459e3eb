"""`make bench`: Tokendesk's figures side by side with their baselines, measured in the same run
(alternating A/B over several rounds; median and spread), printed as a table and written to
bench/results.json. Real parts: the pinned oidc-provider and a loopback API process.

    python -m tests.bench.harness [--tiny]

--tiny runs one small round of everything, to prove the harness still works (the test suite
does this); it is not a measurement. Budgets are reported, never enforced as pass/fail.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BARE_WINDOW = Path(__file__).with_name("bare_window.py")
TOKENDESK_WINDOW = Path(__file__).with_name("tokendesk_window.py")


def expired_jwt() -> str:
    """A JWT-shaped token whose exp passed yesterday (never sent: it is expired)."""
    import base64

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    yesterday = int(time.time()) - 86400
    return f"{part({'alg': 'RS256'})}.{part({'exp': yesterday, 'iat': yesterday - 60})}.sig"


def stats(values: list[float]) -> dict[str, float]:
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "n": len(values),
    }


class Env:
    """Isolated dirs and no keychain for the processes the harness starts."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="tokendesk-bench-"))
        self.vars = {
            **os.environ,
            "XDG_CONFIG_HOME": str(self.root / "config"),
            "XDG_DATA_HOME": str(self.root / "data"),
            "XDG_RUNTIME_DIR": str(self.root),
            "QT_QPA_PLATFORM": "offscreen",
            "DBUS_SESSION_BUS_ADDRESS": f"unix:path={self.root}/no-bus",
        }
        self.vars.pop("DISPLAY", None)


def launch(command: list[str], env: dict[str, str]) -> dict[str, float]:
    started = time.time()
    result = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=120, check=False
    )
    line = next((x for x in result.stdout.splitlines() if x.startswith("{")), None)
    if line is None:
        raise RuntimeError(f"{command[0]} did not report: {result.stderr[-800:]}")
    data = json.loads(line)
    return {
        "first_paint_s": data["painted_at"] - started,
        "peak_rss_mb": data["peak_rss_kb"] / 1024,
        "idle_rss_mb": data["idle_rss_kb"] / 1024,
    }


def bench_start(rounds: int) -> dict[str, Any]:
    env = Env()
    tokendesk = [sys.executable, str(TOKENDESK_WINDOW)]
    bare = [sys.executable, str(BARE_WINDOW)]
    ours: list[dict[str, float]] = []
    base: list[dict[str, float]] = []
    for _ in range(rounds):  # alternating A/B so drift hits both alike
        base.append(launch(bare, env.vars))
        ours.append(launch(tokendesk, env.vars))
    result = {}
    for key in ("first_paint_s", "peak_rss_mb", "idle_rss_mb"):
        result[key] = {
            "tokendesk": stats([r[key] for r in ours]),
            "baseline": stats([r[key] for r in base]),
        }
    return result


async def alternate(
    rounds: int,
    per_round: int,
    ours: Callable[[], Awaitable[Any]],
    base: Callable[[], Awaitable[Any]],
) -> tuple[list[float], list[float]]:
    """Per-call seconds for `ours` and `base`, alternating in batches."""
    mine: list[float] = []
    theirs: list[float] = []
    for _ in range(rounds):
        for run, sink in ((base, theirs), (ours, mine)):
            for _ in range(per_round):
                started = time.perf_counter()
                await run()
                sink.append(time.perf_counter() - started)
    return mine, theirs


async def bench_network(rounds: int, per_round: int) -> dict[str, Any]:
    import httpx

    from app.core import client_auth, oauth
    from app.core.http_clients import HttpClients
    from app.core.profiles import Profile
    from app.core.request_spec import RequestSpec
    from app.core.secrets import SecretKind
    from app.core.token_manager import TokenManager
    from app.desk.api import ApiSender
    from tests.support import idp as idp_support
    from tests.support.memory_secrets import MemorySecretStore
    from tests.support.resource_server import ResourceServer
    from tests.support.token_events import FetchCounter

    work = Path(tempfile.mkdtemp(prefix="tokendesk-bench-net-"))
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
    sender = ApiSender(http, tokens, response_dir=work / "bodies")
    bare = httpx.AsyncClient()
    try:
        creds = client_auth.Credentials(client_secret=client.secret)
        engine_client = http.get()

        async def engine_fetch() -> None:
            await oauth.request_token(
                engine_client,
                profile,
                creds,
                token_endpoint=idp.token_endpoint,
                now=datetime.now(UTC),
            )

        async def bare_fetch() -> None:
            response = await bare.post(
                idp.token_endpoint,
                data={"grant_type": "client_credentials", "scope": "api:read"},
                auth=(client.client_id, client.secret or ""),
            )
            response.json()["access_token"]

        fetch_ours, fetch_base = await alternate(rounds, per_round, engine_fetch, bare_fetch)

        token = await tokens.get_token(profile)
        header = {"Authorization": f"Bearer {token.access_token}"}

        async def composer_get() -> None:
            await sender.send(profile, RequestSpec(url="/orders"))

        async def bare_get() -> None:
            response = await bare.get(f"{api.base}/orders", headers=header)
            await response.aread()

        get_ours, get_base = await alternate(rounds, per_round, composer_get, bare_get)

        # 100 concurrent sends with an expired token: how many token requests?
        expired = Profile(
            name="expired",
            client_id=client.client_id,
            token_url=idp.token_endpoint,
            scopes=("api:read",),
            api_base_url=api.base,
        )
        await secrets.set(expired.id, SecretKind.CLIENT_SECRET, client.secret or "")
        fresh_tokens = TokenManager(http, secrets, clock=lambda: datetime.now(UTC))
        fetches = FetchCounter(fresh_tokens)
        await fresh_tokens.set_pasted(expired, expired_jwt())
        fresh_sender = ApiSender(http, fresh_tokens, response_dir=work / "b2")
        answers = [
            a
            for a, _ in await asyncio.gather(
                *(fresh_sender.send(expired, RequestSpec(url="/orders")) for _ in range(100))
            )
        ]
        concurrent = {
            "token_requests": fetches.count,
            "all_ok": all(a.status == 200 for a in answers),
        }
    finally:
        await bare.aclose()
        await http.aclose()
        api.stop()
        idp.stop()
    return {
        "token_fetch_s": {"tokendesk": stats(fetch_ours), "baseline": stats(fetch_base)},
        "authenticated_get_s": {"tokendesk": stats(get_ours), "baseline": stats(get_base)},
        "concurrent_expired": concurrent,
    }


def bench_viewer(sizes: list[float]) -> dict[str, Any]:
    """Runs in a child process with its own QApplication (see viewer_probe.py)."""
    results: dict[str, Any] = {}
    for size in sizes:
        out = subprocess.run(
            [sys.executable, "-m", "tests.bench.viewer_probe", str(size)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=600,
            check=False,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        )
        line = next((x for x in out.stdout.splitlines() if x.startswith("{")), None)
        if line is None:
            raise RuntimeError(f"viewer probe failed: {out.stderr[-1500:]}")
        results[f"{size:g} MB"] = json.loads(line)
    return results


def bench_history(entries: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "tests.bench.history_probe", str(entries)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    line = next((x for x in out.stdout.splitlines() if x.startswith("{")), None)
    if line is None:
        raise RuntimeError(f"history probe failed: {out.stderr[-1500:]}")
    return json.loads(line)


def bench_formatter(megabytes: float) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "tests.bench.format_probe", str(megabytes)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        check=False,
    )
    line = next((x for x in out.stdout.splitlines() if x.startswith("{")), None)
    if line is None:
        raise RuntimeError(f"format probe failed: {out.stderr[-1500:]}")
    return dict(json.loads(line))


def verdicts(r: dict[str, Any]) -> list[tuple[str, str, str, str, bool]]:
    """(figure, tokendesk, baseline, budget, held)."""
    rows = []
    start = r["start"]
    ours, base = (
        start["first_paint_s"]["tokendesk"]["median"],
        start["first_paint_s"]["baseline"]["median"],
    )
    rows.append(
        (
            "cold start to first paint",
            f"{ours * 1000:.0f} ms",
            f"{base * 1000:.0f} ms",
            f"≤ 1.5× ({ours / base:.2f}×)",
            ours <= 1.5 * base,
        )
    )
    idle = start["idle_rss_mb"]["tokendesk"]["median"]
    peak = start["peak_rss_mb"]["tokendesk"]["median"]
    rows.append(
        (
            "RSS after start (idle / peak)",
            f"{idle:.0f} / {peak:.0f} MB",
            f"{start['idle_rss_mb']['baseline']['median']:.0f} / "
            f"{start['peak_rss_mb']['baseline']['median']:.0f} MB",
            "≤ 150 MB idle",
            idle <= 150,
        )
    )
    for key, name in (
        ("token_fetch_s", "token fetch (warm client)"),
        ("authenticated_get_s", "authenticated GET via composer path"),
    ):
        ours, base = (
            r["network"][key]["tokendesk"]["median"],
            r["network"][key]["baseline"]["median"],
        )
        rows.append(
            (
                name,
                f"{ours * 1000:.2f} ms",
                f"{base * 1000:.2f} ms",
                f"≤ 1.10× ({ours / base:.2f}×)",
                ours <= 1.10 * base,
            )
        )
    concurrent = r["network"]["concurrent_expired"]
    rows.append(
        (
            "100 concurrent sends, expired token",
            f"{concurrent['token_requests']} token request(s)",
            "—",
            "exactly 1",
            concurrent["token_requests"] == 1 and concurrent["all_ok"],
        )
    )
    for size, v in r["viewer"].items():
        rows.append(
            (
                f"{size} JSON in the viewer",
                f"first screen {v['first_screen_s'] * 1000:.0f} ms, "
                f"formatted {v['formatted_s']:.2f} s, stall {v['longest_stall_s'] * 1000:.0f} ms",
                f"loads+dumps {v['baseline_s']:.2f} s",
                "first < 0.5 s, stall < 50 ms",
                v["first_screen_s"] < 0.5 and v["longest_stall_s"] < 0.05,
            )
        )
    from tests.bench import format_probe, send_path

    rows.extend(send_path.rows(r))
    rows.extend(format_probe.rows(r["formatter"]))
    h = r["history"]
    rows.append(
        (
            f"{h['entries']:,} history entries: open the view",
            f"{h['open_s'] * 1000:.0f} ms",
            "—",
            "< 200 ms",
            h["open_s"] < 0.2,
        )
    )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tiny", action="store_true", help="one small round: proves it works")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args()
    rounds, per_round = (1, 5) if args.tiny else (7, 100)
    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        ),
        "tiny": args.tiny,
    }
    print("Measuring start-up…", flush=True)
    results["start"] = bench_start(2 if args.tiny else rounds)
    print("Measuring token fetch and API calls…", flush=True)
    results["network"] = asyncio.run(bench_network(rounds, per_round))
    print("Measuring the window's send path (history on) and RSS over many sends…", flush=True)
    from tests.bench.send_path import bench_send_path

    sends = 30 if args.tiny else 3000
    results["send_path"] = json.loads(
        json.dumps(asyncio.run(bench_send_path(rounds, per_round, sends)))  # int keys → str
    )
    print("Measuring the formatter…", flush=True)
    results["formatter"] = bench_formatter(0.5 if args.tiny else 50)
    print("Measuring the response viewer…", flush=True)
    results["viewer"] = bench_viewer([0.5] if args.tiny else [1, 10, 50])
    print("Measuring the history view…", flush=True)
    results["history"] = bench_history(500 if args.tiny else 10_000)
    print("Measuring `tokendesk token NAME` with a cached token…", flush=True)
    from tests.bench.cached_token import bench_cached_token, cached_token_row

    results["cached_token"] = bench_cached_token(1 if args.tiny else rounds, 3 if args.tiny else 10)
    rows = [*verdicts(results), cached_token_row(results["cached_token"])]
    results["table"] = [
        dict(zip(("figure", "tokendesk", "baseline", "budget", "held"), row, strict=True))
        for row in rows
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    width = max(len(row[0]) for row in rows)
    mode = " (tiny mode: not a measurement)" if args.tiny else ""
    print(f"\nTokendesk benchmarks — {results['machine']}{mode}")
    for figure, ours, base, budget, held in rows:
        mark = "ok  " if held else "MISS"
        print(f"{mark} {figure:<{width}}  {ours:<52} baseline {base:<22} budget {budget}")
    print(f"\nWritten to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
