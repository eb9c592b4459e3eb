"""Sender-constrained requests for a profile: which HTTP client (one that presents the TLS client
certificate, RFC 8705), which endpoint (the server's mTLS alias) and which DPoP signer (RFC 9449).

The token manager uses it for the token, revocation and introspection requests, and the API
call path for the profile's API, so a certificate-bound or DPoP-bound token always travels the
way it was bound.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING

from app.core import certs
from app.core.dpop import DpopKey, DpopSigner, NonceBook, generate_key
from app.core.errors import ProfileError
from app.core.http_clients import HttpClients
from app.core.profiles import Profile
from app.core.secrets import SecretKind, SecretStore

if TYPE_CHECKING:
    import httpx

    from app.core.oauth import ServerMetadata
    from app.core.tokens import Token


class Senders:
    def __init__(
        self, http: HttpClients, secrets: SecretStore, clock: Callable[[], datetime]
    ) -> None:
        self._http = http
        self._secrets = secrets
        self._clock = clock
        self.nonces = NonceBook()  # shared by every profile: nonces belong to servers
        self._signers: dict[str, tuple[str, DpopSigner]] = {}
        self._key_lock = asyncio.Lock()

    async def client(self, profile: Profile) -> httpx.AsyncClient:
        """The HTTP client for the profile's requests: with its TLS client certificate when it
        presents one, else the shared client for its TLS settings."""
        if not profile.presents_certificate:
            return self._http.get(profile.verify_tls, profile.ca_bundle)
        key = await self._secrets.get(profile.id, SecretKind.CLIENT_CERT_KEY)
        if not key:
            raise ProfileError(
                f"The profile “{profile.name}” has a client certificate but not its private key.",
                "Choose the certificate's key file (or its PKCS#12 file) in the profile; the key "
                "is kept in the OS keychain.",
            )
        certs.check_pair(profile.client_cert, key, self._clock())
        return self._http.with_certificate(
            profile.verify_tls, profile.ca_bundle, profile.client_cert, key
        )

    def endpoint(self, profile: Profile, metadata: ServerMetadata, name: str) -> str:
        """RFC 8705 §5: a client presenting a certificate uses the mTLS alias of an endpoint."""
        return metadata.endpoint(name, mtls=profile.presents_certificate)

    async def signer(self, profile: Profile) -> DpopSigner | None:
        """The profile's DPoP signer (None when it does not use DPoP). The key pair is made on
        first use and kept in the keychain; a change of algorithm makes a new one."""
        if not profile.dpop:
            return None
        cached = self._signers.get(profile.id)
        if cached is not None and cached[0] == profile.dpop_alg:
            return cached[1]
        async with self._key_lock:
            stored = await self._secrets.get(profile.id, SecretKind.DPOP_KEY)
            key = DpopKey(stored) if stored else None
            if key is None or key.alg != profile.dpop_alg:
                key = DpopKey(generate_key(profile.dpop_alg))
                await self._secrets.set(profile.id, SecretKind.DPOP_KEY, key.private_jwk)
            signer = DpopSigner(key, self.nonces, self._clock)
            self._signers[profile.id] = (profile.dpop_alg, signer)
            return signer

    async def proof(self, profile: Profile, method: str, url: str, token: Token | None) -> str:
        """A `DPoP` header value for one request to `url` (for `tokendesk proof` and curl
        copies); with the token's `ath` when a token is given."""
        signer = await self.signer(profile)
        if signer is None:
            raise ProfileError(
                f"The profile “{profile.name}” does not use DPoP.",
                "Turn on DPoP in the profile to make proofs.",
            )
        return signer.header(method, url, token.access_token if token else None)

    def token_auth(self, profile: Profile, token: Callable[[bool], Awaitable[Token]]) -> httpx.Auth:
        """The httpx.Auth for the profile's API calls: DPoP proofs when the profile uses DPoP,
        else the bearer token (both refresh once on invalid_token)."""
        from app.core.api_call import DpopTokenAuth, ProfileTokenAuth

        if profile.dpop:
            return DpopTokenAuth(token, lambda: self.signer(profile))
        return ProfileTokenAuth(token)

    def forget(self, profile_id: str) -> None:
        self._signers.pop(profile_id, None)


def certificate_key_kind(*, tls: bool) -> SecretKind:
    """Where a certificate's key is kept: the TLS client certificate's under CLIENT_CERT_KEY,
    the private_key_jwt signing certificate's as the profile's private key."""
    return SecretKind.CLIENT_CERT_KEY if tls else SecretKind.PRIVATE_KEY


def with_certificate(
    profile: Profile, credential: certs.CertificateCredential, *, tls: bool
) -> Profile:
    """`profile` holding the PEM certificate (its key goes to the keychain, not here). `tls`:
    the TLS client certificate (mTLS methods or bound tokens); else the private_key_jwt signing
    certificate (the assertion then carries x5t and x5t#S256)."""
    if tls:
        return profile.with_changes(client_cert=credential.certificate)
    return profile.with_changes(assertion_cert=credential.certificate)


async def store_certificate(
    secrets: SecretStore, profile: Profile, credential: certs.CertificateCredential, *, tls: bool
) -> Profile:
    """Keep a certificate for `profile` now: its key into the keychain, the PEM certificate into
    the returned profile (save it). For a token request before the profile is saved; a save
    itself gives its certificates to `Desk.save_profile`, which writes them with the profile."""
    await secrets.set(profile.id, certificate_key_kind(tls=tls), credential.private_key)
    return with_certificate(profile, credential, tls=tls)
