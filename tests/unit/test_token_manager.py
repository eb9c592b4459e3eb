"""Token manager logic with MockTransport and the in-memory secret store."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

import httpx
import pytest

from app.core.errors import KeychainLockedError, OAuthServerError
from app.core.http_clients import HttpClients
from app.core.profiles import Profile
from app.core.secrets import SecretKind
from app.core.token_manager import TokenEvent, TokenManager
from app.core.tokens import ExpiryPolicy, TokenSource, TokenState
from tests.conftest import FakeClock
from tests.support.memory_secrets import MemorySecretStore

T = TypeVar("T")
TOKEN_URL = "https://idp.example/token"


class Server:
    """A counting token endpoint behind MockTransport."""

    def __init__(self, lifetime: int = 3600, delay: float = 0.0) -> None:
        self.calls = 0
        self.lifetime = lifetime
        self.delay = delay
        self.fail_with: int | None = None

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        await asyncio.sleep(self.delay)
        if self.fail_with:
            return httpx.Response(self.fail_with, json={"error": "invalid_client"})
        return httpx.Response(
            200,
            json={
                "access_token": f"tok-{self.calls}",
                "token_type": "Bearer",
                "expires_in": self.lifetime,
            },
        )


def profile(**changes: object) -> Profile:
    return Profile(name="p", client_id="c", token_url=TOKEN_URL).with_changes(**changes)


def run(
    server: Server,
    scenario: Callable[[TokenManager, MemorySecretStore], Awaitable[T]],
    clock: Callable[[], datetime],
    secrets: MemorySecretStore | None = None,
) -> T:
    store = secrets or MemorySecretStore()

    async def go() -> T:
        http = HttpClients(lambda _verify: httpx.AsyncClient(transport=httpx.MockTransport(server)))
        manager = TokenManager(http, store, clock=clock)
        try:
            return await scenario(manager, store)
        finally:
            await manager.aclose()
            await http.aclose()

    return asyncio.run(go())


async def with_secret(store: MemorySecretStore, p: Profile) -> None:
    await store.set(p.id, SecretKind.CLIENT_SECRET, "s")


def test_100_concurrent_callers_with_an_expired_token_cause_one_request(clock: FakeClock) -> None:
    server = Server(delay=0.05)
    p = profile()

    async def scenario(manager: TokenManager, store: MemorySecretStore) -> set[str]:
        await with_secret(store, p)
        await manager.get_token(p)
        clock.advance(7200)  # now expired
        assert manager.state(p.id) is TokenState.EXPIRED
        tokens = await asyncio.gather(*(manager.get_token(p) for _ in range(100)))
        return {t.access_token for t in tokens}

    assert run(server, scenario, clock) == {"tok-2"}
    assert server.calls == 2


def test_cold_start_concurrency_is_single_flight_too(clock: FakeClock) -> None:
    server = Server(delay=0.05)
    p = profile()

    async def scenario(manager: TokenManager, store: MemorySecretStore) -> set[str]:
        await with_secret(store, p)
        tokens = await asyncio.gather(*(manager.get_token(p) for _ in range(50)))
        return {t.access_token for t in tokens}

    assert run(server, scenario, clock) == {"tok-1"}
    assert server.calls == 1


def test_valid_token_is_reused_expiring_one_is_replaced(clock: FakeClock) -> None:
    server = Server(lifetime=600)
    p = profile()

    async def scenario(manager: TokenManager, store: MemorySecretStore) -> list[str]:
        await with_secret(store, p)
        seen = [(await manager.get_token(p)).access_token]
        clock.advance(500)  # 100 s left of 600: still more than 60 s and 10 %
        seen.append((await manager.get_token(p)).access_token)
        clock.advance(50)  # 50 s left: expiring
        assert manager.state(p.id) is TokenState.EXPIRING
        seen.append((await manager.get_token(p)).access_token)
        return seen

    assert run(server, scenario, clock) == ["tok-1", "tok-1", "tok-2"]


def test_cached_token_survives_a_restart_through_the_secret_store(clock: FakeClock) -> None:
    server = Server()
    store = MemorySecretStore()
    p = profile()

    async def first(manager: TokenManager, s: MemorySecretStore) -> None:
        await with_secret(s, p)
        await manager.get_token(p)

    run(server, first, clock, store)
    events: list[TokenEvent] = []

    async def second(manager: TokenManager, _s: MemorySecretStore) -> str:
        manager.subscribe(events.append)
        return (await manager.get_token(p)).access_token

    assert run(server, second, clock, store) == "tok-1"
    assert server.calls == 1
    assert [e.reason for e in events] == ["loaded"]
    cached = json.loads(store.values[(p.id, SecretKind.TOKEN)])
    assert cached["token"]["access_token"] == "tok-1"


def test_a_cached_token_from_other_settings_is_not_reused(clock: FakeClock) -> None:
    server = Server()
    store = MemorySecretStore()
    p = profile()

    async def first(manager: TokenManager, s: MemorySecretStore) -> None:
        await with_secret(s, p)
        await manager.get_token(p)

    run(server, first, clock, store)

    async def second(manager: TokenManager, _s: MemorySecretStore) -> str:
        return (await manager.get_token(p.with_changes(scopes=("admin",)))).access_token

    assert run(server, second, clock, store) == "tok-2"


def test_failure_is_reported_as_failed_state_with_the_error(clock: FakeClock) -> None:
    server = Server()
    server.fail_with = 401
    p = profile()
    events: list[TokenEvent] = []

    async def scenario(manager: TokenManager, store: MemorySecretStore) -> TokenState:
        manager.subscribe(events.append)
        await with_secret(store, p)
        with pytest.raises(OAuthServerError):
            await manager.get_token(p)
        assert isinstance(manager.last_error(p.id), OAuthServerError)
        return manager.state(p.id)

    assert run(server, scenario, clock) is TokenState.FAILED
    assert [e.reason for e in events] == ["failed"]


def test_a_keychain_that_refuses_the_cache_still_gives_the_token(clock: FakeClock) -> None:
    class Refusing(MemorySecretStore):
        async def set(self, profile_id: str, kind: SecretKind, value: str) -> None:
            if kind is SecretKind.TOKEN:
                raise KeychainLockedError("The OS keychain is locked.", "Unlock it.")
            await super().set(profile_id, kind, value)

    p = profile()

    async def scenario(manager: TokenManager, store: MemorySecretStore) -> tuple[str, ...]:
        await with_secret(store, p)
        return (await manager.get_token(p)).warnings

    warnings = run(Server(), scenario, clock, Refusing())
    assert any("Not kept in the keychain" in w for w in warnings)


def test_pasted_token_is_used_until_it_expires(clock: FakeClock) -> None:
    server = Server()
    p = profile()

    async def scenario(manager: TokenManager, store: MemorySecretStore) -> list[str]:
        await with_secret(store, p)
        pasted = await manager.set_pasted(p, "Bearer pasted-opaque")
        assert pasted.source is TokenSource.PASTED
        first = (await manager.get_token(p)).access_token  # unknown expiry: used as is
        await manager.forget(p)
        assert manager.state(p.id) is TokenState.NONE
        second = (await manager.get_token(p)).access_token
        return [first, second]

    assert run(server, scenario, clock) == ["pasted-opaque", "tok-1"]


def test_remove_profile_deletes_every_secret(clock: FakeClock) -> None:
    p = profile()

    async def scenario(manager: TokenManager, store: MemorySecretStore) -> dict[object, str]:
        await with_secret(store, p)
        await store.set(p.id, SecretKind.PRIVATE_KEY, "k")
        await manager.get_token(p)
        await manager.remove_profile(p.id)
        return store.values

    assert run(Server(), scenario, clock) == {}


def test_auto_refresh_fetches_ahead_of_expiry() -> None:
    """Real time, short token: refresh happens as the token enters its expiring window."""
    server = Server(lifetime=2)
    p = profile()
    events: list[TokenEvent] = []

    async def scenario(manager: TokenManager, store: MemorySecretStore) -> None:
        manager.policy = ExpiryPolicy(min_seconds=1.0, fraction=0.0)
        manager.subscribe(events.append)
        await with_secret(store, p)
        manager.start_auto_refresh(p)
        for _ in range(60):
            await asyncio.sleep(0.05)
            if sum(e.reason == "fetched" for e in events) >= 2:
                break
        assert manager.auto_refreshing(p.id)
        manager.stop_auto_refresh(p.id)

    run(server, scenario, lambda: datetime.now(UTC))
    fetched = [e.token.access_token for e in events if e.reason == "fetched" and e.token]
    assert fetched[:2] == ["tok-1", "tok-2"]
