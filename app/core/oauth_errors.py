"""OAuth error codes (RFC 6749 §5.2, RFC 8707, RFC 7009) in plain words, with what to do."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from app.core import safe_json
from app.core.errors import BadResponseError, Exchange, OAuthServerError
from app.core.profiles import AuthMethod
from app.core.redact import redact_values
from app.core.transport import RawResponse

EXPLANATIONS: dict[str, tuple[str, str]] = {
    "invalid_client": (
        "The identity server did not accept the client ID or secret.",
        "Check the client ID and secret, and the sign-in method the server expects "
        "(secret in the header or in the body, or a private key).",
    ),
    "invalid_scope": (
        "The identity server refused one of the requested scopes.",
        "Remove scopes this client is not allowed, or ask the server admin to grant them.",
    ),
    "invalid_target": (
        "The identity server does not know the requested resource (audience).",
        "Check the resource or audience field against the API's documentation.",
    ),
    "unauthorized_client": (
        "This client is not allowed to use the client-credentials grant.",
        "Ask the identity server admin to enable machine-to-machine access for the client.",
    ),
    "unsupported_grant_type": (
        "The identity server does not support the client-credentials grant at this URL.",
        "Check the token URL, or ask the admin to enable client credentials.",
    ),
    "invalid_grant": (
        "The identity server rejected the grant.",
        "Check the profile's settings against the API's documentation.",
    ),
    "invalid_request": (
        "The identity server said the token request is malformed.",
        "Check the extra parameters, scopes and resource; the server's description may say more.",
    ),
    "access_denied": (
        "The identity server denied access to this client.",
        "Ask the identity server admin whether the client is enabled.",
    ),
    "server_error": (
        "The identity server had an internal error.",
        "Try again in a moment; if it persists, tell the identity server's admin.",
    ),
    "temporarily_unavailable": (
        "The identity server is temporarily unavailable.",
        "Try again in a moment.",
    ),
    "unsupported_token_type": (
        "The identity server cannot revoke or inspect this kind of token.",
        "Self-contained (JWT) tokens usually cannot be revoked; they simply expire.",
    ),
}


# invalid_client names what the client proved itself with: a rejected key is not a wrong secret.
KEY_REFUSALS: dict[AuthMethod, tuple[str, str]] = {
    AuthMethod.PRIVATE_KEY_JWT: (
        "The identity server did not accept the assertion signed with your private key.",
        "Check the client ID, that the server holds this key's public half (and its key ID, "
        "if it selects keys by kid), and that the key has not been rotated.",
    ),
    AuthMethod.CLIENT_SECRET_JWT: (
        "The identity server did not accept the assertion signed with your client secret.",
        "Check the client ID and secret, and that the server expects client_secret_jwt.",
    ),
    AuthMethod.JWT_BEARER: (
        "The identity server did not accept the assertion signed with the service account key.",
        "Check that the key is still active for this service account (keys can be deleted "
        "or disabled in the console), and the scopes.",
    ),
}


def _explain(code: str, auth_method: AuthMethod | None) -> tuple[str, str]:
    # The JWT-bearer grant's assertion is the grant, so its refusal is invalid_grant.
    refused = "invalid_grant" if auth_method is AuthMethod.JWT_BEARER else "invalid_client"
    if auth_method in KEY_REFUSALS and code in {refused, "invalid_client"}:
        return KEY_REFUSALS[auth_method]
    return EXPLANATIONS.get(
        code, (f"The identity server refused the request ({code}).", "Read the server's reason.")
    )


def retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        from email.utils import parsedate_to_datetime  # rare: an HTTP-date Retry-After

        return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None


def error_from_response(
    response: RawResponse,
    exchange: Exchange,
    *,
    what: str,
    auth_method: AuthMethod | None = None,
    secrets: Iterable[str] = (),
) -> Exception:
    """The typed error for a non-success answer from an OAuth endpoint. `what` names the
    endpoint in plain words ("the token endpoint"); `auth_method` what the client proved itself
    with, so a refusal names the key or the secret. Known `secrets` are removed from every text
    the server chose (a server may echo the client secret it refused)."""
    secrets = tuple(secrets)
    body: object = None
    if response.body:
        try:
            body = safe_json.loads(response.body)
        except ValueError:
            body = None
    retry_after = retry_after_seconds(response.headers.get("retry-after"))
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        code = redact_values(body["error"][:200], secrets)
        description = redact_values(str(body.get("error_description") or "")[:2000], secrets)
        message, hint = _explain(code, auth_method)
        if description:
            message = f"{message[:-1]}: “{description}”."
        if retry_after is not None:
            hint = f"{hint} The server asks to wait {retry_after:.0f} s."
        return OAuthServerError(
            message,
            hint,
            error=code,
            description=description,
            error_uri=redact_values(str(body.get("error_uri") or ""), secrets),
            status=response.status,
            retry_after=retry_after,
            exchange=exchange,
        )
    status = response.status
    if 300 <= status < 400:
        location = redact_values(response.headers.get("location", "another address"), secrets)
        return BadResponseError(
            f"{what.capitalize()} redirected to {location} instead of answering.",
            "The URL is probably wrong (a login page or an old address); use the exact token URL "
            "or the issuer URL from the docs.",
            exchange=exchange,
        )
    if status == 401:
        message, hint = _explain("invalid_client", auth_method)
        return OAuthServerError(
            message,
            hint,
            error="invalid_client",
            status=status,
            exchange=exchange,
        )
    if status in (404, 405):
        return BadResponseError(
            f"{what.capitalize()} was not found at this address (HTTP {status}).",
            "Check the token URL, or use the issuer URL to find it automatically.",
            exchange=exchange,
        )
    if status in {429, 503}:
        wait = f" in {retry_after:.0f} s" if retry_after is not None else " in a moment"
        return OAuthServerError(
            f"The identity server is busy or down for maintenance (HTTP {status}).",
            f"Try again{wait}.",
            status=status,
            retry_after=retry_after,
            exchange=exchange,
        )
    if status >= 500:
        return OAuthServerError(
            f"The identity server had an internal error (HTTP {status}).",
            "Try again in a moment; if it persists, tell the identity server's admin.",
            status=status,
            exchange=exchange,
        )
    return OAuthServerError(
        f"{what.capitalize()} refused the request (HTTP {status}) without an OAuth error code.",
        "Look at the details for the server's answer.",
        status=status,
        exchange=exchange,
    )
