"""`Desk.curl_command`, the one rule for every "Copy as curl": bash runs the copied command
against the real API on https, signed by a private CA, and gets what Tokendesk's send gets —
because the command carries the profile's CA bundle (and its choice not to verify TLS)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from app.core.profiles import Profile
from app.core.request_spec import AuthMode, RequestSpec
from app.desk.views import CurlCopy
from app.desk.wiring import open_desk
from tests.support.curl_runner import status_from_bash
from tests.support.idp import IdentityServer
from tests.support.resource_server import ResourceServer

pytestmark = [pytest.mark.idp, pytest.mark.keychain]


def copies(
    idp: IdentityServer, api: ResourceServer, tmp_path: Path, **changes: object
) -> tuple[CurlCopy, CurlCopy, str]:
    client = idp.clients["basic"]
    profile = Profile(
        name="Private CA",
        client_id=client.client_id,
        token_url=idp.token_endpoint,
        scopes=("api:read",),
        api_base_url=api.base,
        ca_bundle=idp.ca_bundle,
    ).with_changes(**changes)

    async def go() -> tuple[CurlCopy, CurlCopy, str]:
        desk = open_desk(tmp_path / "config", tmp_path / "data")
        try:
            await desk.add_profile(profile, secret=client.secret)
            token = await desk.get_token(profile)
            spec = RequestSpec(url="/orders")
            real = await desk.curl_command(profile, spec, real_token=True)
            placeholder = await desk.curl_command(profile, spec)
            return real, placeholder, token.access_token
        finally:
            await desk.delete_profile(profile)
            await desk.shutdown()

    return asyncio.run(go())


def test_a_copy_trusts_the_profiles_private_ca(
    idp: IdentityServer, secure_api: ResourceServer, tmp_path: Path
) -> None:
    real, placeholder, token = copies(idp, secure_api, tmp_path)
    assert f"--cacert {idp.ca_bundle}" in real.text
    assert real.sensitive
    assert token in real.text
    assert status_from_bash(real.text) == "200"
    assert not placeholder.sensitive
    assert token not in placeholder.text
    assert status_from_bash(placeholder.text, {"TOKEN": token}) == "200"
    # Without the CA bundle curl does not trust the API: the option is what makes it work.
    untrusting = real.text.replace(f"--cacert {idp.ca_bundle}", "")
    assert status_from_bash(untrusting) == "000"


def test_a_profile_that_does_not_verify_tls_copies_as_insecure(
    idp: IdentityServer, secure_api: ResourceServer, tmp_path: Path
) -> None:
    real, _, _ = copies(idp, secure_api, tmp_path, ca_bundle="", verify_tls=False)
    assert "--insecure" in real.text
    assert "--cacert" not in real.text
    assert status_from_bash(real.text) == "200"


def test_no_token_means_no_authorization_and_nothing_sensitive(
    idp: IdentityServer, secure_api: ResourceServer, tmp_path: Path
) -> None:
    async def go() -> CurlCopy:
        desk = open_desk(tmp_path / "config", tmp_path / "data")
        try:
            spec = RequestSpec(url=f"{secure_api.base}/public", auth=AuthMode.NONE)
            return await desk.curl_command(None, spec, real_token=True)
        finally:
            await desk.shutdown()

    copy = asyncio.run(go())
    assert "Authorization" not in copy.text
    assert not copy.sensitive
    assert copy.what == "curl command"
