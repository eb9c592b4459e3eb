"""Stage 2 against a real resource server that checks the real identity server's JWTs."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote, quote_plus

import httpx
import pytest

from app.core.api_call import ApiResponse, explain, parse_challenges
from app.core.api_response import IN_MEMORY
from app.core.curl import from_curl
from app.core.errors import ConsentNeeded
from app.core.http_clients import HttpClients
from app.core.profiles import Profile
from app.core.request_spec import AuthMode, Body, BodyKind, RequestSpec, Row
from app.core.secrets import SecretKind
from app.core.token_manager import TokenManager
from app.desk import Desk
from app.storage.history_store import HistoryStore
from app.storage.profile_store import ProfileStore
from tests.support.idp import IdentityServer
from tests.support.memory_secrets import MemorySecretStore
from tests.support.resource_server import ResourceServer
from tests.support.token_events import FetchCounter

pytestmark = pytest.mark.idp
T = TypeVar("T")


def profile_for(idp: IdentityServer, api: ResourceServer) -> Profile:
    return Profile(
        name="Orders",
        client_id=idp.clients["basic"].client_id,
        token_url=idp.token_endpoint,
        scopes=("api:read", "api:write"),
        api_base_url=api.base,
        variables=(("order_id", "1"),),
    )


def run(
    idp: IdentityServer,
    profile: Profile,
    tmp_path: Path,
    scenario: Callable[[Desk, TokenManager], Awaitable[T]],
) -> T:
    async def go() -> T:
        secrets = MemorySecretStore()
        await secrets.set(profile.id, SecretKind.CLIENT_SECRET, idp.clients["basic"].secret or "")
        http = HttpClients()
        tokens = TokenManager(http, secrets, clock=lambda: datetime.now(UTC))
        desk = Desk(
            store=ProfileStore(tmp_path / "config"),
            secrets=secrets,
            tokens=tokens,
            http=http,
            history=lambda: HistoryStore(tmp_path / "data"),
            response_dir=tmp_path / "bodies",
        )
        try:
            return await scenario(desk, tokens)
        finally:
            await desk.shutdown()

    return asyncio.run(go())


def test_get_with_the_profile_token(
    idp: IdentityServer, api: ResourceServer, tmp_path: Path
) -> None:
    profile = profile_for(idp, api)

    async def scenario(sender: Desk, tokens: TokenManager) -> ApiResponse:
        return await sender.send(profile, RequestSpec(url="/orders"))

    response = run(idp, profile, tmp_path, scenario)
    assert response.status == 200
    assert b'"Widget"' in response.read()
    assert response.size == len(response.read())
    assert response.content is not None  # a small body: kept in memory, no file
    assert not response.body_path.exists()
    assert response.timing.total > 0
    assert response.timing.wait is not None
    assert not response.retried
    assert ("Authorization", "Bearer «redacted»") in response.request_headers


def test_token_rejected_server_side_is_refreshed_once_and_retried(
    idp: IdentityServer, api: ResourceServer, tmp_path: Path
) -> None:
    profile = profile_for(idp, api)

    async def scenario(sender: Desk, tokens: TokenManager) -> tuple[ApiResponse, int]:
        fetches = FetchCounter(tokens)
        await sender.send(profile, RequestSpec(url="/orders"))
        await asyncio.sleep(1.1)  # iat has one-second resolution
        async with httpx.AsyncClient() as control:
            await control.post(f"{api.base}/_control/reject-before-now")
        response = await sender.send(profile, RequestSpec(url="/orders"))
        return response, fetches.count

    response, token_requests = run(idp, profile, tmp_path, scenario)
    assert response.status == 200
    assert response.retried
    assert response.first_challenge["error"] == "invalid_token"
    assert token_requests == 2
    assert "fetched a new token" in explain(response, token_scopes=(), sent_token=True)[0]


def test_insufficient_scope_is_explained_with_the_scope_asked_for(
    idp: IdentityServer, api: ResourceServer, tmp_path: Path
) -> None:
    profile = profile_for(idp, api)

    async def scenario(sender: Desk, tokens: TokenManager) -> list[str]:
        response = await sender.send(profile, RequestSpec(url="/admin"))
        assert response.status == 403
        token = tokens.peek(profile.id)
        assert token is not None
        return explain(response, token_scopes=token.scopes, sent_token=True)

    notes = run(idp, profile, tmp_path, scenario)
    assert "“admin:all”" in notes[0]
    assert "api:read api:write" in notes[0]


def test_token_is_not_sent_to_another_host_without_consent(
    idp: IdentityServer, api: ResourceServer, tmp_path: Path
) -> None:
    profile = profile_for(idp, api)
    other = api.base.replace("127.0.0.1", "localhost")  # same server, another origin

    async def scenario(sender: Desk, tokens: TokenManager) -> ApiResponse:
        before = len(api.seen_authorization)
        with pytest.raises(ConsentNeeded) as caught:
            await sender.send(profile, RequestSpec(url=f"{other}/echo"))
        assert f"{other.split('//')[1].split('/')[0]} is not the API" in caught.value.message
        assert len(api.seen_authorization) == before  # nothing left this computer
        sender.consent(profile, caught.value.origin)
        return await sender.send(profile, RequestSpec(url=f"{other}/echo"))

    response = run(idp, profile, tmp_path, scenario)
    assert response.status == 200
    assert api.seen_authorization[-1] is not None


def test_no_auth_request_sends_no_authorization(
    idp: IdentityServer, api: ResourceServer, tmp_path: Path
) -> None:
    profile = profile_for(idp, api)

    async def scenario(sender: Desk, tokens: TokenManager) -> ApiResponse:
        return await sender.send(profile, RequestSpec(url="/public", auth=AuthMode.NONE))

    response = run(idp, profile, tmp_path, scenario)
    assert response.status == 200
    assert api.seen_authorization[-1] is None
    assert not any(name.lower() == "authorization" for name, _ in response.request_headers)


def test_a_body_past_a_megabyte_goes_to_a_file_a_smaller_one_stays_in_memory(
    idp: IdentityServer, api: ResourceServer, tmp_path: Path
) -> None:
    profile = profile_for(idp, api)

    async def scenario(desk: Desk, tokens: TokenManager) -> list[ApiResponse]:
        return [await desk.send(profile, RequestSpec(url=f"/big?mb={mb}")) for mb in (0.9, 1.2)]

    small, large = run(idp, profile, tmp_path, scenario)
    assert small.content is not None
    assert len(small.read()) == small.size <= IN_MEMORY
    assert not small.body_path.exists()
    assert large.content is None
    assert large.body_path.stat().st_size == large.size > IN_MEMORY
    assert large.head(10) == large.body_path.read_bytes()[:10] == b'{"count": '
    for response in (small, large):
        target = tmp_path / f"saved-{response.size}.json"
        response.save(target)
        assert target.read_bytes() == response.read()


def test_api_calls_identify_themselves(
    idp: IdentityServer, api: ResourceServer, tmp_path: Path
) -> None:
    """Some APIs (GitHub's, for one) refuse requests without a User-Agent."""
    import json

    profile = profile_for(idp, api)

    async def scenario(sender: Desk, tokens: TokenManager) -> ApiResponse:
        return await sender.send(profile, RequestSpec(url="/echo", auth=AuthMode.NONE))

    response = run(idp, profile, tmp_path, scenario)
    echoed = json.loads(response.read())
    assert echoed["headers"]["user-agent"].startswith("Tokendesk/")


def test_variables_and_json_body(idp: IdentityServer, api: ResourceServer, tmp_path: Path) -> None:
    profile = profile_for(idp, api)
    spec = from_curl(
        "curl -X POST '{{base}}/orders' \\\n"
        "  -H 'Authorization: Bearer {token}' \\\n"
        "  -H 'Content-Type: application/json' \\\n"
        '  -d \'{"item": "Widget", "ref": "{{order_id}}"}\''
    )
    assert spec.auth is AuthMode.PROFILE
    spec = spec.with_changes(url=f"{api.base}/orders")

    async def scenario(sender: Desk, tokens: TokenManager) -> ApiResponse:
        return await sender.send(profile, spec)

    response = run(idp, profile, tmp_path, scenario)
    assert response.status == 201
    assert b'"ref": "1"' in response.read()


def test_history_never_holds_the_token(
    idp: IdentityServer, api: ResourceServer, tmp_path: Path
) -> None:
    profile = profile_for(idp, api)
    pasted = "pasted-secret-token-value-1234"

    async def scenario(sender: Desk, tokens: TokenManager) -> str:
        await sender.send(profile, RequestSpec(url="/orders"))
        await sender.send(
            profile,
            RequestSpec(
                url="/echo?access_token=leaky-query-token",
                auth=AuthMode.PASTED,
                pasted_token=pasted,
                headers=(Row("X-Api-Key", "key-material-5678"),),
            ),
        )
        token = tokens.peek(profile.id)
        assert token is not None
        return token.access_token

    token = run(idp, profile, tmp_path, scenario)
    database = tmp_path / "data" / "history.sqlite3"
    raw = b"".join(f.read_bytes() for f in database.parent.glob("history.sqlite3*"))  # + WAL
    for secret in (token, pasted, "leaky-query-token", "key-material-5678"):
        assert secret.encode() not in raw
    rows = sqlite3.connect(database).execute("SELECT method, url, status FROM history").fetchall()
    assert len(rows) == 2
    assert rows[0][2] == 200


def test_history_and_saved_requests_never_hold_the_client_secret(
    idp: IdentityServer, api: ResourceServer, tmp_path: Path
) -> None:
    """The profile's own secret typed into a request (a path, an ordinary query parameter, an
    ordinary header, a form field) is redacted by value, in history and in saved requests."""
    profile = profile_for(idp, api)
    secret = idp.clients["basic"].secret or ""
    assert len(secret) > 8
    spec = RequestSpec(
        method="POST",
        url=f"/echo/{secret}?lookup={secret}",
        headers=(Row("X-Partner", secret),),
        body=Body(BodyKind.FORM, fields=(Row("note", f"a {secret} b"),)),
    )

    async def scenario(sender: Desk, tokens: TokenManager) -> None:
        await sender.send(profile, spec)
        await sender.save_request(profile, "Echo", spec)

    run(idp, profile, tmp_path, scenario)
    files = (tmp_path / "data").glob("history.sqlite3*")  # + WAL
    raw = b"".join(f.read_bytes() for f in files)
    assert b"/echo/" in raw  # the rows are there: the search below means something
    assert b"Echo" in raw
    for form in (secret, quote(secret, safe=""), quote_plus(secret)):
        assert form.encode() not in raw


def test_www_authenticate_parsing() -> None:
    value = 'Basic realm="x", Bearer realm="api", error="insufficient_scope", scope="a b"'
    assert parse_challenges(value) == {
        "basic": {"realm": "x"},
        "bearer": {"realm": "api", "error": "insufficient_scope", "scope": "a b"},
    }
    assert parse_challenges("Bearer") == {"bearer": {}}
