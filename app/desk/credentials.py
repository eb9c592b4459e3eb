"""Desk's use cases around credentials: trying settings before anything is saved, keeping a
certificate, dropping a profile's secrets, and the parts of an API call other front doors (the
local proxy) need. A mixin so `Desk` stays one small class per concern."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.core.client_auth import Credentials

if TYPE_CHECKING:
    import httpx

    from app.core.binding_info import BindingInfo
    from app.core.certs import CertificateCredential
    from app.core.profiles import Profile
    from app.core.secrets import SecretStore
    from app.core.token_manager import TokenManager
    from app.core.tokens import Token


class CredentialUseCases:
    _tokens: TokenManager
    _secrets: SecretStore

    async def try_profile(
        self, profile: Profile, *, secret: str | None = None, private_key: str | None = None
    ) -> Token:
        """One token request with these credentials; nothing is cached and no secret is read
        from the keychain (`profile add --check`)."""
        credentials = Credentials(client_secret=secret, private_key=private_key)
        return await self._tokens.request(profile, credentials)

    async def store_certificate(
        self, profile: Profile, credential: CertificateCredential, *, tls: bool
    ) -> Profile:
        """The certificate's key into the keychain; returns the profile holding the PEM
        certificate, to be saved. `tls`: the TLS client certificate; else the private_key_jwt
        signing certificate (its key becomes the profile's private key)."""
        from app.core.senders import store_certificate

        return await store_certificate(self._secrets, profile, credential, tls=tls)

    async def token_binding(self, profile: Profile, token: Token) -> BindingInfo:
        """What `token` is bound to (certificate, DPoP key or nothing), checked against the
        profile's certificate and DPoP key, for the token panel."""
        from app.core.binding_info import binding_info

        signer = await self._tokens.senders.signer(profile) if profile.dpop else None
        return binding_info(token, profile, signer.key.thumbprint if signer else None)

    async def forget_secrets(self, profile_id: str) -> None:
        """Every keychain entry of a profile that was never saved (a failed `--check`)."""
        await self._tokens.remove_profile(profile_id)

    async def api_auth(self, profile: Profile) -> tuple[httpx.AsyncClient, httpx.Auth]:
        """The client and the httpx.Auth the composer uses for this profile's API: its TLS
        client certificate, DPoP proofs, the token renewed before expiry and once on
        `401 invalid_token`."""

        def source(force: bool) -> object:
            return self._tokens.get_token(profile, force=force)

        senders = self._tokens.senders
        return await senders.client(profile), senders.token_auth(profile, source)  # type: ignore[arg-type]
