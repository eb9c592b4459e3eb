"""Fetching an API description from an address (an OpenAPI file a vendor publishes), through the
app's one HTTP client: redirects followed, the body capped at the import size limit while it
streams, and every failure a plain ImportSourceError or NetworkError."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

from app.core.errors import ImportSourceError
from app.core.transport import network_error
from app.importers import common

ACCEPT = "application/json, application/yaml, application/vnd.oai.openapi, text/yaml, */*;q=0.5"


async def fetch_document(client: httpx.AsyncClient, url: str) -> str:
    url = url.strip()
    split = urlsplit(url)
    if split.scheme not in {"http", "https"} or not split.hostname:
        raise ImportSourceError(
            f"“{url}” is not a web address.",
            "Enter the address of the OpenAPI file itself, starting with https://.",
        )
    request = client.build_request("GET", url, headers={"Accept": ACCEPT})
    limit = common.MAX_BYTES
    try:
        response = await client.send(request, stream=True, follow_redirects=True)
        try:
            if response.status_code != 200:
                raise ImportSourceError(
                    f"The address answered {response.status_code} "
                    f"{response.reason_phrase}, not the file.",
                    "Nothing was imported. Check the address, or download the file and "
                    "import it from disk.",
                    details=str(response.url),
                )
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > limit:
                    raise ImportSourceError(
                        "The document at that address is too large to import (the limit is "
                        f"{limit // (1024 * 1024)} MB).",
                        "Nothing was imported. Download only the API description you need.",
                        details=str(response.url),
                    )
        finally:
            await response.aclose()
    except httpx.HTTPError as exc:
        raise network_error(exc, request, ()) from exc
    try:
        return bytes(body).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportSourceError(
            "The address did not serve a text file.",
            "Nothing was imported. Enter the address of the OpenAPI file (JSON or YAML).",
            details=str(exc),
        ) from exc
