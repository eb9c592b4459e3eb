"""OpenAPI and Insomnia imports with real parts: an OpenAPI file served over HTTP and fetched by
the Desk, a token from the real identity server and a 200 from the real resource server; the
Insomnia export of the same collection newman runs, sending what newman sent; no imported secret
in any file Tokendesk wrote; bad addresses give a plain message and write nothing."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.core.errors import ImportSourceError, TokendeskError
from app.core.request_spec import AuthMode
from app.core.secrets import SecretKind
from app.desk.wiring import open_desk
from app.importers import common, read_sources
from app.storage.secrets import KeyringSecretStore
from tests.integration.test_import_postman import API_KEY, send_like_tokendesk, settings
from tests.support import peers
from tests.support.idp import IdentityServer
from tests.support.memory_secrets import MemorySecretStore
from tests.support.recording_api import Recorded, RecordingApi
from tests.support.resource_server import ResourceServer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"


class DocumentServer:
    """Serves documents by path on 127.0.0.1, as a vendor's site serves its OpenAPI file."""

    def __init__(self) -> None:
        self.documents: dict[str, tuple[int, str, bytes]] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, kind, body = server.documents.get(self.path, (404, "text/plain", b"no"))
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def documents() -> Iterator[DocumentServer]:
    server = DocumentServer()
    yield server
    server.stop()


def orders_api(api_base: str, token_url: str) -> dict[str, Any]:
    """The orders fixture pointed at the test servers, asking for the scopes they know."""
    spec: dict[str, Any] = yaml.safe_load((FIXTURES / "orders-api.yaml").read_text())
    spec["servers"] = [{"url": api_base, "description": "Local"}]
    flow = spec["components"]["securitySchemes"]["orders_oauth"]["flows"]["clientCredentials"]
    flow["tokenUrl"] = token_url
    flow["scopes"] = {"api:read": "Read", "api:write": "Write"}
    listing = spec["paths"]["/orders"]["get"]
    listing["security"] = [{"orders_oauth": ["api:read"]}]
    listing["parameters"] = [p for p in listing["parameters"] if p.get("in") != "header"]
    return spec


def written_files(*roots: Path) -> list[Path]:
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]


@pytest.mark.idp
@pytest.mark.keychain
def test_openapi_from_an_address_gets_a_token_and_a_200(
    tmp_path: Path, idp: IdentityServer, api: ResourceServer, documents: DocumentServer
) -> None:
    """Fetched by the Desk from a URL; the person adds the client ID and secret; the imported
    “List orders” template goes out with a token from the identity server and gets 200."""
    client = idp.clients["basic"]
    assert client.secret is not None
    body = yaml.safe_dump(orders_api(api.base, idp.token_endpoint), sort_keys=False).encode()
    documents.documents["/v2/openapi.yaml"] = (200, "application/yaml", body)
    config, data = tmp_path / "config", tmp_path / "data"

    async def scenario() -> tuple[int, str, str]:
        secrets = KeyringSecretStore()
        desk = open_desk(config, data, secrets=secrets)
        try:
            plan = await desk.read_import_url(f"{documents.base}/v2/openapi.yaml")
            assert plan.summary() == "1 profile, 6 requests, 0 environments"
            report = await desk.apply_import(plan)
            assert report.created == ("Orders API",)
            profile = desk.find("Orders API")
            assert profile.scopes == ("api:read", "api:write")
            filled = profile.with_changes(client_id=client.client_id)
            await desk.save_profile(filled, secret=client.secret)
            saved = {s.name: s for s in desk.saved_requests(profile.id)}
            listing = saved["Orders / List orders"]
            assert listing.note.startswith("needs api:read")
            assert listing.spec.auth is AuthMode.PROFILE
            response = await desk.send(filled, listing.spec)
            token = await desk.get_token(filled)
            return response.status, token.access_token, client.secret or ""
        finally:
            await desk.shutdown()

    status, access_token, secret = asyncio.run(scenario())
    assert status == 200
    assert api.seen_authorization[-1] == f"Bearer {access_token}"
    files = written_files(config, data)
    assert any(p.name == "profiles.json" for p in files)
    for path in files:
        content = path.read_bytes()
        for value in (secret, access_token):
            assert value.encode() not in content, f"{path} holds a secret"


