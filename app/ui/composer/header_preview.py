"""The line above the composer that says which Authorization header a request will carry,
without showing the token unless the person asked to see it."""

from __future__ import annotations

from app.core.profiles import Profile
from app.core.tokens import Token


def header_preview(sending: Profile, token: Token | None, revealed: bool) -> str:
    # A DPoP profile's header is never the whole story: each request carries its own proof.
    proof = " · a DPoP proof is made for each request" if sending.dpop else ""
    if token is None:
        scheme = "DPoP" if sending.dpop else "Bearer"
        return f"Authorization: {scheme} •••• (a token for “{sending.name}” comes on Send){proof}"
    if revealed:
        return f"Authorization: {token.authorization_header}{proof}"
    if proof:
        return f"Authorization: {token.header_scheme} ••••{proof}"
    return f"Authorization: {token.header_scheme} •••• (from profile “{sending.name}”)"
