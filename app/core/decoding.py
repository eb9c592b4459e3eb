"""Content-Encoding decoded with a bound on what comes out, so a small compressed reply cannot
make Tokendesk allocate gigabytes (a 13 KB `gzip, gzip` body inflates to 8 GiB).

httpx inflates each network chunk in one go and only then hands it over, so a size cap checked
after `aiter_bytes()` comes too late. Here every decompress call is given `max_length`, the
rest of the input waits in `unconsumed_tail`, and the caller stops reading as soon as the sum
of what came out passes its cap.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

PIECE = 64 * 1024


class ContentDecodingError(ValueError):
    """The body is not in the encoding its Content-Encoding header names."""


class _Inflater:
    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        # deflate is zlib-wrapped per RFC 9110, but some servers send raw deflate: like httpx,
        # try the wrapper first and fall back to raw on the first byte that rules it out.
        wbits = 16 + zlib.MAX_WBITS if encoding in ("gzip", "x-gzip") else zlib.MAX_WBITS
        self._obj = zlib.decompressobj(wbits)
        self._first = encoding == "deflate"

    def feed(self, data: bytes) -> Iterator[bytes]:
        while data:
            try:
                out = self._obj.decompress(data, PIECE)
            except zlib.error as exc:
                if not self._first:
                    raise ContentDecodingError(f"{self.encoding}: {exc}") from None
                self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
                self._first = False
                continue
            self._first = False
            # Trailing bytes after the end of the stream are ignored, as httpx does.
            data = b"" if self._obj.eof else self._obj.unconsumed_tail
            if out:
                yield out

    def flush(self) -> bytes:
        try:
            return self._obj.flush()
        except zlib.error as exc:
            raise ContentDecodingError(f"{self.encoding}: {exc}") from None


class BoundedDecoder:
    """Decodes a body sent with `content_encoding`, yielding pieces of at most PIECE bytes.
    Unknown encodings pass through unchanged (httpx does the same)."""

    def __init__(self, content_encoding: str) -> None:
        names = [e.strip().lower() for e in content_encoding.split(",") if e.strip()]
        # The last encoding applied is the first to undo.
        self._chain = [
            _Inflater(name) for name in reversed(names) if name in ("gzip", "x-gzip", "deflate")
        ]

    def feed(self, data: bytes) -> Iterator[bytes]:
        yield from _through(self._chain, data)

    def flush(self) -> Iterator[bytes]:
        for index, inflater in enumerate(self._chain):
            tail = inflater.flush()
            if tail:
                yield from _through(self._chain[index + 1 :], tail)


def _through(chain: list[_Inflater], data: bytes) -> Iterator[bytes]:
    if not chain:
        if data:
            for start in range(0, len(data), PIECE):
                yield data[start : start + PIECE]
        return
    for piece in chain[0].feed(data):
        yield from _through(chain[1:], piece)
