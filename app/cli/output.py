"""How a token is printed: one shape for the cached-token path and the full one."""

from __future__ import annotations

import json
from typing import TextIO

from app.core.tokens import Token


def token_json(token: Token) -> str:
    return json.dumps(
        {
            "access_token": token.access_token,
            "token_type": token.token_type,
            "expires_at": token.expires_at.isoformat() if token.expires_at else None,
            "scopes": list(token.scopes),
            # RFC 6749 §5.1: no `scope` in the answer means the requested ones were granted.
            "scopes_as_requested": token.scopes_as_requested,
        }
    )


def print_token(token: Token, *, header: bool, as_json: bool, out: TextIO, err: TextIO) -> None:
    for warning in token.warnings:
        print(f"Note: {warning}", file=err)
    if as_json:
        print(token_json(token), file=out)
    elif header:
        print(f"Authorization: {token.authorization_header}", file=out)
    else:
        print(token.access_token, file=out)
