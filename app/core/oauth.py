"""The OAuth2 client: discovery (RFC 8414 / OpenID), the client-credentials grant (RFC 6749 §4.4)
with every client authentication method, revocation (RFC 7009) and introspection (RFC 7662)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from app.core import auth_choice, basic_fallback, safe_json
from app.core.client_auth import Credentials, auth_notes, authenticate
from app.core.dpop import USE_NONCE
from app.core.errors import BadResponseError, DiscoveryError, Exchange, OAuthServerError
from app.core.grants import grant_form
from app.core.oauth_errors import error_from_response
from app.core.profiles import Profile
from app.core.tokens import Token, token_from_response
from app.core.transport import RawResponse, describe_exchange, send

if TYPE_CHECKING:
    import httpx

JSON_TYPES = ("application/json", "application/jwt")


@dataclass(frozen=True)
class ServerMetadata:
    issuer: str
    token_endpoint: str
    jwks_uri: str = ""
    revocation_endpoint: str = ""
    introspection_endpoint: str = ""
    auth_methods: tuple[str, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict)
    # RFC 8705 §5: endpoints to use instead when the client presents a certificate.
    mtls_aliases: dict[str, str] = field(default_factory=dict)

    def endpoint(self, name: str, *, mtls: bool) -> str:
        """The `name` endpoint (e.g. "token_endpoint"), its mTLS alias when `mtls`."""
        default = str(getattr(self, name, "") or self.raw.get(name) or "")
        return self.mtls_aliases.get(name, default) if mtls else default


class ProofHook(Protocol):
    """Sender-constraining proofs (DPoP, RFC 9449) for the token request: app/core/dpop.py."""

    def header(self, method: str, url: str, access_token: str | None = None) -> str: ...

    def remember(self, url: str, headers: Any) -> bool: ...


@dataclass(frozen=True)
class Timeouts:
    deadline: float = 30.0
    max_token_bytes: int = 1024 * 1024


def discovery_urls(issuer: str) -> list[str]:
    """RFC 8414 §3.1 inserts the well-known segment before the issuer's path; OpenID Discovery
    appends it. Both are tried, RFC 8414 first."""
    split = urlsplit(issuer.strip().rstrip("/"))
    path = split.path
    oauth = urlunsplit(
        (split.scheme, split.netloc, "/.well-known/oauth-authorization-server" + path, "", "")
    )
    oidc = urlunsplit(
        (split.scheme, split.netloc, path + "/.well-known/openid-configuration", "", "")
    )
    return list(dict.fromkeys([oauth, oidc]))


async def discover(
    client: httpx.AsyncClient, issuer: str, timeouts: Timeouts = Timeouts()
) -> ServerMetadata:
    failures: list[str] = []
    for url in discovery_urls(issuer):
        request = client.build_request("GET", url, headers={"Accept": "application/json"})
        response = await send(client, request, deadline=timeouts.deadline, max_bytes=1024 * 1024)
        if response.status != 200:
            failures.append(f"GET {url} → HTTP {response.status}")
            continue
        try:
            data = safe_json.loads(response.body)
        except ValueError:
            failures.append(f"GET {url} → not JSON ({response.content_type or 'no type'})")
            continue
        if not isinstance(data, dict) or not isinstance(data.get("token_endpoint"), str):
            failures.append(f"GET {url} → JSON without a token_endpoint")
            continue
        published = str(data.get("issuer", ""))
        if published.rstrip("/") != issuer.strip().rstrip("/"):
            # RFC 8414 §3.3: a mismatch means the metadata may be an impersonation.
            raise DiscoveryError(
                f"The server at {url} says its issuer is “{published}”, not “{issuer}”.",
                f"Use “{published}” as the issuer URL if you trust it.",
                details="\n".join([*failures, f"GET {url} → issuer {published!r}"]),
            )
        return ServerMetadata(
            issuer=published,
            token_endpoint=data["token_endpoint"],
            jwks_uri=str(data.get("jwks_uri") or ""),
            revocation_endpoint=str(data.get("revocation_endpoint") or ""),
            introspection_endpoint=str(data.get("introspection_endpoint") or ""),
            auth_methods=tuple(data.get("token_endpoint_auth_methods_supported") or ()),
            raw=data,
            mtls_aliases=_aliases(data.get("mtls_endpoint_aliases")),
        )
    raise DiscoveryError(
        f"No OAuth server information was found at the issuer URL “{issuer}”.",
        "Check the issuer URL, or enter the token URL directly.",
        details="\n".join(failures),
    )


def _aliases(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, str) and v}


def build_token_request(
    client: httpx.AsyncClient,
    profile: Profile,
    credentials: Credentials,
    token_endpoint: str,
    now: datetime,
) -> httpx.Request:
    auth = authenticate(profile, credentials, token_endpoint, now)
    grant = grant_form(profile, credentials, token_endpoint, now)
    form: list[tuple[str, str]] = [*grant, *auth.form]
    if profile.scopes:
        form.append(("scope", profile.scope_string))
    if profile.audience:
        form.append(("audience", profile.audience))
    form += [("resource", r) for r in profile.resources]
    form += list(profile.extra_params)
    headers = {"Accept": "application/json", **auth.headers}
    return client.build_request("POST", token_endpoint, data=dict_pairs(form), headers=headers)


def dict_pairs(pairs: list[tuple[str, str]]) -> dict[str, str | list[str]]:
    """httpx takes repeated form fields (several `resource`) as a list value."""
    out: dict[str, str | list[str]] = {}
    for key, value in pairs:
        if key in out:
            existing = out[key]
            out[key] = [*(existing if isinstance(existing, list) else [existing]), value]
        else:
            out[key] = value
    return out


def _json_body(response: RawResponse) -> tuple[dict[str, Any] | None, str | None]:
    """The JSON object in a response, and a warning when the content type was not JSON."""
    if not response.body.strip():
        return None, None
    try:
        data = safe_json.loads(response.body)
    except ValueError:
        return None, None
    if not isinstance(data, dict):
        return None, None
    warning = None
    if response.content_type not in JSON_TYPES and not response.content_type.endswith("+json"):
        warning = (
            f"The server labelled its answer “{response.content_type or 'no content type'}” "
            "instead of application/json; the body was a valid token response, so it was used."
        )
    return data, warning


async def request_token(
    client: httpx.AsyncClient,
    profile: Profile,
    credentials: Credentials,
    *,
    token_endpoint: str,
    now: datetime,
    timeouts: Timeouts = Timeouts(),
    advertised_methods: tuple[str, ...] = (),
    proof: ProofHook | None = None,
) -> Token:
    """A token for `profile`. Basic credentials the server refuses form-encoded are tried once
    as typed (basic_fallback.py); what that teaches is in `Token.learned`. `advertised_methods`
    (the server's token_endpoint_auth_methods_supported, when known) lets a refusal name the
    method to try instead. `proof` adds a DPoP proof to the request (app/core/dpop.py)."""
    try:
        return await _token_exchange(
            client, profile, credentials, token_endpoint, now=now, timeouts=timeouts, proof=proof
        )
    except OAuthServerError as exc:
        auth_choice.suggest_instead(exc, profile, credentials, advertised_methods)
        if not basic_fallback.should_retry_raw(profile, credentials, exc):
            raise
        raw = basic_fallback.as_typed(profile)
        try:
            token = await _token_exchange(
                client, raw, credentials, token_endpoint, now=now, timeouts=timeouts, proof=proof
            )
        except OAuthServerError:
            raise exc from None
        return basic_fallback.learned_raw(token)


async def _token_exchange(
    client: httpx.AsyncClient,
    profile: Profile,
    /,
    credentials: Credentials,
    token_endpoint: str,
    *,
    now: datetime,
    timeouts: Timeouts,
    proof: ProofHook | None = None,
) -> Token:
    async def attempt() -> tuple[httpx.Request, RawResponse]:
        request = build_token_request(client, profile, credentials, token_endpoint, now)
        if proof is not None:
            request.headers["DPoP"] = proof.header("POST", token_endpoint)
        response = await send(
            client,
            request,
            deadline=timeouts.deadline,
            max_bytes=timeouts.max_token_bytes,
            secrets=credentials.values,
        )
        return request, response

    request, response = await attempt()
    fresh_nonce = proof is not None and proof.remember(token_endpoint, response.headers)
    if fresh_nonce and response.status == 400 and _error_code(response) == USE_NONCE:
        # RFC 9449 §8: the server wants its nonce in the proof; one retry, never a loop.
        assert proof is not None
        request, response = await attempt()
        proof.remember(token_endpoint, response.headers)

    def exchange() -> Exchange:  # built only on the way to an error: success stays cheap
        return describe_exchange(request, response, credentials.values)

    if response.status != 200:
        raise error_from_response(
            response,
            exchange(),
            what="the token endpoint",
            auth_method=profile.auth_method,
            secrets=credentials.values,
        )
    data, warning = _json_body(response)
    if data is None:
        kind = response.content_type or "no content type"
        if not response.body.strip():
            message = "The token endpoint answered with an empty page instead of a token."
        elif "html" in kind:
            message = "The token endpoint answered with a web page (HTML) instead of a token."
        else:
            message = f"The token endpoint answered with something that is not JSON ({kind})."
        raise BadResponseError(
            message,
            "Check the token URL: it is probably a login page or the wrong address.",
            exchange=exchange(),
        )
    try:
        token = token_from_response(data, now)
    except BadResponseError as exc:
        raise BadResponseError(exc.message, exc.hint, exchange=exchange()) from None
    notes = auth_notes(profile, credentials)
    if warning:
        notes = (*notes, warning)
    if "scope" not in data and not token.scopes and profile.scopes:
        # RFC 6749 §5.1: no scope in the answer means the requested ones were granted.
        token = replace(token, scopes=profile.scopes, scopes_as_requested=True)
    if notes:
        token = replace(token, warnings=(*token.warnings, *notes))
    if proof is not None and token.token_type.lower() != "dpop":
        raise BadResponseError(
            "The identity server does not support DPoP: it answered the proof with a "
            f"“{token.token_type}” token instead of a DPoP-bound one.",
            "Turn DPoP off in the profile, or ask the server's administrator to enable DPoP "
            "for this client.",
            exchange=exchange(),
        )
    missing = [s for s in profile.scopes if s not in token.scopes]
    if missing and token.scopes:
        # Many servers drop scopes a client may not have without saying so; the API's 403
        # later would be a mystery.
        token = replace(
            token,
            warnings=(
                *token.warnings,
                f"Scopes not granted by the server: {' '.join(missing)}.",
            ),
        )
    return token


def _error_code(response: RawResponse) -> str:
    data, _ = _json_body(response)
    return str(data.get("error", "")) if data else ""


async def _post_token_operation(
    client: httpx.AsyncClient,
    profile: Profile,
    credentials: Credentials,
    *,
    endpoint: str,
    token: str,
    now: datetime,
    timeouts: Timeouts,
    what: str,
) -> RawResponse:
    # Same client authentication as the token request (RFC 7009 §2.1, RFC 7662 §2.1).
    auth = authenticate(profile, credentials, endpoint, now)
    form = [("token", token), ("token_type_hint", "access_token"), *auth.form]
    headers = {"Accept": "application/json", **auth.headers}
    request = client.build_request("POST", endpoint, data=dict_pairs(form), headers=headers)
    secrets = (*credentials.values, token)
    response = await send(
        client,
        request,
        deadline=timeouts.deadline,
        max_bytes=timeouts.max_token_bytes,
        secrets=secrets,
    )
    if response.status != 200:
        raise error_from_response(
            response, describe_exchange(request, response, secrets), what=what, secrets=secrets
        )
    return response


async def revoke(
    client: httpx.AsyncClient,
    profile: Profile,
    credentials: Credentials,
    *,
    endpoint: str,
    token: str,
    now: datetime,
    timeouts: Timeouts = Timeouts(),
) -> None:
    await _post_token_operation(
        client,
        profile,
        credentials,
        endpoint=endpoint,
        token=token,
        now=now,
        timeouts=timeouts,
        what="the revocation endpoint",
    )


async def introspect(
    client: httpx.AsyncClient,
    profile: Profile,
    credentials: Credentials,
    *,
    endpoint: str,
    token: str,
    now: datetime,
    timeouts: Timeouts = Timeouts(),
) -> dict[str, Any]:
    response = await _post_token_operation(
        client,
        profile,
        credentials,
        endpoint=endpoint,
        token=token,
        now=now,
        timeouts=timeouts,
        what="the introspection endpoint",
    )
    data, _ = _json_body(response)
    if data is None or not isinstance(data.get("active"), bool):
        raise BadResponseError(
            "The introspection endpoint did not answer with a token description.",
            "Look at the details for what it sent.",
        )
    return data


async def fetch_jwks(
    client: httpx.AsyncClient, jwks_uri: str, timeouts: Timeouts = Timeouts()
) -> dict[str, Any]:
    request = client.build_request("GET", jwks_uri, headers={"Accept": "application/json"})
    response = await send(client, request, deadline=timeouts.deadline, max_bytes=1024 * 1024)
    data, _ = _json_body(response)
    if response.status != 200 or data is None or not isinstance(data.get("keys"), list):
        raise DiscoveryError(
            "The issuer's signing keys (JWKS) could not be loaded.",
            "Check the issuer URL in the profile.",
            exchange=describe_exchange(request, response),
        )
    return data
