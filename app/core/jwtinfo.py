"""Reading JWTs: decode without verifying (always labelled so), or verify against a JWKS."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from app.core import safe_json
from app.core.errors import TokenVerificationError

if TYPE_CHECKING:
    import jwt

TIME_CLAIMS = ("exp", "iat", "nbf", "auth_time")


@dataclass(frozen=True)
class DecodedJwt:
    """Header and claims of a JWT, read WITHOUT checking the signature."""

    header: dict[str, Any]
    claims: dict[str, Any]
    verified: bool = False

    def time_claim(self, name: str) -> datetime | None:
        value = self.claims.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            try:
                return datetime.fromtimestamp(value, UTC)
            except (OverflowError, OSError, ValueError):
                return None
        return None

    @property
    def scopes(self) -> tuple[str, ...]:
        # RFC 9068 uses "scope" (space-separated); Azure AD "scp"; some servers a list.
        for key in ("scope", "scp", "scopes"):
            value = self.claims.get(key)
            if isinstance(value, str):
                return tuple(value.split())
            if isinstance(value, list):
                return tuple(str(v) for v in value)
        return ()


def _b64json(segment: str) -> dict[str, Any] | None:
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        value = safe_json.loads(raw)
    except (binascii.Error, ValueError):
        return None
    return value if isinstance(value, dict) else None


def decode_unverified(token: str) -> DecodedJwt | None:
    """The header and claims of a JWS compact token, or None when the token is not a JWT
    (opaque tokens are normal and not an error)."""
    parts = token.strip().split(".")
    if len(parts) != 3:
        return None
    header, claims = _b64json(parts[0]), _b64json(parts[1])
    if header is None or claims is None or "alg" not in header:
        return None
    return DecodedJwt(header=header, claims=claims)


def verify(
    token: str,
    jwks: dict[str, Any],
    *,
    issuer: str | None,
    audience: str | list[str] | None,
    now: datetime,
    leeway_seconds: float = 60,
) -> DecodedJwt:
    """Check the signature against the issuer's JWKS and the iss/aud/exp/nbf claims."""
    import jwt  # on first use: the window paints before PyJWT and cryptography load

    decoded = decode_unverified(token)
    if decoded is None:
        raise TokenVerificationError(
            "This token is not a JWT, so its signature cannot be checked here.",
            "Opaque tokens can only be checked by the server: use Introspect if it is offered.",
        )
    alg = str(decoded.header.get("alg", ""))
    if alg.lower() == "none" or alg.startswith("HS"):
        raise TokenVerificationError(
            f"The token uses “{alg}”, which cannot be checked against public keys.",
            "Ask the API owner how their tokens are signed.",
        )
    key = _pick_key(jwks, decoded.header)
    options: jwt.types.Options = {"verify_aud": audience is not None, "verify_iss": bool(issuer)}
    try:
        claims = jwt.api_jwt.PyJWT(options={"verify_exp": False, "verify_nbf": False}).decode(
            token,
            key=key,
            algorithms=[alg],
            audience=audience,
            issuer=issuer or None,
            options=options,
            leeway=leeway_seconds,
        )
    except jwt.InvalidAudienceError as exc:
        raise TokenVerificationError(
            f"The token is for a different audience ({decoded.claims.get('aud')!r}).",
            "Check the audience or resource in the profile.",
            details=str(exc),
        ) from exc
    except jwt.InvalidIssuerError as exc:
        raise TokenVerificationError(
            f"The token was issued by {decoded.claims.get('iss')!r}, not by {issuer!r}.",
            "Check the issuer URL in the profile.",
            details=str(exc),
        ) from exc
    except jwt.InvalidSignatureError as exc:
        raise TokenVerificationError(
            "The token's signature does not match the issuer's published keys.",
            "The token may be forged or from another server; get a fresh token.",
            details=str(exc),
        ) from exc
    except jwt.PyJWTError as exc:
        raise TokenVerificationError(
            "The token could not be verified.",
            "Look at the details; a fresh token may help.",
            details=f"{type(exc).__name__}: {exc}",
        ) from exc
    verified = DecodedJwt(header=decoded.header, claims=claims, verified=True)
    _check_times(verified, now, leeway_seconds)
    return verified


def _check_times(decoded: DecodedJwt, now: datetime, leeway: float) -> None:
    # Checked against the injected clock rather than PyJWT's own, so tests and the UI agree.
    exp, nbf = decoded.time_claim("exp"), decoded.time_claim("nbf")
    if exp is not None and (now - exp).total_seconds() > leeway:
        raise TokenVerificationError(
            "The signature is genuine, but the token has expired.", "Get a fresh token."
        )
    if nbf is not None and (nbf - now).total_seconds() > leeway:
        raise TokenVerificationError(
            "The signature is genuine, but the token is not valid yet (its nbf is in the future).",
            "Check this computer's clock; it may be behind the server's.",
        )


def _pick_key(jwks: dict[str, Any], header: dict[str, Any]) -> jwt.PyJWK:
    import jwt

    keys = jwks.get("keys")
    if not isinstance(keys, list) or not keys:
        raise TokenVerificationError(
            "The issuer publishes no signing keys.", "Check the issuer URL in the profile."
        )
    kid = header.get("kid")
    candidates = [k for k in keys if isinstance(k, dict) and (kid is None or k.get("kid") == kid)]
    candidates = [k for k in candidates if k.get("use", "sig") == "sig"]
    if not candidates:
        raise TokenVerificationError(
            f"None of the issuer's published keys has the id “{kid}” that signed this token.",
            "The server may have rotated its keys; get a fresh token.",
        )
    try:
        return jwt.PyJWK(candidates[0], algorithm=header.get("alg"))
    except jwt.PyJWTError as exc:
        raise TokenVerificationError(
            "The issuer's signing key could not be read.",
            "Look at the details; the key set may use an algorithm Tokendesk does not support.",
            details=str(exc),
        ) from exc
