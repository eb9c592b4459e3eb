"""What a token is bound to, for the token panel: nothing (bearer), a TLS client certificate
(`cnf.x5t#S256`, RFC 8705 §3.1) or a DPoP key (`cnf.jkt` or token_type DPoP, RFC 9449 §6), and
whether that is the profile's own certificate or key. A certificate-bound token sent with another
certificate is refused by the API with an error that rarely says why; this says it first."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.core import certs
from app.core.errors import ProfileError
from app.core.profiles import Profile
from app.core.tokens import Token


class BoundTo(StrEnum):
    NOTHING = "bearer"
    CERTIFICATE = "certificate"
    DPOP_KEY = "dpop"


@dataclass(frozen=True)
class BindingInfo:
    """`text` is one line for a label; `matches` is None when it cannot be told (an opaque
    token, or a DPoP key not loaded yet)."""

    bound_to: BoundTo
    text: str
    thumbprint: str = ""
    matches: bool | None = None


def _cnf(token: Token) -> dict[str, object]:
    decoded = token.jwt
    cnf = decoded.claims.get("cnf") if decoded else None
    if not isinstance(cnf, dict):
        cnf = token.extra.get("cnf")  # some servers echo it in the token response
    return cnf if isinstance(cnf, dict) else {}


def _short(thumbprint: str) -> str:
    return f"{thumbprint[:8]}…"


def binding_info(token: Token, profile: Profile, dpop_thumbprint: str | None = None) -> BindingInfo:
    """The binding of `token`, checked against `profile`'s certificate and, when given, the
    thumbprint of its DPoP key (`Senders.signer(profile).key.thumbprint`)."""
    cnf = _cnf(token)
    x5t = cnf.get("x5t#S256")
    if isinstance(x5t, str) and x5t:
        try:
            mine = certs.x5t_s256(profile.client_cert) if profile.client_cert else ""
        except ProfileError:
            mine = ""
        same = mine == x5t
        verdict = (
            "the profile's certificate"
            if same
            else "not the profile's certificate: the API will refuse it"
        )
        return BindingInfo(
            BoundTo.CERTIFICATE, f"Bound to certificate {_short(x5t)} ({verdict})", x5t, same
        )
    jkt = cnf.get("jkt")
    if (isinstance(jkt, str) and jkt) or token.token_type.lower() == "dpop":
        thumb = jkt if isinstance(jkt, str) else ""
        matches = None if dpop_thumbprint is None or not thumb else dpop_thumbprint == thumb
        verdict = {
            True: "the profile's key",
            False: "not the profile's key: the API will refuse it",
            None: "proofs are made with the profile's key",
        }[matches]
        shown = f" {_short(thumb)}" if thumb else ""
        return BindingInfo(
            BoundTo.DPOP_KEY, f"Bound to DPoP key{shown} ({verdict})", thumb, matches
        )
    return BindingInfo(BoundTo.NOTHING, "Bearer token: anyone who holds it can use it")
