"""Provider presets for "Add my client": each big provider's machine-to-machine set-up as the few
questions its own docs answer, in its own words, with where the value is found in its console,
and the function that turns the answers into a profile (token URL, method, scope, audience).

The window and the CLI show `PRESETS[key].fields` in order, collect the answers (keyed by
`PresetField.key`), call `build_from_preset(key, answers)`, save `result.profile` and put
`result.client_secret` / `result.private_key` into the keychain.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from app.core.errors import ProfileError
from app.core.profiles import AuthMethod, Profile, split_scopes
from app.core.service_account import parse_service_account


@dataclass(frozen=True)
class PresetField:
    key: str
    label: str  # the provider's own name for the value
    help: str  # what it is and where its console shows it
    required: bool = True
    kind: str = "text"  # text | secret | multiline (a PEM key) | file (its text is the answer)
    default: str = ""
    placeholder: str = ""


@dataclass(frozen=True)
class PresetResult:
    profile: Profile
    client_secret: str | None = field(default=None, repr=False)
    private_key: str | None = field(default=None, repr=False)


Answers = Mapping[str, str]


@dataclass(frozen=True)
class Preset:
    key: str
    title: str
    summary: str
    docs_url: str
    fields: tuple[PresetField, ...]
    build: Callable[[Answers], PresetResult]


def _origin(domain: str) -> str:
    """A domain as its console shows it (`example.okta.com`), or a full URL, as an origin."""
    text = domain.strip().rstrip("/")
    return text if "://" in text else f"https://{text}"


def _need(preset: str, answers: Answers, *keys: str) -> list[str]:
    values = [answers.get(k, "").strip() for k in keys]
    labels = {f.key: f.label for f in PRESETS[preset].fields}
    missing = [labels.get(k, k) for k, v in zip(keys, values, strict=True) if not v]
    if missing:
        raise ProfileError(
            f"{PRESETS[preset].title} needs the {' and the '.join(missing)}.",
            "Each field says where its console shows the value.",
        )
    return values


def _name(answers: Answers, fallback: str) -> str:
    return answers.get("name", "").strip() or fallback


CLIENT_ID = PresetField("client_id", "Client ID", "The application's client ID.")
CLIENT_SECRET = PresetField("client_secret", "Client secret", "The secret.", kind="secret")
SCOPE = PresetField("scope", "Scopes", "Space-separated scopes, if the API asks for any.", False)


def _generic(a: Answers) -> PresetResult:
    (client_id,) = _need("generic", a, "client_id")
    url = a.get("url", "").strip()
    is_token_url = url.rstrip("/").endswith("token")
    profile = Profile(
        name=_name(a, client_id),
        client_id=client_id,
        token_url=url if is_token_url else "",
        issuer_url="" if is_token_url else url,
        scopes=split_scopes(a.get("scope", "")),
        auth_method_chosen=False,  # with an issuer, discovery picks (app/core/auth_choice.py)
    )
    return PresetResult(profile, client_secret=a.get("client_secret") or None)


def _entra(a: Answers) -> PresetResult:
    tenant, client_id, secret, uri = _need(
        "entra", a, "tenant", "client_id", "client_secret", "app_id_uri"
    )
    authority = _origin(a.get("authority", "").strip() or "login.microsoftonline.com")
    scope = uri.rstrip("/")
    if not scope.endswith("/.default"):
        scope += "/.default"  # client credentials ask for the app's permissions as a whole
    profile = Profile(
        name=_name(a, f"Entra {client_id}"),
        client_id=client_id,
        token_url=f"{authority}/{tenant}/oauth2/v2.0/token",
        auth_method=AuthMethod.CLIENT_SECRET_POST,
        scopes=(scope,),
    )
    return PresetResult(profile, client_secret=secret)


def _auth0(a: Answers) -> PresetResult:
    domain, client_id, secret, audience = _need(
        "auth0", a, "domain", "client_id", "client_secret", "audience"
    )
    profile = Profile(
        name=_name(a, f"Auth0 {domain}"),
        client_id=client_id,
        token_url=f"{_origin(domain)}/oauth/token",
        auth_method=AuthMethod.CLIENT_SECRET_POST,
        audience=audience,
        scopes=split_scopes(a.get("scope", "")),
    )
    return PresetResult(profile, client_secret=secret)


def _okta(a: Answers) -> PresetResult:
    domain, client_id, scope = _need("okta", a, "domain", "client_id", "scope")
    server = a.get("auth_server", "").strip() or "default"
    key, secret = a.get("private_key", "").strip(), a.get("client_secret", "")
    if not key and not secret:
        raise ProfileError(
            "Okta needs the private key (or, for a client that uses one, the client secret).",
            "Okta recommends a key: Applications → your app → General → Client Credentials.",
        )
    profile = Profile(
        name=_name(a, f"Okta {domain}"),
        client_id=client_id,
        token_url=f"{_origin(domain)}/oauth2/{server}/v1/token",
        auth_method=AuthMethod.PRIVATE_KEY_JWT if key else AuthMethod.CLIENT_SECRET_BASIC,
        key_id=a.get("key_id", "").strip() if key else "",
        scopes=split_scopes(scope),
    )
    return PresetResult(profile, client_secret=None if key else secret, private_key=key or None)


def _keycloak(a: Answers) -> PresetResult:
    base, realm, client_id, secret = _need(
        "keycloak", a, "base_url", "realm", "client_id", "client_secret"
    )
    profile = Profile(
        name=_name(a, f"Keycloak {realm}"),
        client_id=client_id,
        token_url=f"{_origin(base)}/realms/{realm}/protocol/openid-connect/token",
        scopes=split_scopes(a.get("scope", "")),
    )
    return PresetResult(profile, client_secret=secret)


def _cognito(a: Answers) -> PresetResult:
    domain, client_id, secret = _need("cognito", a, "domain", "client_id", "client_secret")
    if "." in domain or "://" in domain:
        origin = _origin(domain)  # a full or custom domain
    else:
        (region,) = _need("cognito", a, "region")
        origin = f"https://{domain}.auth.{region}.amazoncognito.com"
    profile = Profile(
        name=_name(a, f"Cognito {domain}"),
        client_id=client_id,
        token_url=f"{origin}/oauth2/token",
        scopes=split_scopes(a.get("scope", "")),
    )
    return PresetResult(profile, client_secret=secret)


def _google(a: Answers) -> PresetResult:
    (text,) = _need("google", a, "key_file")
    parsed = parse_service_account(
        text, name=a.get("name", "").strip(), scopes=split_scopes(a.get("scope", ""))
    )
    return PresetResult(parsed.profile, private_key=parsed.private_key)


_ENTRA_HOME = "Microsoft Entra admin center → Identity → Applications → App registrations"
PRESETS: dict[str, Preset] = {
    p.key: p
    for p in (
        Preset(
            "generic",
            "Generic OAuth2 / OpenID",
            "Any server: the token URL or issuer, the client ID and secret.",
            "https://www.rfc-editor.org/rfc/rfc6749#section-4.4",
            (
                PresetField(
                    "url",
                    "Token URL or issuer URL",
                    "From the API's docs; with an issuer, the rest is discovered.",
                ),
                CLIENT_ID,
                PresetField("client_secret", "Client secret", "The secret.", False, "secret"),
                SCOPE,
            ),
            _generic,
        ),
        Preset(
            "entra",
            "Microsoft Entra ID",
            "An app registration calling an API with application permissions.",
            "https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow",
            (
                PresetField(
                    "tenant",
                    "Directory (tenant) ID",
                    f"{_ENTRA_HOME} → your app → Overview.",
                    placeholder="00000000-0000-0000-0000-000000000000",
                ),
                PresetField(
                    "client_id",
                    "Application (client) ID",
                    f"{_ENTRA_HOME} → your app → Overview.",
                ),
                PresetField(
                    "client_secret",
                    "Client secret (Value)",
                    f"{_ENTRA_HOME} → your app → Certificates & secrets; the Value column, "
                    "shown only once when created.",
                    kind="secret",
                ),
                PresetField(
                    "app_id_uri",
                    "Application ID URI of the API",
                    f"{_ENTRA_HOME} → the API's registration → Expose an API; the scope "
                    "becomes “{URI}/.default”.",
                    placeholder="api://my-api",
                ),
                PresetField(
                    "authority",
                    "Authority host",
                    "Only for national clouds (login.microsoftonline.us, …).",
                    required=False,
                    default="login.microsoftonline.com",
                ),
            ),
            _entra,
        ),
        Preset(
            "auth0",
            "Auth0",
            "A Machine to Machine application authorized for an API.",
            "https://auth0.com/docs/get-started/authentication-and-authorization-flow/client-credentials-flow/call-your-api-using-the-client-credentials-flow",
            (
                PresetField(
                    "domain",
                    "Domain",
                    "Applications → Applications → your app → Settings → Basic Information.",
                    placeholder="your-tenant.us.auth0.com",
                ),
                PresetField("client_id", "Client ID", "Same page: Basic Information."),
                PresetField(
                    "client_secret", "Client Secret", "Same page: Basic Information.", kind="secret"
                ),
                PresetField(
                    "audience",
                    "API Identifier (audience)",
                    "Applications → APIs → your API → Settings → Identifier. Auth0 refuses a "
                    "client-credentials request without it.",
                    placeholder="https://api.example.com",
                ),
                SCOPE,
            ),
            _auth0,
        ),
        Preset(
            "okta",
            "Okta",
            "An API Services app with public key / private key client authentication.",
            "https://developer.okta.com/docs/guides/implement-oauth-for-okta-serviceapp/main/",
            (
                PresetField(
                    "domain",
                    "Okta domain",
                    "Admin Console → top-right menu under your name.",
                    placeholder="dev-123456.okta.com",
                ),
                PresetField(
                    "auth_server",
                    "Authorization server ID",
                    "Security → API → Authorization Servers; “default” for the default server.",
                    required=False,
                    default="default",
                ),
                PresetField("client_id", "Client ID", "Applications → your app → General."),
                PresetField(
                    "private_key",
                    "Private key (PEM or JWK)",
                    "The key you generated or added under General → Client Credentials → "
                    "Public Keys; kept in the keychain.",
                    required=False,
                    kind="multiline",
                ),
                PresetField(
                    "key_id",
                    "Key ID (kid)",
                    "Shown beside the public key in the app's General tab; Okta picks the key "
                    "by it.",
                    required=False,
                ),
                PresetField(
                    "client_secret",
                    "Client secret",
                    "Only for apps set to Client secret instead of a key.",
                    required=False,
                    kind="secret",
                ),
                PresetField(
                    "scope",
                    "Scopes",
                    "Security → API → your authorization server → Scopes; Okta requires one.",
                ),
            ),
            _okta,
        ),
        Preset(
            "keycloak",
            "Keycloak",
            "A confidential client with Service accounts roles enabled.",
            "https://www.keycloak.org/docs/latest/server_admin/#_service_accounts",
            (
                PresetField(
                    "base_url",
                    "Server URL",
                    "The address of the Keycloak server; add /auth for Keycloak 16 and older.",
                    placeholder="https://sso.example.com",
                ),
                PresetField("realm", "Realm", "The realm selector, top left of the admin console."),
                PresetField("client_id", "Client ID", "Clients → your client → Settings."),
                PresetField(
                    "client_secret",
                    "Client secret",
                    "Clients → your client → Credentials (Client Authenticator: Client Id and "
                    "Secret).",
                    kind="secret",
                ),
                SCOPE,
            ),
            _keycloak,
        ),
        Preset(
            "cognito",
            "Amazon Cognito",
            "A user pool app client with a secret and custom scopes.",
            "https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html",
            (
                PresetField(
                    "domain",
                    "Domain",
                    "User pool → App integration → Domain: the prefix, or the full custom domain.",
                    placeholder="my-prefix",
                ),
                PresetField(
                    "region",
                    "AWS Region",
                    "The region of the user pool (in its ARN); not needed for a custom domain.",
                    required=False,
                    placeholder="eu-west-1",
                ),
                PresetField("client_id", "Client ID", "User pool → App integration → App clients."),
                PresetField(
                    "client_secret",
                    "Client secret",
                    "Same app client: Show client secret.",
                    kind="secret",
                ),
                PresetField(
                    "scope",
                    "Custom scopes",
                    "User pool → App integration → Resource servers: “identifier/scope”.",
                    required=False,
                ),
            ),
            _cognito,
        ),
        Preset(
            "google",
            "Google service account",
            "A service account's JSON key; the file itself is not kept.",
            "https://developers.google.com/identity/protocols/oauth2/service-account",
            (
                PresetField(
                    "key_file",
                    "Service account key (JSON)",
                    "IAM & Admin → Service Accounts → your account → Keys → Add key → JSON.",
                    kind="file",
                ),
                PresetField(
                    "scope",
                    "Scopes",
                    "The OAuth scopes of the Google APIs to call.",
                    default="https://www.googleapis.com/auth/cloud-platform",
                ),
            ),
            _google,
        ),
    )
}


def build_from_preset(key: str, answers: Answers) -> PresetResult:
    """The profile (and the secrets for the keychain) the answers to a preset describe.
    `answers` may hold "name"; missing optional answers take the field's default."""
    preset = PRESETS[key]
    filled = {f.key: f.default for f in preset.fields if f.default}
    filled.update({k: v for k, v in answers.items() if v.strip()})
    return preset.build(filled)
