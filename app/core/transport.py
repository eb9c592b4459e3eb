"""Sending one HTTP request for the engine: an overall deadline, a size cap, and every transport
failure turned into a typed, plain-language error with the redacted exchange attached."""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import AsyncGenerator, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from app.core.decoding import PIECE, BoundedDecoder, ContentDecodingError
from app.core.errors import BadResponseError, Exchange, NetworkError, ProfileError
from app.core.redact import redact_form, redact_headers, redact_text

if TYPE_CHECKING:
    import httpx

MAX_SHOWN_BODY = 64 * 1024
HOSTNAME_MISMATCH = 62  # OpenSSL's X509_V_ERR_HOSTNAME_MISMATCH


@dataclass(frozen=True)
class RawResponse:
    status: int
    reason: str
    headers: httpx.Headers
    body: bytes
    url: str

    @property
    def content_type(self) -> str:
        return str(self.headers.get("content-type", "")).split(";")[0].strip().lower()

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def _original_case(headers: httpx.Headers) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers.raw]


def describe_request(request: httpx.Request, secrets: Iterable[str] = ()) -> Exchange:
    body = request.content.decode("utf-8", errors="replace") if request.content else ""
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        body = redact_form(body)
    else:
        body = redact_text(body, secrets)
    return Exchange(
        method=request.method,
        url=str(request.url),
        request_headers=redact_headers(_original_case(request.headers)),
        request_body=body,
    )


def describe_exchange(
    request: httpx.Request, response: RawResponse | None, secrets: Iterable[str] = ()
) -> Exchange:
    secrets = tuple(secrets)
    base = describe_request(request, secrets)
    if response is None:
        return base
    shown = response.body[:MAX_SHOWN_BODY].decode("utf-8", errors="replace")
    notes: tuple[str, ...] = ()
    if len(response.body) > MAX_SHOWN_BODY:
        notes = (f"(body cut at {MAX_SHOWN_BODY // 1024} KiB of {len(response.body):,} bytes)",)
    return Exchange(
        method=base.method,
        url=base.url,
        request_headers=base.request_headers,
        request_body=base.request_body,
        status=response.status,
        reason=response.reason,
        response_headers=redact_headers(_original_case(response.headers)),
        response_body=redact_text(shown, secrets),
        notes=notes,
    )


async def decoded_body(response: httpx.Response) -> AsyncGenerator[bytes, None]:
    """The body, decoded per Content-Encoding in pieces of at most 64 KiB each, so a caller's
    size cap holds for what is inflated, not for what travelled (decompression bombs)."""
    if response.is_stream_consumed:  # built in memory (a mock transport): httpx decoded it
        content = response.content
        for start in range(0, len(content), PIECE):
            yield content[start : start + PIECE]
        return
    decoder = BoundedDecoder(response.headers.get("content-encoding", ""))
    async for raw in response.aiter_raw():
        for piece in decoder.feed(raw):
            yield piece
    for piece in decoder.flush():
        yield piece


