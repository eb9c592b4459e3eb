"""Basic credentials that work everywhere. RFC 6749 §2.3.1 form-encodes the id and secret
before base64, and Tokendesk does so first; several popular server libraries split on `:` and
compare without decoding, so a correct secret holding `+ : / % & =` or a space is refused. When
that happens, and only when the encoding changed something, the credentials are tried once as
typed, and what worked is handed back for the profile to keep."""

from __future__ import annotations

from dataclasses import replace

from app.core.client_auth import Credentials, form_encoding_changes
from app.core.errors import OAuthServerError
from app.core.profiles import AuthMethod, BasicEncoding, Profile
from app.core.tokens import Token

LEARNED_RAW = {"basic_encoding": BasicEncoding.RAW.value}
LEARNED_RAW_NOTE = (
    "This server expects the secret as typed, not form-encoded; saved for this profile."
)


def should_retry_raw(profile: Profile, credentials: Credentials, error: OAuthServerError) -> bool:
    """True when a refusal of form-encoded Basic credentials may be the encoding's fault."""
    if profile.auth_method is not AuthMethod.CLIENT_SECRET_BASIC:
        return False
    if profile.basic_encoding is not BasicEncoding.AUTO:
        return False  # the person (or an earlier fetch) settled it
    if error.error != "invalid_client" and error.status != 401:
        return False
    secret = credentials.client_secret or ""
    # A raw id holding ':' would be split in the wrong place by every server.
    return ":" not in profile.client_id and form_encoding_changes(profile.client_id, secret)


def as_typed(profile: Profile) -> Profile:
    return replace(profile, basic_encoding=BasicEncoding.RAW)


def learned_raw(token: Token) -> Token:
    return replace(
        token,
        learned={**token.learned, **LEARNED_RAW},
        warnings=(*token.warnings, LEARNED_RAW_NOTE),
    )


def apply_learned(profile: Profile, token: Token) -> Profile:
    """The profile with what the fetch learned (Basic credentials as typed, the sign-in method
    the server's metadata picked); the caller saves it when it differs."""
    if encoding := token.learned.get("basic_encoding"):
        profile = replace(profile, basic_encoding=BasicEncoding(encoding))
    if method := token.learned.get("auth_method"):
        # Picked once from the metadata; from now on it is the profile's method.
        profile = replace(profile, auth_method=AuthMethod(method), auth_method_chosen=True)
    return profile
