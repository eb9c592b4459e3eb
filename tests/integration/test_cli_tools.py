"""The command line as other tools use it (issue 16): the cached-token path, one-shot tokens,
`exec`, the local proxy, completion and saved requests. Real `tokendesk` processes, the real
keychain, oidc-provider and the resource server."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from app.core.profiles import Profile
from app.core.request_spec import RequestSpec
from tests.integration.test_cli import Cli, add
from tests.support.fault_server import FaultServer
from tests.support.idp import JWT_API, IdentityServer
from tests.support.resource_server import ResourceServer

pytestmark = [pytest.mark.idp, pytest.mark.keychain]
API_FLAGS = ("--scope", "api:read api:write", "--resource", JWT_API)


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


def imported(cli: Cli, *args: str, env: dict[str, str] | None = None) -> set[str]:
    """The modules a real run imports (python -X importtime), and checks it printed a token."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "app", *args],
        capture_output=True, text=True, env=env or cli.env, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return {
        line.split("|")[-1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    }


def test_a_cached_token_is_served_without_asyncio_httpx_jwt_or_keyring(
    cli: Cli, idp: IdentityServer
) -> None:
    add(cli, idp, "Fast", "basic", "--scope", "api:read")
    token = cli("token", "Fast").stdout
    for form in ((), ("--header",), ("--json",)):
        full = cli("token", "Fast", *form, env={**cli.env, "PYTHON_KEYRING_BACKEND": ""})
        fast = cli("token", "fast", *form)
        assert fast.returncode == 0, fast.stderr
        assert fast.stdout == full.stdout  # the same answer, whichever path
    assert cli("token", "Fast").stdout == token
    loaded = imported(cli, "token", "Fast")
    assert "secretstorage" in loaded
    assert not loaded & {"asyncio", "httpx", "jwt", "keyring", "app.core.token_manager"}
    # keyring configured to choose its backend otherwise: the full path decides.
    other = {**cli.env, "PYTHON_KEYRING_BACKEND": "keyring.backends.SecretService.Keyring"}
    assert "keyring" in imported(cli, "token", "Fast", env=other)
    assert "asyncio" in imported(cli, "token", "Fast", "--fresh")


def test_the_cached_path_does_not_serve_a_token_for_other_settings(
    cli: Cli, idp: IdentityServer
) -> None:
    add(cli, idp, "Scoped", "basic", "--scope", "api:read")
    first = json.loads(cli("token", "Scoped", "--json").stdout)
    cli("profile", "edit", "Scoped", "--scope", "api:read api:write")
    second = json.loads(cli("token", "Scoped", "--json").stdout)
    assert second["access_token"] != first["access_token"]
    assert sorted(second["scopes"]) == ["api:read", "api:write"]


def test_one_shot_token_needs_no_profile_and_no_keychain(
    cli: Cli, idp: IdentityServer, tmp_path: Path
) -> None:
    spec = idp.clients["weird"]
    no_keychain = {k: v for k, v in cli.env.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    base = ["token", "--token-url", idp.token_endpoint, "--client-id", spec.client_id]
    piped = cli(*base, "--scope", "api:read", "--json", stdin=spec.secret, env=no_keychain)
    assert piped.returncode == 0, piped.stderr
    assert json.loads(piped.stdout)["scopes"] == ["api:read"]
    by_env = cli(*base, "--secret-env", "CI_SECRET", "--header",
                 env={**no_keychain, "CI_SECRET": spec.secret or ""})  # fmt: skip
    assert by_env.returncode == 0, by_env.stderr
    assert by_env.stdout.startswith("Authorization: Bearer ")
    post = idp.clients["post"]
    issuer = cli("token", "--issuer", idp.issuer, "--client-id", post.client_id,
                 "--resource", JWT_API, stdin=post.secret, env=no_keychain)  # fmt: skip
    assert issuer.returncode == 0, issuer.stderr
    wrong = cli(*base, stdin="nope", env=no_keychain)
    assert wrong.returncode == 1
    assert "did not accept the client ID or secret" in wrong.stderr
    assert cli(*base, "--secret-env", "UNSET_VAR", env=no_keychain).returncode == 2
    assert cli("token", "--client-id", "x", stdin="s").returncode == 2  # no URL
    assert not any(p.is_file() for p in tmp_path.rglob("*"))  # nothing stored anywhere


def test_exec_puts_the_token_in_the_environment_and_passes_the_exit_status(
    cli: Cli, idp: IdentityServer
) -> None:
    add(cli, idp, "Env", "basic")
    token = cli("token", "Env").stdout.strip()
    child = (
        "import os, sys, json; print(json.dumps([os.environ['TOKEN'], "
        "os.environ['TOKENDESK_AUTHORIZATION'], sys.argv])); sys.exit(7)"
    )
    result = cli("exec", "Env", "--", sys.executable, "-c", child, "arg one")
    assert result.returncode == 7
    seen_token, authorization, argv = json.loads(result.stdout)
    assert seen_token == token
    assert authorization == f"Bearer {token}"
    assert token not in " ".join(argv)
    missing = cli("exec", "Env", "--", "/nonexistent/program")
    assert missing.returncode == 127
    assert "could not be started" in missing.stderr


class Proxy:
    def __init__(self, cli: Cli, name: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app", "proxy", name],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli.env,
        )  # fmt: skip
        assert self.process.stdout is not None
        self.base = self.process.stdout.readline().strip()

    def peak_rss_kb(self) -> int:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(next(line.split()[1] for line in status.splitlines() if "VmHWM" in line))

    def stop(self) -> tuple[int, str, str]:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        out, err = self.process.communicate(timeout=20)
        return self.process.returncode, out, err


@pytest.fixture
def proxied(cli: Cli, idp: IdentityServer, api: ResourceServer) -> Iterator[Proxy]:
    add(cli, idp, "Orders API", "basic", *API_FLAGS, "--api-base", api.base)
    proxy = Proxy(cli, "Orders API")
    yield proxy
    proxy.stop()


def test_the_proxy_forwards_with_the_token_and_refuses_without_the_key(
    proxied: Proxy, api: ResourceServer
) -> None:
    base = proxied.base
    assert base.startswith("http://127.0.0.1:")
    key = base.rstrip("/").rsplit("/", 1)[1]
    assert len(key) >= 20
    port = base.split(":")[2].split("/")[0]
    seen_before = len(api.seen_authorization)
    with httpx.Client(timeout=30) as client:
        assert client.get(f"http://127.0.0.1:{port}/orders").status_code == 403
        assert client.get(f"http://127.0.0.1:{port}/wrong-key/orders").status_code == 403
        assert client.get(f"http://127.0.0.1:{port}/{key[:-1]}/orders").status_code == 403
        assert len(api.seen_authorization) == seen_before  # never forwarded
        answer = client.get(base + "orders", headers={"Authorization": "Bearer forged"})
        assert answer.status_code == 200
        assert answer.json()["orders"][0]["item"] == "Widget"
        created = client.post(base + "orders", json={"item": "Gizmo"})
        assert created.status_code == 201
        assert created.json() == {"created": {"item": "Gizmo"}}
        assert api.seen_authorization[-1] != "Bearer forged"
        token = (api.seen_authorization[-1] or "").removeprefix("Bearer ")
        # The API starts refusing every token issued so far: one renewal, one retry.
        httpx.post(f"{api.base}/_control/reject-before-now")
        time.sleep(1.1)  # the API counts whole seconds: the next token is issued after it
        renewed = client.get(base + "orders?page=2")
        assert renewed.status_code == 200
    code, out, err = proxied.stop()
    assert code == 0
    assert "Stopped" in err
    lines = out.splitlines()
    assert any(line.startswith("GET (without the access key) 403") for line in lines)
    assert any(line.startswith("GET /orders 200 ") for line in lines)
    assert any(line.startswith("POST /orders 201 ") for line in lines)
    assert any(line.startswith("GET /orders?page=2 200 ") for line in lines)
    assert token
    assert token not in out + err
    assert key not in "\n".join(lines[1:])


class CountingApi:
    """An upstream that counts the request body it receives, 64 KB at a time."""

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                left, received = int(self.headers.get("Content-Length", "0")), 0
                while left > 0:
                    chunk = self.rfile.read(min(65536, left))
                    if not chunk:
                        break
                    left -= len(chunk)
                    received += len(chunk)
                answer = json.dumps(
                    {"received": received, "authorization": self.headers.get("Authorization")}
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_fifty_megabytes_stream_through_the_proxy_both_ways(
    proxied: Proxy, cli: Cli, idp: IdentityServer
) -> None:
    before = proxied.peak_rss_kb()
    received = 0
    with (
        httpx.Client(timeout=60) as client,
        client.stream("GET", proxied.base + "big?mb=50") as answer,
    ):
        assert answer.status_code == 200
        for chunk in answer.iter_raw():
            received += len(chunk)
    assert received >= 50 * 1024 * 1024
    assert proxied.peak_rss_kb() - before < 40 * 1024  # never 50 MB at once in the proxy

    upstream = CountingApi()
    add(cli, idp, "Uploads", "basic", *API_FLAGS, "--api-base", upstream.base)
    uploads = Proxy(cli, "Uploads")
    try:
        start = uploads.peak_rss_kb()

        def upload() -> Iterator[bytes]:
            for _ in range(50):
                yield b"x" * (1024 * 1024)

        size = str(50 * 1024 * 1024)
        sent = httpx.post(
            uploads.base + "files", content=upload(), headers={"Content-Length": size}, timeout=60
        )
        assert sent.status_code == 200, sent.text
        assert sent.json()["received"] == 50 * 1024 * 1024
        assert sent.json()["authorization"].startswith("Bearer ")
        assert uploads.peak_rss_kb() - start < 40 * 1024
    finally:
        uploads.stop()
        upstream.stop()


def test_the_proxy_needs_an_api_base(cli: Cli, idp: IdentityServer) -> None:
    add(cli, idp, "No base", "basic")
    result = cli("proxy", "No base")
    assert result.returncode == 2
    assert "has no API base URL" in result.stderr


@pytest.mark.parametrize("name", ["Orders API", "Café — Ü 東京 🚀", 'it\'s "quoted"'])
def test_bash_completion_completes_names_quoted_correctly(
    cli: Cli, idp: IdentityServer, name: str
) -> None:
    add(cli, idp, name, "basic")
    add(cli, idp, "Other", "basic")
    script = cli("completion", "bash").stdout
    assert "complete -F _tokendesk tokendesk" in script
    bin_dir = str(Path(sys.executable).parent)
    typed = name[:3]
    probe = (
        f"{script}\nCOMP_WORDS=(tokendesk token {typed!r}); COMP_CWORD=2; _tokendesk\n"
        'for r in "${COMPREPLY[@]}"; do printf "%s\\n" "$r"; eval "x=$r"; printf "%s\\0" "$x"; done'
    )
    result = subprocess.run(
        ["bash", "-c", probe], capture_output=True, text=True, timeout=30, check=False,
        env={**cli.env, "PATH": bin_dir + os.pathsep + os.environ["PATH"]},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    words = [w.split("\n", 1)[1] if "\n" in w else w for w in result.stdout.split("\0") if w]
    assert words == [name]  # one word, exactly the name, after the shell unquotes it
    for shell in ("zsh", "fish"):
        assert "--complete-names" in cli("completion", shell).stdout


def _save_request(cli: Cli, profile_name: str, title: str, spec: RequestSpec) -> None:
    from app.desk.wiring import open_desk

    async def go() -> None:
        desk = open_desk(
            Path(cli.env["XDG_CONFIG_HOME"]) / "tokendesk",
            Path(cli.env["XDG_DATA_HOME"]) / "tokendesk",
        )
        try:
            profile: Profile = desk.find(profile_name)
            await desk.save_request(profile, title, spec)
        finally:
            await desk.shutdown()

    asyncio.run(go())


def test_request_list_and_send(
    cli: Cli, idp: IdentityServer, api: ResourceServer, faults: FaultServer
) -> None:
    add(cli, idp, "Shop", "basic", *API_FLAGS, "--api-base", api.base, "--var", "what=orders")
    _save_request(cli, "Shop", "List orders", RequestSpec(url="{{what}}"))
    _save_request(cli, "Shop", "Admin", RequestSpec(url="admin"))
    _save_request(cli, "Shop", "Elsewhere", RequestSpec(url=faults.url("/echo")))
    listing = cli("request", "list", "Shop")
    assert any(line.startswith("List orders  GET") for line in listing.stdout.splitlines())
    assert len(listing.stdout.splitlines()) == 3
    sent = cli("request", "send", "Shop", "list")
    assert sent.returncode == 0, sent.stderr
    assert json.loads(sent.stdout)["orders"][0]["item"] == "Widget"
    included = cli("request", "send", "Shop", "List orders", "--include")
    head, _, body = included.stdout.partition("\n\n")
    assert head.startswith("HTTP/1.1 200 OK")
    assert "content-type: application/json" in head.lower()
    assert json.loads(body)["orders"]
    missing = cli("request", "send", "Shop", "List orders", "--var", "what=nothing")
    assert missing.returncode == 1  # a 404
    assert cli("request", "send", "Shop", "Admin").returncode == 1  # 403
    refused = cli("request", "send", "Shop", "Elsewhere")
    assert refused.returncode == 2
    assert "--allow-host" in refused.stderr
    host = faults.url("/").split("://")[1].strip("/")
    allowed = cli("request", "send", "Shop", "Elsewhere", "--allow-host", host)
    assert allowed.returncode == 0, allowed.stderr
    assert cli("request", "send", "Shop", "nothing like it").returncode == 2

    # A damaged history: set aside and said on stderr; one that cannot be opened: a sentence.
    data = Path(cli.env["XDG_DATA_HOME"]) / "tokendesk"
    for leftover in data.glob("history.sqlite3*"):
        leftover.unlink()
    (data / "history.sqlite3").write_bytes(b"not a database " * 300)
    damaged = cli("request", "list", "Shop")
    assert damaged.returncode == 0, damaged.stderr
    assert "damaged, so a new history was started" in damaged.stderr
    assert "has no saved requests" in damaged.stderr
    for leftover in data.glob("history.sqlite3*"):
        leftover.unlink()
    (data / "history.sqlite3").mkdir()
    unopenable = cli("request", "list", "Shop")
    assert unopenable.returncode == 1
    assert "cannot be opened" in unopenable.stderr
    assert "Traceback" not in unopenable.stderr