def decoding_error(
    exc: ContentDecodingError, request: httpx.Request, secrets: Iterable[str] = ()
) -> BadResponseError:
    return BadResponseError(
        "The server said its answer was compressed, but it could not be uncompressed.",
        "The server or a proxy in between is sending a broken answer; tell its admin.",
        details=str(exc),
        exchange=describe_request(request, secrets),
    )


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def network_error(  # noqa: PLR0911 - one return per kind of failure
    exc: Exception, request: httpx.Request, secrets: Iterable[str]
) -> NetworkError:
    exchange = describe_request(request, secrets)
    split = urlsplit(str(request.url))
    host = split.hostname or "the server"
    where = f"{host}:{split.port}" if split.port else host
    import httpx

    chain = _chain(exc)
    raw = "\n".join(f"{type(e).__name__}: {e}" for e in chain)
    text = raw.lower()
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return NetworkError(
            f"{host} did not answer in time.",
            "Check that the address is right and the server is up, or raise the timeout.",
            kind="timeout",
            details=raw,
            exchange=exchange,
        )
    if any(getattr(e, "verify_code", None) == HOSTNAME_MISMATCH for e in chain) or (
        "hostname mismatch" in text or "doesn't match" in text
    ):
        return NetworkError(
            f"The secure connection to {host} failed: its certificate is for another name.",
            f"The server at this address presented a certificate that is not valid for “{host}”. "
            "Check that the address is the one in the docs (not an alias or a raw IP address).",
            kind="tls",
            details=raw,
            exchange=exchange,
        )
    if any(isinstance(e, ssl.SSLCertVerificationError) for e in chain) or (
        "certificate" in text and "verify" in text
    ):
        return NetworkError(
            f"The secure connection to {host} failed: its certificate is not trusted.",
            "If your company uses its own certificate authority, set its CA bundle in the "
            "profile's TLS settings.",
            kind="tls",
            details=raw,
            exchange=exchange,
        )
    if any(isinstance(e, ssl.SSLError) for e in chain) or "ssl" in text:
        return NetworkError(
            f"The secure connection to {host} failed.",
            "Check that the address starts with the right scheme (https:// or http://).",
            kind="tls",
            details=raw,
            exchange=exchange,
        )
    if any(isinstance(e, socket.gaierror) for e in chain) or "name or service not known" in text:
        return NetworkError(
            f"The server name “{host}” could not be found.",
            "Check the address for typos, and that you are on the right network or VPN.",
            kind="dns",
            details=raw,
            exchange=exchange,
        )
    if isinstance(exc, httpx.ConnectError):
        return NetworkError(
            f"Nothing is answering at {where}.",
            "Check the address and port, and that the server is running.",
            kind="refused",
            details=raw,
            exchange=exchange,
        )
    return NetworkError(
        f"The connection to {host} broke before the answer was complete.",
        "Try again; if it keeps happening, the server or a proxy in between is failing.",
        kind="reset",
        details=raw,
        exchange=exchange,
    )


async def send(
    client: httpx.AsyncClient,
    request: httpx.Request,
    *,
    deadline: float,
    max_bytes: int,
    secrets: Iterable[str] = (),
) -> RawResponse:
    """Send and read the whole body within `deadline` seconds (httpx's own timeouts are per
    read, so a slow drip would otherwise never end) and at most `max_bytes` bytes."""
    import httpx  # on first use: the window paints before httpx loads

    secrets = tuple(secrets)
    # httpx's own per-phase timeouts fire first and clean up their connection; the outer
    # deadline catches what they cannot (a body that trickles in one byte at a time).
    request.extensions["timeout"] = httpx.Timeout(deadline).as_dict()
    try:
        async with asyncio.timeout(deadline + 0.5):
            response = await client.send(request, stream=True)
            try:
                chunks: list[bytes] = []
                size = 0
                async for chunk in decoded_body(response):
                    size += len(chunk)
                    if size > max_bytes:
                        raise BadResponseError(
                            f"The server sent more than {max_bytes // 1024:,} KiB where a short "
                            "answer was expected.",
                            "Check the URL: it probably points at something other than the "
                            "expected endpoint.",
                            exchange=describe_request(request, secrets),
                        )
                    chunks.append(chunk)
            finally:
                await response.aclose()
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise ProfileError(
            f"“{request.url}” is not a usable web address.",
            "Check the URL in the profile: it should start with https://.",
            details=str(exc),
        ) from exc
    except (httpx.TransportError, TimeoutError) as exc:
        raise network_error(exc, request, secrets) from exc
    except ContentDecodingError as exc:
        raise decoding_error(exc, request, secrets) from exc
    return RawResponse(
        status=response.status_code,
        reason=response.reason_phrase,
        headers=response.headers,
        body=b"".join(chunks),
        url=str(response.url),
    )
