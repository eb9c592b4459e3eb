"""DPoP proofs (RFC 9449) and the token request's nonce handling, with httpx.MockTransport."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import httpx
import jwt
import pytest

from app.core import api_call, dpop, oauth
from app.core.client_auth import Credentials
from app.core.errors import BadResponseError, OAuthServerError
from app.core.profiles import Profile
from app.core.tokens import Token

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
TOKEN_URL = "https://idp.example/token"


def signer(alg: str = "ES256") -> dpop.DpopSigner:
    return dpop.DpopSigner(dpop.DpopKey(dpop.generate_key(alg)), dpop.NonceBook(), lambda: NOW)


def verified(proof: str) -> tuple[dict[str, Any], dict[str, Any]]:
    header = jwt.get_unverified_header(proof)
    claims = jwt.decode(proof, jwt.PyJWK(header["jwk"]), algorithms=[header["alg"]])
    return header, claims


@pytest.mark.parametrize("alg", ["ES256", "RS256"])
def test_a_proof_names_the_request_and_carries_the_public_key_only(alg: str) -> None:
    maker = signer(alg)
    proof = maker.header("get", "https://api.example/orders?page=2#top", access_token="tok")
    header, claims = verified(proof)
    assert header["typ"] == "dpop+jwt"
    assert header["alg"] == alg
    assert "d" not in header["jwk"]
    assert claims["htm"] == "GET"
    assert claims["htu"] == "https://api.example/orders"
    assert claims["iat"] == int(NOW.timestamp())
    assert claims["ath"] == dpop.ath("tok")
    assert dpop.thumbprint(header["jwk"]) == maker.key.thumbprint
    assert "nonce" not in claims
    assert verified(maker.header("GET", "https://api.example/"))[1]["jti"] != claims["jti"]


def test_rfc7638_thumbprint_example() -> None:
    # RFC 7638 §3.1's example key and thumbprint.
    jwk = {
        "kty": "RSA",
        "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6"
        "tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65Y"
        "GjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-"
        "bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
        "e": "AQAB",
        "alg": "RS256",
    }
    assert dpop.thumbprint(jwk) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_nonces_are_kept_per_origin_newest_wins() -> None:
    book = dpop.NonceBook()
    assert book.remember("https://idp.example/token", {"DPoP-Nonce": "n1"})
    assert not book.remember("https://idp.example/other", {"dpop-nonce": "n1"})
    assert book.remember("https://idp.example:443/x", {"DPoP-Nonce": "n2"})
    assert book.get("https://idp.example/token") == "n2"
    assert book.get("https://api.example/") is None


def run_token(handler: Any, maker: dpop.DpopSigner) -> Token:
    async def go() -> Token:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            return await oauth.request_token(
                client,
                Profile(name="p", client_id="c", token_url=TOKEN_URL, dpop=True),
                Credentials(client_secret="s"),
                token_endpoint=TOKEN_URL,
                now=NOW,
                proof=maker,
            )

    return asyncio.run(go())


def test_use_dpop_nonce_is_retried_once_with_the_servers_nonce() -> None:
    proofs: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        proofs.append(verified(request.headers["DPoP"])[1])
        if "nonce" not in proofs[-1]:
            return httpx.Response(
                400, json={"error": "use_dpop_nonce"}, headers={"DPoP-Nonce": "srv-1"}
            )
        body = {"access_token": "T", "token_type": "DPoP", "expires_in": 60}
        return httpx.Response(200, json=body, headers={"DPoP-Nonce": "srv-2"})

    maker = signer()
    token = run_token(handler, maker)
    assert token.token_type == "DPoP"
    assert token.authorization_header == "DPoP T"
    assert not token.warnings
    assert [p.get("nonce") for p in proofs] == [None, "srv-1"]
    assert proofs[0]["jti"] != proofs[1]["jti"]
    assert maker.nonces.get(TOKEN_URL) == "srv-2"  # the newest one is kept


def test_a_server_that_keeps_asking_for_a_nonce_is_not_looped() -> None:
    calls: list[int] = []

    def handler(_request: httpx.Request) -> httpx.Response:
        calls.append(1)
        nonce = f"n{len(calls)}"
        return httpx.Response(400, json={"error": "use_dpop_nonce"}, headers={"DPoP-Nonce": nonce})

    with pytest.raises(OAuthServerError):
        run_token(handler, signer())
    assert len(calls) == 2


def test_a_server_without_dpop_is_one_plain_sentence() -> None:
    def handler(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"access_token": "T", "token_type": "Bearer"})

    with pytest.raises(BadResponseError) as caught:
        run_token(handler, signer())
    assert caught.value.message.startswith("The identity server does not support DPoP")
    assert "Turn DPoP off" in caught.value.hint


def test_api_calls_carry_a_fresh_proof_with_ath_and_retry_once_with_the_api_nonce() -> None:
    maker = signer()
    seen: list[tuple[str, dict[str, Any]]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.headers["Authorization"], verified(request.headers["DPoP"])[1]))
        if seen[-1][1].get("nonce") != "api-n":
            challenge = 'DPoP error="use_dpop_nonce", error_description="nonce"'
            return httpx.Response(
                401, headers={"WWW-Authenticate": challenge, "DPoP-Nonce": "api-n"}
            )
        return httpx.Response(200, json={"ok": True})

    token = Token("AT", "DPoP", NOW, None)

    async def source(_force: bool) -> Token:
        return token

    async def signer_source() -> dpop.DpopSigner:
        return maker

    async def go() -> int:
        auth = api_call.DpopTokenAuth(source, signer_source)
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            return (await client.get("https://api.example/orders?x=1", auth=auth)).status_code

    assert asyncio.run(go()) == 200
    assert [a for a, _ in seen] == ["DPoP AT", "DPoP AT"]
    assert all(
        c["ath"] == dpop.ath("AT") and c["htu"] == "https://api.example/orders" for _, c in seen
    )
    assert seen[0][1]["jti"] != seen[1][1]["jti"]


def test_discovery_reads_the_mtls_endpoint_aliases() -> None:
    issuer = "https://idp.example"
    body = {
        "issuer": issuer,
        "token_endpoint": f"{issuer}/token",
        "mtls_endpoint_aliases": {"token_endpoint": "https://mtls.idp.example/token", "x": 3},
    }

    def handler(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=json.dumps(body))

    async def go() -> oauth.ServerMetadata:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            return await oauth.discover(client, issuer)

    found = asyncio.run(go())
    assert found.endpoint("token_endpoint", mtls=True) == "https://mtls.idp.example/token"
    assert found.endpoint("token_endpoint", mtls=False) == f"{issuer}/token"
    assert found.endpoint("revocation_endpoint", mtls=True) == ""
    assert "x" not in found.mtls_aliases
