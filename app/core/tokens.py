"""Tokens and their state: parsing a token response (RFC 6749 §5.1), expiry maths, pasted tokens.

Every time-dependent answer takes `now` from the caller (an injected clock), never the system.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from app.core import safe_json
from app.core.errors import BadResponseError
from app.core.jwtinfo import DecodedJwt, decode_unverified


class TokenState(StrEnum):
    NONE = "none"
    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    FAILED = "failed"


class TokenSource(StrEnum):
    FETCHED = "fetched"
    PASTED = "pasted"


@dataclass(frozen=True)
class ExpiryPolicy:
    """A token is "expiring" when less than `min_seconds` or `fraction` of its lifetime is left
    (whichever is more), but never for more than the second half of its life."""

    min_seconds: float = 60.0
    fraction: float = 0.10

    def margin(self, lifetime: timedelta | None) -> timedelta:
        by_fraction = lifetime * self.fraction if lifetime else timedelta(0)
        margin = max(timedelta(seconds=self.min_seconds), by_fraction)
        if lifetime is not None and lifetime > timedelta(0):
            # A 30-second token would otherwise be "expiring" from birth and an auto-refresh
            # would fetch without pause: never more than half the lifetime.
            margin = min(margin, lifetime / 2)
        return margin


# RFC 6750 §2.1 b64token: what may follow "Bearer " in a header. Anything else (spaces, CR/LF,
# quotes, `$`, backticks) would split or inject a header, or run code when a copied curl
# command is pasted into a shell, so such a token is refused rather than passed on.
B64TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
# token_type is an auth-scheme name (RFC 7235 §2.1), in practice Bearer, DPoP, N_A or MAC.
TOKEN_TYPE = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,39}")
# Beyond this an expires_in is no lifetime (1e308 or 3e11 seconds overflow datetime): ignored.
MAX_LIFETIME_SECONDS = 100 * 365 * 24 * 3600


def check_token_chars(token: str, *, what: str = "The server's token") -> str:
    """`token` when it is an RFC 6750 b64token; otherwise a BadResponseError in plain words."""
    if not B64TOKEN.fullmatch(token):
        bad = next((c for c in token if not B64TOKEN.fullmatch(c) and c != "="), "=")
        raise BadResponseError(
            f"{what} contains characters a token may not have ({_describe(bad)}).",
            "A token is letters, digits and - . _ ~ + / (RFC 6750); get a fresh one, or copy it "
            "again without anything around it.",
        )
    return token


def _describe(char: str) -> str:
    if char in "\r\n":
        return "a line break"
    if char.isspace():
        return "a space"
    if not char.isprintable():
        return f"the control character U+{ord(char):04X}"
    return f"“{char}”"


# Response fields that are secrets in their own right and are never kept with the token record.
_DROPPED_FIELDS = frozenset({"access_token", "refresh_token", "id_token"})


@dataclass(frozen=True)
class Token:
    access_token: str = field(repr=False)
    token_type: str
    issued_at: datetime
    expires_at: datetime | None
    scopes: tuple[str, ...] = ()
    source: TokenSource = TokenSource.FETCHED
    extra: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    # The server's answer had no `scope`, so `scopes` are the requested ones (RFC 6749 §5.1):
    # show them marked "as requested".
    scopes_as_requested: bool = False
    # Settings this fetch found the server needs ({"basic_encoding": "raw"}), for the
    # application layer to save on the profile once. Never cached: only the fetch that learned
    # it carries it.
    learned: dict[str, str] = field(default_factory=dict)

    @property
    def lifetime(self) -> timedelta | None:
        return self.expires_at - self.issued_at if self.expires_at else None

    def remaining(self, now: datetime) -> timedelta | None:
        return self.expires_at - now if self.expires_at else None

    def state(self, now: datetime, policy: ExpiryPolicy = ExpiryPolicy()) -> TokenState:
        remaining = self.remaining(now)
        if remaining is None:
            return TokenState.VALID
        if remaining <= timedelta(0):
            return TokenState.EXPIRED
        if remaining <= policy.margin(self.lifetime):
            return TokenState.EXPIRING
        return TokenState.VALID

    def refresh_at(self, policy: ExpiryPolicy = ExpiryPolicy()) -> datetime | None:
        """When an auto-refresh should fetch the next token: as it enters the expiring window."""
        if self.expires_at is None:
            return None
        return self.expires_at - policy.margin(self.lifetime)

    @property
    def header_scheme(self) -> str:
        # RFC 6750 spells it "Bearer"; servers send "bearer", "BEARER"... (token_type is
        # case-insensitive, RFC 6749 §5.1).
        scheme = {"bearer": "Bearer", "dpop": "DPoP"}.get(self.token_type.lower())
        return scheme or self.token_type

    @property
    def authorization_header(self) -> str:
        return f"{self.header_scheme} {self.access_token}"

    @property
    def jwt(self) -> DecodedJwt | None:
        return decode_unverified(self.access_token)

    def to_json(self) -> str:
        """Serialised for the keychain cache (the only place a token is written to)."""
        return json.dumps(
            {
                "v": 1,
                "access_token": self.access_token,
                "token_type": self.token_type,
                "issued_at": self.issued_at.timestamp(),
                "expires_at": self.expires_at.timestamp() if self.expires_at else None,
                "scopes": list(self.scopes),
                "source": str(self.source),
                "extra": self.extra,
                "warnings": list(self.warnings),
                "scopes_as_requested": self.scopes_as_requested,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Token | None:
        """The cached token, or None when the cache entry is unreadable (it is then refetched)."""
        try:
            data = safe_json.loads(text)
            expires = data.get("expires_at")
            return cls(
                access_token=str(data["access_token"]),
                token_type=str(data["token_type"]),
                issued_at=datetime.fromtimestamp(float(data["issued_at"]), UTC),
                expires_at=datetime.fromtimestamp(float(expires), UTC) if expires else None,
                scopes=tuple(str(s) for s in data.get("scopes", [])),
                source=TokenSource(data.get("source", "fetched")),
                extra=dict(data.get("extra", {})),
                warnings=tuple(str(w) for w in data.get("warnings", [])),
                scopes_as_requested=data.get("scopes_as_requested") is True,
            )
        except (ValueError, KeyError, TypeError, OverflowError):
            return None


def _parse_expires_in(value: Any) -> tuple[float | None, str | None]:
    if value is None:
        return None, None
    if isinstance(value, bool):
        return None, f"The server sent expires_in={value!r}, which is not a number; ignored."
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None, f"The server sent expires_in={value!r}, which is not a number; ignored."
    else:
        return None, f"The server sent expires_in={value!r}, which is not a number; ignored."
    if not math.isfinite(number) or number < 0 or number > MAX_LIFETIME_SECONDS:
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:40] + "…"
        return None, f"The server sent expires_in={shown}, which is not a lifetime; ignored."
    return number, None


def token_from_response(body: dict[str, Any], now: datetime) -> Token:
    """A Token from a successful token response. Raises BadResponseError when it holds none."""
    access_token = body.get("access_token")
    if not isinstance(access_token, str) or not access_token.strip():
        raise BadResponseError(
            "The server answered without an access token.",
            "Check the token URL: it may not be the token endpoint of your identity server.",
        )
    check_token_chars(access_token.strip())
    warnings: list[str] = []
    token_type = body.get("token_type")
    if not isinstance(token_type, str) or not token_type.strip():
        warnings.append("The server did not say the token type; assuming Bearer.")
        token_type = "Bearer"
    elif not TOKEN_TYPE.fullmatch(token_type.strip()):
        raise BadResponseError(
            "The server's token type is not a valid name "
            f"(“{token_type[:40]}”; it should be Bearer or DPoP).",
            "The identity server's answer is broken; tell its admin.",
        )
    elif token_type.lower() not in {"bearer", "n_a", "dpop"}:
        warnings.append(
            f"The server issued a “{token_type}” token; Tokendesk sends it as "
            f"“Authorization: {token_type} …”, which most APIs do not expect."
        )
    seconds, warning = _parse_expires_in(body.get("expires_in"))
    if warning:
        warnings.append(warning)
    decoded = decode_unverified(access_token)
    expires_at: datetime | None = None
    if seconds is not None:
        expires_at = now + timedelta(seconds=seconds)
    elif decoded is not None and decoded.time_claim("exp") is not None:
        expires_at = decoded.time_claim("exp")
    scope = body.get("scope")
    if isinstance(scope, str):
        scopes = tuple(scope.split())
    elif isinstance(scope, list):
        scopes = tuple(str(s) for s in scope)
    else:
        scopes = decoded.scopes if decoded else ()
    return Token(
        access_token=access_token.strip(),
        token_type=token_type.strip(),
        issued_at=now,
        expires_at=expires_at,
        scopes=scopes,
        extra={k: v for k, v in body.items() if k not in _DROPPED_FIELDS | {"token_type"}},
        warnings=tuple(warnings),
    )


def token_from_pasted(text: str, now: datetime) -> Token:
    """A token obtained elsewhere (a developer-tools page, a colleague): accepts the raw token,
    `Bearer …`, `Authorization: Bearer …`, or a whole JSON token response."""
    cleaned = text.strip()
    if cleaned.startswith("{"):
        try:
            body = safe_json.loads(cleaned)
        except ValueError:
            body = None
        if isinstance(body, dict):
            return replace(token_from_response(body, now), source=TokenSource.PASTED)
    if cleaned.lower().startswith("authorization:"):
        cleaned = cleaned.split(":", 1)[1].strip()
    token_type = "Bearer"
    first, _, rest = cleaned.partition(" ")
    if rest and first.lower() in {"bearer", "dpop"}:
        token_type, cleaned = ("Bearer" if first.lower() == "bearer" else "DPoP"), rest.strip()
    if not cleaned or any(c.isspace() for c in cleaned):
        raise BadResponseError(
            "That does not look like a token: it is empty or has spaces inside.",
            "Paste just the token, or the whole “Bearer …” value.",
        )
    check_token_chars(cleaned, what="The pasted token")
    decoded = decode_unverified(cleaned)
    issued = decoded.time_claim("iat") if decoded else None
    return Token(
        access_token=cleaned,
        token_type=token_type,
        issued_at=issued or now,
        expires_at=decoded.time_claim("exp") if decoded else None,
        scopes=decoded.scopes if decoded else (),
        source=TokenSource.PASTED,
        warnings=() if decoded else ("Not a JWT: its expiry is unknown.",),
    )
