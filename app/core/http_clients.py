"""The long-lived HTTP clients: one `httpx.AsyncClient` per TLS configuration.

httpx fixes certificate verification per client, not per request, and profiles may carry their
own CA bundle or turn verification off. So the one shared client serves every profile with default
TLS, and a profile with its own TLS settings gets one more client, created once and reused.
All are closed together on quit.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app import __version__
from app.core.errors import ProfileError

if TYPE_CHECKING:
    import httpx

USER_AGENT = f"Tokendesk/{__version__}"

ClientFactory = Callable[[ssl.SSLContext | bool], "httpx.AsyncClient"]


def default_factory(verify: ssl.SSLContext | bool) -> httpx.AsyncClient:
    import httpx  # on first use: the window paints before httpx loads

    return httpx.AsyncClient(
        verify=verify,
        headers={"User-Agent": USER_AGENT},
        timeout=httpx.Timeout(30.0, connect=10.0),
        follow_redirects=False,
        trust_env=True,
    )


class HttpClients:
    def __init__(self, factory: ClientFactory = default_factory) -> None:
        self._factory = factory
        self._clients: dict[tuple[bool, str], httpx.AsyncClient] = {}

    def get(self, verify_tls: bool = True, ca_bundle: str = "") -> httpx.AsyncClient:
        key = (verify_tls, ca_bundle if verify_tls else "")
        client = self._clients.get(key)
        if client is None:
            client = self._factory(self._verify(*key))
            self._clients[key] = client
        return client

    @staticmethod
    def _verify(verify_tls: bool, ca_bundle: str) -> ssl.SSLContext | bool:
        if not verify_tls:
            return False
        if not ca_bundle:
            return True
        path = Path(ca_bundle).expanduser()
        try:
            return ssl.create_default_context(cafile=str(path))
        except (OSError, ssl.SSLError) as exc:
            raise ProfileError(
                f"The CA bundle “{path}” could not be read.",
                "Choose a PEM file with your organisation's CA certificates in the TLS settings.",
                details=f"{type(exc).__name__}: {exc}",
            ) from exc

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()