def test_insomnia_export_sends_what_newman_sent(tmp_path: Path) -> None:
    """The Insomnia v4 export of the collection make_postman.mjs writes: every request Tokendesk
    sends from it equals newman's from the Postman collection (method, path, query, headers
    apart from auth and user agent, body)."""
    recorder = RecordingApi().start()
    try:
        values = settings(
            recorder.base, f"{recorder.base}/token", "orders-client", "s3cr3t-value", "api:read"
        )
        collection, environment = peers.make_postman(tmp_path, values)
        ran = peers.newman(collection, environment)
        assert ran.returncode == 0, ran.stdout + ran.stderr
        by_newman = recorder.take()

        export = json.loads((FIXTURES / "insomnia-v4-orders.json").read_text())
        staging = next(r for r in export["resources"] if r["_id"] == "env_staging_2b7")
        staging["data"] = values
        path = tmp_path / "insomnia.json"
        path.write_text(json.dumps(export))
        send_like_tokendesk(read_sources([path]), "Staging")
        by_insomnia = recorder.take()
    finally:
        recorder.stop()

    def comparable(seen: list[Recorded]) -> list[tuple[object, ...]]:
        # The API key is auth Tokendesk keeps without (reported in the plan), like Authorization.
        kept = []
        for record in seen:
            method, path, query, headers, body = record.comparable()
            assert isinstance(headers, tuple)
            kept.append(
                (method, path, query, tuple(h for h in headers if h[0] != "x-legacy-key"), body)
            )
        return kept

    assert len(by_newman) == 5
    assert comparable(by_insomnia) == comparable(by_newman)


@pytest.mark.keychain
def test_insomnia_secrets_reach_the_keychain_and_no_file(tmp_path: Path) -> None:
    """Both sub-environments' client secrets are in the real keychain under their environment;
    no file Tokendesk wrote holds one; the source file is unchanged."""
    source = FIXTURES / "insomnia-v5-orders.yaml"
    before = source.read_bytes()
    config, data = tmp_path / "config", tmp_path / "data"

    async def scenario() -> dict[str, str | None]:
        secrets = KeyringSecretStore()
        desk = open_desk(config, data, secrets=secrets)
        try:
            await desk.apply_import(desk.read_import([source]))
            profile = desk.find("Orders API")
            found = {}
            for env in ("Production", "Staging"):
                owner = desk.in_environment(profile, env).id
                found[env] = await secrets.get(owner, SecretKind.CLIENT_SECRET)
            await desk.delete_profile(profile)  # leaves the shared keychain as it was
            return found
        finally:
            await desk.shutdown()

    found = asyncio.run(scenario())
    assert found == {"Production": "prod-secret-5f2a", "Staging": "staging-secret-71c"}
    assert source.read_bytes() == before
    for path in written_files(config, data):
        content = path.read_bytes()
        for value in ("prod-secret-5f2a", "staging-secret-71c"):
            assert value.encode() not in content, f"{path} holds a secret"


@pytest.mark.parametrize(
    ("path", "document", "message"),
    [
        ("/missing.yaml", None, "answered 404"),
        ("/docs", (200, "text/html", b"<html><h1>Our API</h1></html>"), "does not serve"),
        ("/loop.json", None, "refers to itself in a loop"),
        ("/big.yaml", (200, "application/yaml", b"openapi: 3.1.0\n" + b"#" * 5000), "too large"),
    ],
)
def test_bad_addresses_give_a_plain_message_and_write_nothing(  # noqa: PLR0917 - parametrized
    tmp_path: Path,
    documents: DocumentServer,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    document: tuple[int, str, bytes] | None,
    message: str,
) -> None:
    monkeypatch.setattr(common, "MAX_BYTES", 4096)
    loop = {"openapi": "3.0.3", "info": {"title": "Loop"}, "paths": {"/a": {"$ref": "#/x"}}}
    loop["x"] = {"$ref": "#/paths/~1a"}
    documents.documents["/loop.json"] = (200, "application/json", json.dumps(loop).encode())
    if document is not None:
        documents.documents[path] = document
    config, data = tmp_path / "config", tmp_path / "data"

    async def scenario() -> TokendeskError:
        desk = open_desk(config, data, secrets=MemorySecretStore())
        try:
            with pytest.raises(ImportSourceError, match=message) as caught:
                await desk.read_import_url(documents.base + path)
            return caught.value
        finally:
            await desk.shutdown()

    error = asyncio.run(scenario())
    assert error.hint.startswith("Nothing was imported")
    assert written_files(config, data) == []


def test_unreachable_address_is_a_network_error(tmp_path: Path) -> None:
    async def scenario() -> str:
        desk = open_desk(tmp_path / "c", tmp_path / "d", secrets=MemorySecretStore())
        try:
            with pytest.raises(TokendeskError) as caught:
                await desk.read_import_url("http://127.0.0.1:9/openapi.json")
            return caught.value.message
        finally:
            await desk.shutdown()

    assert "Nothing is answering" in asyncio.run(scenario())


def test_api_key_constant_is_shared() -> None:
    """The Insomnia fixture's Staging key is the one the Postman oracle uses."""
    export = json.loads((FIXTURES / "insomnia-v4-orders.json").read_text())
    staging = next(r for r in export["resources"] if r["_id"] == "env_staging_2b7")
    assert staging["data"]["apiKey"] == API_KEY
