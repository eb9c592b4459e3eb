"""The bad-response corpus: each misbehaving server gives a token or a typed error, never a crash
or a hang. A real local server (tests/support/fault_server.py) produces every case."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from app.core import client_auth, oauth
from app.core.errors import BadResponseError, NetworkError, OAuthServerError, TokendeskError
from app.core.profiles import Profile
from app.core.tokens import Token
from tests.support.fault_server import FaultServer

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
CREDS = client_auth.Credentials(client_secret="corpus-secret-value")
FAST = oauth.Timeouts(deadline=3.0, max_token_bytes=1024 * 1024)


def fetch(url: str, timeouts: oauth.Timeouts = FAST) -> Token:
    profile = Profile(name="corpus", client_id="corpus-client", token_url=url)

    async def go() -> Token:
        async with httpx.AsyncClient() as client:
            return await oauth.request_token(
                client, profile, CREDS, token_endpoint=url, now=NOW, timeouts=timeouts
            )

    return asyncio.run(go())


def fails(url: str, kind: type[TokendeskError]) -> TokendeskError:
    with pytest.raises(kind) as caught:
        fetch(url)
    error = caught.value
    assert error.message.endswith("."), "one plain sentence"
    assert error.hint, "always says what to do"
    assert "corpus-secret-value" not in error.details
    return error


def test_html_page_is_not_a_token(faults: FaultServer) -> None:
    error = fails(faults.url("/html"), BadResponseError)
    assert "web page (HTML)" in error.message
    assert "<h1>Sign in</h1>" in error.details


def test_truncated_json_is_not_a_token(faults: FaultServer) -> None:
    error = fails(faults.url("/truncated"), BadResponseError)
    assert "not JSON" in error.message


def test_empty_body_is_not_a_token(faults: FaultServer) -> None:
    assert "empty" in fails(faults.url("/empty"), BadResponseError).message


def test_json_without_access_token_is_not_a_token(faults: FaultServer) -> None:
    assert "without an access token" in fails(faults.url("/no-token"), BadResponseError).message


def test_json_array_is_not_a_token(faults: FaultServer) -> None:
    fails(faults.url("/json-array"), BadResponseError)


def test_expires_in_as_a_string_is_understood(faults: FaultServer) -> None:
    token = fetch(faults.url("/string-expires"))
    assert token.expires_at == NOW + timedelta(seconds=3600)
    assert token.scopes == ("a", "b")


def test_missing_expires_in_falls_back_to_the_jwt_exp(faults: FaultServer) -> None:
    token = fetch(faults.url("/no-expires"))
    assert token.expires_at is not None
    assert token.scopes == ("x", "y")
    assert token.jwt is not None
    assert token.expires_at.timestamp() == token.jwt.claims["exp"]


def test_opaque_token_without_expires_in_has_unknown_expiry(faults: FaultServer) -> None:
    token = fetch(faults.url("/no-expires-opaque"))
    assert token.expires_at is None
    assert token.access_token == "opaque-forever"


def test_token_labelled_text_plain_is_used_with_a_warning(faults: FaultServer) -> None:
    token = fetch(faults.url("/text-plain-token"))
    assert token.access_token == "labelled-text-plain"
    assert any("text/plain" in w for w in token.warnings)


def test_a_20_mb_body_is_cut_off_not_swallowed(faults: FaultServer) -> None:
    assert "more than" in fails(faults.url("/huge"), BadResponseError).message


def test_slow_drip_past_the_deadline_times_out(faults: FaultServer) -> None:
    started = time.monotonic()
    error = fails(faults.url("/drip"), NetworkError)
    assert isinstance(error, NetworkError)
    assert error.kind == "timeout"
    assert time.monotonic() - started < 10


def test_server_that_never_answers_times_out(faults: FaultServer) -> None:
    error = fails(faults.url("/hang"), NetworkError)
    assert isinstance(error, NetworkError)
    assert error.kind == "timeout"


def test_connection_reset_is_a_network_error(faults: FaultServer) -> None:
    error = fails(faults.url("/reset"), NetworkError)
    assert isinstance(error, NetworkError)
    assert error.kind == "reset"


def test_500_is_a_server_error(faults: FaultServer) -> None:
    error = fails(faults.url("/500"), OAuthServerError)
    assert isinstance(error, OAuthServerError)
    assert error.status == 500
    assert "internal error" in error.message


def test_503_with_retry_after_says_when_to_retry(faults: FaultServer) -> None:
    error = fails(faults.url("/503"), OAuthServerError)
    assert isinstance(error, OAuthServerError)
    assert error.retry_after == 7
    assert "7 s" in error.hint


def test_invalid_client_401_with_www_authenticate(faults: FaultServer) -> None:
    error = fails(faults.url("/invalid-client"), OAuthServerError)
    assert isinstance(error, OAuthServerError)
    assert error.error == "invalid_client"
    assert "client authentication failed" in error.message
    assert "WWW-Authenticate" in error.details


def test_redirect_to_a_login_page_is_explained(faults: FaultServer) -> None:
    error = fails(faults.url("/redirect"), BadResponseError)
    assert "https://login.example/" in error.message


def test_unknown_path_404_is_explained(faults: FaultServer) -> None:
    assert "not found" in fails(faults.url("/nowhere"), BadResponseError).message


def test_refused_connection_is_a_network_error() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound but never listening: connections are refused
        error = fails(f"http://127.0.0.1:{port}/token", NetworkError)
    assert isinstance(error, NetworkError)
    assert error.kind == "refused"
    assert f"127.0.0.1:{port}" in error.message


def test_unknown_host_is_a_dns_error() -> None:
    error = fails("http://no-such-host.invalid/token", NetworkError)
    assert isinstance(error, NetworkError)
    assert error.kind == "dns"
    assert "could not be found" in error.message


def test_tls_to_a_plain_http_server_is_a_tls_error() -> None:
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def answer_in_plain_http() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    thread = threading.Thread(target=answer_in_plain_http, daemon=True)
    thread.start()
    try:
        error = fails(f"https://127.0.0.1:{port}/token", NetworkError)
    finally:
        thread.join(5)
        listener.close()
    assert isinstance(error, NetworkError)
    assert error.kind == "tls"
    assert "secure connection" in error.message


def test_basic_header_is_form_encoded_on_the_wire(faults: FaultServer) -> None:
    import base64
    from urllib.parse import unquote_plus

    profile = Profile(name="wire", client_id="id:with space", token_url=faults.url("/echo"))
    secret = "p@ss:w+rd/%&= x"

    async def go() -> None:
        async with httpx.AsyncClient() as client:
            await oauth.request_token(
                client,
                profile,
                client_auth.Credentials(client_secret=secret),
                token_endpoint=faults.url("/echo"),
                now=NOW,
            )

    asyncio.run(go())
    header = faults.seen[-1].headers["authorization"]
    raw = base64.b64decode(header.removeprefix("Basic ")).decode()
    user, password = raw.split(":")  # exactly one colon survives: the separator
    assert (unquote_plus(user), unquote_plus(password)) == ("id:with space", secret)
    assert raw == "id%3Awith+space:p%40ss%3Aw%2Brd%2F%25%26%3D+x"


def test_single_flight_over_real_http(faults: FaultServer) -> None:
    """100 concurrent callers, one real token request on the wire."""
    from app.core.http_clients import HttpClients
    from app.core.secrets import SecretKind
    from app.core.token_manager import TokenManager
    from tests.support.memory_secrets import MemorySecretStore

    url = faults.url("/counted") + "?delay=0.2"
    profile = Profile(name="sf", client_id="c", token_url=url)
    before = faults.token_requests

    async def go() -> set[str]:
        secrets = MemorySecretStore()
        await secrets.set(profile.id, SecretKind.CLIENT_SECRET, "s")
        http = HttpClients()
        try:
            manager = TokenManager(http, secrets, clock=lambda: datetime.now(UTC))
            tokens = await asyncio.gather(*(manager.get_token(profile) for _ in range(100)))
            return {t.access_token for t in tokens}
        finally:
            await http.aclose()

    assert len(asyncio.run(go())) == 1
    assert faults.token_requests - before == 1
