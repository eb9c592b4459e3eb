"""`tokendesk import`, `--env` and `tokendesk proof` as a script runs them: a vendor's Postman
collection with a client-credentials environment imports in one step and its first request
returns 200 from the test API; each environment's token stays its own; DPoP proofs verify."""

from __future__ import annotations

import json
from pathlib import Path

import jwt
import pytest

from tests.integration.test_cli import Cli, add
from tests.integration.test_import_postman import settings
from tests.support import peers
from tests.support.idp import IdentityServer
from tests.support.resource_server import ResourceServer

pytestmark = [pytest.mark.idp, pytest.mark.keychain]


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


def test_import_then_send_the_first_request_in_its_environment(
    cli: Cli, idp: IdentityServer, api: ResourceServer, tmp_path: Path
) -> None:
    client = idp.clients["basic"]
    assert client.secret
    collection, environment = peers.make_postman(
        tmp_path,
        settings(api.base, idp.token_endpoint, client.client_id, client.secret, "api:read"),
    )
    dry = cli("import", str(collection), str(environment), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "1 profile" in dry.stderr
    assert "Nothing was written" in dry.stderr
    assert cli("profile", "list").stdout == ""

    done = cli("import", str(collection), str(environment))
    assert done.returncode == 0, done.stderr
    assert "keychain" in done.stderr
    assert client.secret not in done.stderr + done.stdout
    assert cli("profile", "list").stdout.startswith("Orders API  ")

    listed = cli("request", "list", "Orders API")
    assert "Orders / List orders" in listed.stdout
    sent = cli("request", "send", "Orders API", "Orders / List orders", "--env", "Staging")
    assert sent.returncode == 0, sent.stderr
    assert json.loads(sent.stdout)

    staging = cli("token", "Orders API", "--env", "Staging").stdout.strip()
    assert staging.count(".") == 2
    assert cli("token", "Orders API", "--env", "Staging").stdout.strip() == staging  # cached
    unknown = cli("token", "Orders API", "--env", "Nowhere")
    assert unknown.returncode == 2
    assert "Staging" in unknown.stderr

    again = cli("import", str(collection), str(environment))
    assert again.returncode == 0, again.stderr
    assert cli("profile", "list").stdout.count("\n") == 1  # updated, not duplicated


def test_proof_prints_a_dpop_header_bound_to_method_url_and_token(
    cli: Cli, idp: IdentityServer
) -> None:
    add(cli, idp, "Bound", "basic", "--dpop", "--scope", "api:read")
    token = cli("token", "Bound", "--header").stdout.strip().removeprefix("Authorization: DPoP ")
    done = cli("proof", "Bound", "post", "https://api.example/orders?page=2")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("DPoP: ")
    proof = done.stdout.strip().removeprefix("DPoP: ")
    header = jwt.get_unverified_header(proof)
    assert header["typ"] == "dpop+jwt"
    key = jwt.PyJWK(header["jwk"])
    claims = jwt.decode(proof, key.key, algorithms=[header["alg"]])
    assert claims["htm"] == "POST"
    assert claims["htu"] == "https://api.example/orders"
    import base64
    import hashlib

    digest = hashlib.sha256(token.encode()).digest()
    assert claims["ath"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    add(cli, idp, "Plain", "basic", "--scope", "api:read")
    plain = cli("proof", "Plain", "GET", "https://api.example/")
    assert plain.returncode == 2
    assert "does not use DPoP" in plain.stderr
