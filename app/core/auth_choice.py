"""Which client authentication method to use, from what the server advertises
(`token_endpoint_auth_methods_supported`, RFC 8414 §2) and what the profile holds: picked when
nobody chose one, checked before the first request when somebody did, and named in the hint when
the server refuses the one that was used."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.client_auth import Credentials
from app.core.errors import OAuthServerError
from app.core.profiles import AuthMethod, Profile

# RFC 8414 §2: when the list is absent, client_secret_basic is the default.
DEFAULT_ADVERTISED = ("client_secret_basic",)
_SECRET_PREFERENCE = (
    AuthMethod.CLIENT_SECRET_BASIC,
    AuthMethod.CLIENT_SECRET_POST,
    AuthMethod.CLIENT_SECRET_JWT,
)
_SUGGEST_HINTS = {
    AuthMethod.CLIENT_SECRET_POST: "Try with the secret in the request body (client_secret_post).",
    AuthMethod.CLIENT_SECRET_BASIC: (
        "Try with the secret in the Authorization header (client_secret_basic)."
    ),
    AuthMethod.CLIENT_SECRET_JWT: "Try a signed assertion with the secret (client_secret_jwt).",
    AuthMethod.PRIVATE_KEY_JWT: "Try a signed assertion with a private key (private_key_jwt).",
}


@dataclass(frozen=True)
class AuthChoice:
    method: AuthMethod
    note: str  # one plain sentence: what was picked and why ("" when nothing was decided)


def _listed(advertised: tuple[str, ...]) -> tuple[str, ...]:
    return advertised or DEFAULT_ADVERTISED


def choose_auth_method(
    profile: Profile, advertised: tuple[str, ...], *, has_private_key: bool, has_secret: bool
) -> AuthChoice:
    """The method for a profile whose method nobody chose: a key → private_key_jwt; a secret →
    client_secret_basic when listed, else client_secret_post, else client_secret_jwt. A chosen
    method (or one that is a grant, like a service-account key) is kept as it is."""
    if profile.auth_method_chosen or profile.auth_method is AuthMethod.JWT_BEARER:
        return AuthChoice(profile.auth_method, "")
    listed = _listed(advertised)
    shown = ", ".join(listed)
    if has_private_key and AuthMethod.PRIVATE_KEY_JWT.value in listed:
        return AuthChoice(
            AuthMethod.PRIVATE_KEY_JWT,
            f"Picked private_key_jwt because the profile has a key and the server lists {shown}.",
        )
    if has_secret:
        for method in _SECRET_PREFERENCE:
            if method.value in listed:
                return AuthChoice(
                    method,
                    f"Picked {method.value} because the profile has a secret and the server "
                    f"lists {shown}.",
                )
    return AuthChoice(profile.auth_method, "")


def unadvertised_warning(profile: Profile, advertised: tuple[str, ...]) -> str | None:
    """A warning before the first request when the chosen method is not one the server lists."""
    if not advertised or profile.auth_method is AuthMethod.JWT_BEARER:
        return None
    if profile.auth_method.value in advertised:
        return None
    return (
        f"The server does not list {profile.auth_method.value} among its sign-in methods "
        f"({', '.join(advertised)}); the token request will probably be refused."
    )


def suggest_method(
    error: OAuthServerError,
    profile: Profile,
    credentials: Credentials,
    advertised: tuple[str, ...],
) -> AuthMethod | None:
    """Another method worth one click, when the server's answer or metadata names one the profile
    can use; None when nothing points anywhere."""
    if error.error not in {"invalid_client", "invalid_request", "unauthorized_client"} and (
        error.status != 401
    ):
        return None
    held = credentials.client_secret
    usable = [
        m
        for m in AuthMethod
        if m not in {profile.auth_method, AuthMethod.JWT_BEARER}
        and (credentials.private_key if m.needs_private_key else held)
    ]
    said = f"{error.description} {error.message}".lower()
    for method in usable:
        if method.value in said:
            return method
    if advertised and profile.auth_method.value not in advertised:
        for preferred in (AuthMethod.PRIVATE_KEY_JWT, *_SECRET_PREFERENCE):
            if preferred in usable and preferred.value in advertised:
                return preferred
    return None


def suggest_instead(
    error: OAuthServerError,
    profile: Profile,
    credentials: Credentials,
    advertised: tuple[str, ...],
) -> None:
    """Name the suggested method in the error's hint and on the error itself."""
    method = suggest_method(error, profile, credentials, advertised)
    if method is None:
        return
    error.suggested_method = method
    error.hint = f"{error.hint} {_SUGGEST_HINTS[method]}".strip()
