"""Issue 12 §2: with an issuer and no method chosen, the server's metadata picks how the client
signs in; the pick is said once, saved on the profile, and the token it got stays cached."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from app.core.profiles import AuthMethod, Profile
from app.desk.wiring import open_desk
from tests.support.idp import IdentityServer

pytestmark = [pytest.mark.idp, pytest.mark.keychain]


def test_a_key_and_no_chosen_method_signs_in_with_private_key_jwt(
    idp: IdentityServer, tmp_path: Path
) -> None:
    client = idp.clients["pkjwt"]
    assert client.private_key_pem

    async def scenario() -> tuple[tuple[str, ...], Profile, bool]:
        desk = open_desk(tmp_path / "config", tmp_path / "data")
        try:
            profile = Profile(
                name="Keyed",
                client_id=client.client_id,
                issuer_url=idp.issuer,
                scopes=("api:read",),
                auth_method_chosen=False,
            )
            await desk.add_profile(profile, private_key=client.private_key_pem)
            token = await desk.get_token(profile)
        finally:
            await desk.shutdown()
        # A later run (the next CLI call) finds the profile changed and the token still cached.
        later = open_desk(tmp_path / "config", tmp_path / "data")
        try:
            saved = later.find("Keyed")
            again = await later.get_token(saved)
            return token.warnings, saved, again.access_token == token.access_token
        finally:
            await later.shutdown()

    warnings, saved, reused = asyncio.run(scenario())
    assert any("Picked private_key_jwt because the profile has a key" in w for w in warnings)
    assert saved.auth_method is AuthMethod.PRIVATE_KEY_JWT
    assert saved.auth_method_chosen
    assert reused  # served from the keychain cache: no second token request
