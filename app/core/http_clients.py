"""The long-lived HTTP clients: one `httpx.AsyncClient` per TLS configuration.

httpx fixes certificate verification per client, not per request, and profiles may carry their
own CA bundle or turn verification off. So the one shared client serves every profile with default
TLS, and a profile with its own TLS settings gets one more client, created once and reused.
A profile that presents a TLS client certificate (RFC 8705) gets a client of its own whose
SSLContext holds the certificate (app/core/tls_client.py), keyed by a digest of the pair.
All are closed together on quit.
"""

from __future__ import annotations

import hashlib
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
        self._cert_clients: dict[tuple[bool, str, str], httpx.AsyncClient] = {}

    def get(self, verify_tls: bool = True, ca_bundle: str = "") -> httpx.AsyncClient:
        key = (verify_tls, ca_bundle if verify_tls else "")
        client = self._clients.get(key)
        if client is None:
            client = self._factory(self._verify(*key))
            self._clients[key] = client
        return client

    def with_certificate(
        self, verify_tls: bool, ca_bundle: str, certificate: str, private_key: str
    ) -> httpx.AsyncClient:
        """A client that presents `certificate` in every TLS handshake (mutual TLS)."""
        from app.core.tls_client import client_context

        digest = hashlib.sha256(f"{certificate}\0{private_key}".encode()).hexdigest()
        key = (verify_tls, ca_bundle if verify_tls else "", digest)
        client = self._cert_clients.get(key)
        if client is None:
            context = client_context(
                certificate, private_key, verify_tls=verify_tls, ca_bundle=ca_bundle
            )
            client = self._factory(context)
            self._cert_clients[key] = client
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
        clients = [*self._clients.values(), *self._cert_clients.values()]
        self._clients, self._cert_clients = {}, {}
        for client in clients:
            await client.aclose()
