"""The grant a token request asks for, as a table: client credentials (RFC 6749 §4.4) for every
client authentication method, and the JWT-bearer grant (RFC 7523 §2.1) that service-account keys
use, where a signed assertion is the grant itself."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from app.core.client_auth import Credentials, sign_with_key
from app.core.errors import ProfileError
from app.core.profiles import AuthMethod, Profile

JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# Google refuses assertions that live longer than an hour; shorter is safer everywhere.
JWT_BEARER_LIFETIME = timedelta(hours=1)

Form = list[tuple[str, str]]


def jwt_bearer_assertion(
    profile: Profile, private_key: str, token_endpoint: str, now: datetime
) -> str:
    """RFC 7523 §3 as service-account keys use it: iss = the account (client_email), aud = the
    token endpoint (token_uri), the scopes as a claim too (Google reads them there), kid = the
    key's id (private_key_id) so the server finds the public half."""
    claims: dict[str, object] = {
        "iss": profile.client_id,
        "aud": token_endpoint,
        "iat": int(now.timestamp()),
        "exp": int((now + JWT_BEARER_LIFETIME).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    if profile.scopes:
        claims["scope"] = profile.scope_string
    return sign_with_key(claims, private_key, profile.key_id)


def _client_credentials(
    profile: Profile, credentials: Credentials, token_endpoint: str, now: datetime
) -> Form:
    return [("grant_type", "client_credentials")]


def _jwt_bearer(
    profile: Profile, credentials: Credentials, token_endpoint: str, now: datetime
) -> Form:
    if not credentials.private_key:
        raise ProfileError(
            f"The profile “{profile.name}” has no service account key.",
            "Choose the service account's JSON key file again (its key is kept in the keychain).",
        )
    assertion = jwt_bearer_assertion(profile, credentials.private_key, token_endpoint, now)
    return [("grant_type", JWT_BEARER_GRANT), ("assertion", assertion)]


GrantBuilder = Callable[[Profile, Credentials, str, datetime], Form]

GRANTS: dict[AuthMethod, GrantBuilder] = {AuthMethod.JWT_BEARER: _jwt_bearer}


def grant_form(
    profile: Profile, credentials: Credentials, token_endpoint: str, now: datetime
) -> Form:
    """The grant's own form fields; client credentials unless the method is a grant itself."""
    builder = GRANTS.get(profile.auth_method, _client_credentials)
    return builder(profile, credentials, token_endpoint, now)
