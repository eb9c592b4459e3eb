"""Identity servers that lie (issue 10, items 1, 2, 8, 9, 17): every reply ends as a token or a
TokendeskError, never an OverflowError, RecursionError, DecodingError or an 8 GiB allocation."""

from __future__ import annotations

import asyncio
import gzip
import ssl
import zlib
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest

from app.core import oauth, transport
from app.core.errors import BadResponseError, DiscoveryError, OAuthServerError, TokendeskError
from app.core.profiles import Profile
from app.core.tokens import Token

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
TOKEN_URL = "https://idp.example/token"
PROFILE = Profile(name="p", client_id="i", token_url=TOKEN_URL)
SECRET = "s3cr3t-value-xyz"


def fetch(handler: Callable[[httpx.Request], httpx.Response]) -> Token:
    async def go() -> Token:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            return await oauth.request_token(
                client,
                PROFILE,
                oauth.Credentials(client_secret=SECRET),
                token_endpoint=TOKEN_URL,
                now=NOW,
            )

    return asyncio.run(go())


def reply(status: int, body: bytes, **headers: str) -> Callable[[httpx.Request], httpx.Response]:
    """A streamed reply, as from the network: httpx has not decoded it yet."""
    merged = {"content-type": "application/json", **headers}
    return lambda _request: httpx.Response(status, stream=httpx.ByteStream(body), headers=merged)


@pytest.mark.parametrize("value", ["1e308", "3e11", "1e400", '"3e11"'])
def test_huge_expires_in_is_a_warning_not_an_overflow(value: str) -> None:
    """expires_in of 1e308 or 3e11 used to raise OverflowError from datetime arithmetic."""
    body = b'{"access_token": "abc", "token_type": "Bearer", "expires_in": %s}' % value.encode()
    token = fetch(reply(200, body))
    assert token.expires_at is None
    assert any("not a lifetime" in w for w in token.warnings)


@pytest.mark.parametrize("status", [200, 400])
@pytest.mark.parametrize("depth", [100, 500, 1000, 100_000])
def test_deeply_nested_reply_is_a_plain_error(status: int, depth: int) -> None:
    """JSON nested 500 (error reply) or 1,000 (200 reply) levels raised RecursionError."""
    body = b'{"error": "invalid_client", "x": ' + b"[" * depth + b"]" * depth + b"}"
    with pytest.raises(TokendeskError) as caught:
        fetch(reply(status, body))
    assert isinstance(caught.value, BadResponseError | OAuthServerError)


def test_deeply_nested_discovery_is_a_discovery_error() -> None:
    body = b'{"token_endpoint": "x", "y": ' + b"[" * 5000 + b"]" * 5000 + b"}"

    async def go() -> None:
        transport_ = httpx.MockTransport(reply(200, body))
        async with httpx.AsyncClient(transport=transport_) as client:
            await oauth.discover(client, "https://idp.example")

    with pytest.raises(DiscoveryError):
        asyncio.run(go())


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "gzip, gzip"])
def test_content_encoding_on_a_plain_body_is_a_bad_response(encoding: str) -> None:
    """Content-Encoding: gzip on a non-gzip body escaped as httpx.DecodingError."""
    body = b'{"access_token": "abc", "token_type": "Bearer"}'
    with pytest.raises(BadResponseError) as caught:
        fetch(reply(200, body, **{"content-encoding": encoding}))
    assert "compressed" in caught.value.message


@pytest.mark.parametrize("encoding", ["gzip", "x-gzip", "deflate", "gzip, deflate"])
def test_compressed_replies_still_decode(encoding: str) -> None:
    # encodings apply left to right, so the last named is the outermost
    body = b'{"access_token": "abc", "token_type": "Bearer", "expires_in": 60}'
    for name in [e.strip() for e in encoding.split(",")]:
        body = zlib.compress(body) if name == "deflate" else gzip.compress(body)
    token = fetch(reply(200, body, **{"content-encoding": encoding}))
    assert token.access_token == "abc"


def test_raw_deflate_is_accepted_as_httpx_does() -> None:
    squeeze = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    body = squeeze.compress(b'{"access_token": "abc", "token_type": "Bearer"}') + squeeze.flush()
    assert fetch(reply(200, body, **{"content-encoding": "deflate"})).access_token == "abc"


def test_decompression_bomb_stops_at_the_decoded_cap() -> None:
    """A small `gzip, gzip` reply inflated to gigabytes before the 1 MiB cap was checked."""
    inner = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)
    bomb = gzip.compress(inner, compresslevel=9)
    assert len(bomb) < 200_000
    with pytest.raises(BadResponseError) as caught:
        fetch(reply(200, bomb, **{"content-encoding": "gzip, gzip"}))
    assert "more than" in caught.value.message


@pytest.mark.parametrize(
    "token",
    ["abc\r\nX-Evil: 1", "abc def", "abc\x00", "$(touch /tmp/x)", "`id`", 'a"b', "a;b"],
)
def test_tokens_outside_b64token_are_refused(token: str) -> None:
    """Item 8: CR/LF, spaces, control characters (and shell syntax) in a token are refused."""
    body = httpx.Response(200, json={"access_token": token, "token_type": "Bearer"}).content
    with pytest.raises(BadResponseError) as caught:
        fetch(reply(200, body))
    assert "characters a token may not have" in caught.value.message


@pytest.mark.parametrize("token_type", ["Bearer $(id)", "`id`", "Bearer\r\nX: 1", "$TOKEN"])
def test_token_types_that_are_not_names_are_refused(token_type: str) -> None:
    body = httpx.Response(200, json={"access_token": "abc", "token_type": token_type}).content
    with pytest.raises(BadResponseError):
        fetch(reply(200, body))


def test_echoed_client_secret_is_redacted_from_the_message() -> None:
    """Item 9: a secret the server echoes in error_description was printed in the message."""
    body = httpx.Response(
        400,
        json={"error": "invalid_client", "error_description": f"bad secret {SECRET} for i"},
    ).content
    with pytest.raises(OAuthServerError) as caught:
        fetch(reply(400, body))
    error = caught.value
    for text in (error.message, error.hint, error.description, error.details, str(error)):
        assert SECRET not in text
    assert "bad secret" in error.message


def test_hostname_mismatch_says_the_name_does_not_match() -> None:
    """Item 17: a hostname mismatch was called "not trusted" with advice to set a CA bundle."""
    cause = ssl.SSLCertVerificationError(
        1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch"
    )
    cause.verify_code = 62
    exc = httpx.ConnectError("boom")
    exc.__cause__ = cause
    error = transport.network_error(exc, httpx.Request("GET", "https://api.example/x"), ())
    assert "another name" in error.message
    assert "CA bundle" not in error.hint
    untrusted = ssl.SSLCertVerificationError(1, "certificate verify failed: self-signed")
    untrusted.verify_code = 18
    other = httpx.ConnectError("boom")
    other.__cause__ = untrusted
    assert (
        "not trusted"
        in transport.network_error(other, httpx.Request("GET", "https://a/"), ()).message
    )
