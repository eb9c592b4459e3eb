"""The secret contract the domain consumes. Adapters live elsewhere: the OS keychain in
app/storage/secrets.py, the session fallback in app/desk/session_secrets.py."""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

# The keychain's service name for every Tokendesk entry (keyring's `service` attribute).
KEYCHAIN_SERVICE = "tokendesk"


class SecretKind(StrEnum):
    CLIENT_SECRET = "client_secret"
    PRIVATE_KEY = "private_key"
    TOKEN = "token"
    # A profile's secret {{variables}} (API keys found on import), one JSON object of name: value.
    VARIABLES = "variables"
    CLIENT_CERT_KEY = "client_cert_key"  # the private key of the TLS client certificate
    DPOP_KEY = "dpop_key"  # the profile's DPoP key pair, as a private JWK


class SecretStore(Protocol):
    """Async access to a profile's secrets, keyed by profile id and kind."""

    async def get(self, profile_id: str, kind: SecretKind) -> str | None: ...

    async def set(self, profile_id: str, kind: SecretKind, value: str) -> None: ...

    async def delete(self, profile_id: str, kind: SecretKind) -> None: ...

    async def delete_all(self, profile_id: str) -> None: ...
