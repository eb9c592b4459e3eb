"""API responses that never end, bombs and drips (issue 10, items 2, 3 and 13): every send ends
with a result, cut at the limit and saying so."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from app.core.api_call import ApiResponse, Limits, call, explain
from app.core.errors import BadResponseError, NetworkError
from tests.support.fault_server import FaultServer


def send(faults: FaultServer, path: str, tmp_path: Path, limits: Limits) -> ApiResponse:
    async def go() -> ApiResponse:
        async with httpx.AsyncClient() as client:
            request = client.build_request("GET", faults.url(path))
            return await call(
                client,
                request,
                auth=None,
                seconds=10,
                body_path=tmp_path / "body",
                limits=limits,
            )

    return asyncio.run(go())


def test_endless_stream_stops_at_the_size_limit(faults: FaultServer, tmp_path: Path) -> None:
    """An endless stream wrote 1.2 GiB in 60 s."""
    response = send(faults, "/endless", tmp_path, Limits(max_bytes=3 * 1024 * 1024))
    assert response.size == 3 * 1024 * 1024
    assert (tmp_path / "body").stat().st_size == 3 * 1024 * 1024
    assert response.stopped.startswith("Stopped at 3 MiB")
    assert explain(response, token_scopes=(), sent_token=False)[0] == response.stopped


def test_gzip_bomb_stops_at_the_decoded_size_limit(faults: FaultServer, tmp_path: Path) -> None:
    """A 4.2 MB gzip wrote a 4 GiB body file: the cap counts inflated bytes."""
    response = send(faults, "/gzip-bomb", tmp_path, Limits(max_bytes=2 * 1024 * 1024))
    assert (tmp_path / "body").stat().st_size == 2 * 1024 * 1024
    assert "Stopped at 2 MiB" in response.stopped


def test_slow_drip_stops_at_the_overall_deadline(faults: FaultServer, tmp_path: Path) -> None:
    """One byte every few seconds ran past 60 s with a 10 s timeout."""
    response = send(faults, "/drip", tmp_path, Limits(deadline=1.0))
    assert response.stopped.startswith("Stopped after 1 seconds")
    assert 0 < response.size < 60


def test_a_body_that_is_not_in_its_encoding_is_a_plain_error(
    faults: FaultServer, tmp_path: Path
) -> None:
    with pytest.raises(BadResponseError):
        send(faults, "/not-gzip", tmp_path, Limits())


def test_no_room_on_disk_is_said_before_sending(faults: FaultServer, tmp_path: Path) -> None:
    with pytest.raises(NetworkError) as caught:
        send(faults, "/endless", tmp_path, Limits(min_free_bytes=2**62))
    assert "almost full" in caught.value.message


def test_token_endpoint_gzip_bomb_is_capped(faults: FaultServer) -> None:
    """Item 2 on the token path: a `gzip, gzip` reply made `tokendesk token` allocate 8 GiB."""
    from datetime import UTC, datetime

    from app.core import oauth
    from app.core.profiles import Profile

    async def go() -> None:
        async with httpx.AsyncClient() as client:
            await oauth.request_token(
                client,
                Profile(name="p", client_id="c", token_url=faults.url("/gzip-bomb")),
                oauth.Credentials(client_secret="s"),
                token_endpoint=faults.url("/gzip-bomb"),
                now=datetime.now(UTC),
            )

    with pytest.raises(BadResponseError) as caught:
        asyncio.run(go())
    assert "more than" in caught.value.message
