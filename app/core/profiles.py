"""A profile: one machine-to-machine client at one identity server. Non-secret fields only.

The client secret, the private key and the cached token belong to the keychain (storage/secrets.py),
keyed by `Profile.id`, which never changes, so renaming a profile orphans nothing.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from app.core.environments import Environment, apply_environment, name_problems
from app.core.errors import ProfileError
from app.core.profile_schema import SchemaError, profile_fields


class AuthMethod(StrEnum):
    """How the client proves who it is to the token endpoint (OAuth client authentication)."""

    CLIENT_SECRET_BASIC = "client_secret_basic"
    CLIENT_SECRET_POST = "client_secret_post"
    PRIVATE_KEY_JWT = "private_key_jwt"
    CLIENT_SECRET_JWT = "client_secret_jwt"
    # Not a client authentication but a grant (RFC 7523 §2.1): a service-account key signs an
    # assertion that is itself the grant. It sits here so a profile names one way to get a token.
    JWT_BEARER = "jwt_bearer"
    TLS_CLIENT_AUTH = "tls_client_auth"
    SELF_SIGNED_TLS_CLIENT_AUTH = "self_signed_tls_client_auth"

    @property
    def label(self) -> str:
        return _AUTH_LABELS[self][0]

    @property
    def explanation(self) -> str:
        return _AUTH_LABELS[self][1]

    @property
    def needs_secret(self) -> bool:
        return self in _SECRET_METHODS

    @property
    def uses_tls_certificate(self) -> bool:
        """RFC 8705 §2: the client proves itself with the certificate it presents in TLS."""
        return self in _TLS_METHODS

    @property
    def needs_private_key(self) -> bool:
        return self in {AuthMethod.PRIVATE_KEY_JWT, AuthMethod.JWT_BEARER}


class BasicEncoding(StrEnum):
    """How `client_secret_basic` writes the id and secret. RFC 6749 §2.3.1 says form-encoded;
    several popular server libraries compare them as typed. `auto` tries the RFC first and, when
    the server refuses and the encoding changed something, the credentials as typed."""

    AUTO = "auto"
    FORM = "form"
    RAW = "raw"

    @property
    def label(self) -> str:
        return _BASIC_LABELS[self]


_BASIC_LABELS = {
    BasicEncoding.AUTO: "Automatic",
    BasicEncoding.FORM: "Form-encoded (RFC 6749)",
    BasicEncoding.RAW: "As typed",
}


_AUTH_LABELS = {
    AuthMethod.CLIENT_SECRET_BASIC: (
        "Client secret in the Authorization header (most common)",
        "Sends the client ID and secret as HTTP Basic credentials.",
    ),
    AuthMethod.CLIENT_SECRET_POST: (
        "Client secret in the request body",
        "Sends the client ID and secret as form fields; use it when the docs say so.",
    ),
    AuthMethod.PRIVATE_KEY_JWT: (
        "Private key (signed assertion)",
        "Signs a short-lived assertion with your private key; no secret travels.",
    ),
    AuthMethod.CLIENT_SECRET_JWT: (
        "Client secret, signed assertion",
        "Signs a short-lived assertion with the client secret (HMAC).",
    ),
    AuthMethod.JWT_BEARER: (
        "Service account key (JWT bearer grant)",
        "Signs a short-lived assertion with the service account's private key (RFC 7523).",
    ),
    AuthMethod.TLS_CLIENT_AUTH: (
        "Client certificate from a certificate authority (mutual TLS)",
        "Presents your client certificate in the TLS connection; the server checks its subject "
        "name against the one registered for the client.",
    ),
    AuthMethod.SELF_SIGNED_TLS_CLIENT_AUTH: (
        "Self-signed client certificate (mutual TLS)",
        "Presents your client certificate in the TLS connection; the server compares it with the "
        "certificate registered for the client.",
    ),
}
_SECRET_METHODS = frozenset(
    {AuthMethod.CLIENT_SECRET_BASIC, AuthMethod.CLIENT_SECRET_POST, AuthMethod.CLIENT_SECRET_JWT}
)
_TLS_METHODS = frozenset({AuthMethod.TLS_CLIENT_AUTH, AuthMethod.SELF_SIGNED_TLS_CLIENT_AUTH})
DPOP_ALGORITHMS = ("ES256", "RS256")

# Token request fields Tokendesk sets itself; extra parameters may not override them.
RESERVED_PARAMS = frozenset(
    {
        "grant_type",
        "client_id",
        "client_secret",
        "client_assertion",
        "client_assertion_type",
        "scope",
        "resource",
        "audience",
        "assertion",
    }
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a profile, tied to the field a form should highlight."""

    field: str
    message: str
    blocking: bool = True


def new_profile_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Profile:
    name: str
    client_id: str
    token_url: str = ""
    issuer_url: str = ""
    auth_method: AuthMethod = AuthMethod.CLIENT_SECRET_BASIC
    # False when nobody picked the method (a default): discovery may then pick one
    # (app/core/auth_choice.py). Profiles saved before this field existed count as chosen.
    auth_method_chosen: bool = True
    basic_encoding: BasicEncoding = BasicEncoding.AUTO
    # The `kid` header of signed assertions (Okta selects keys by it; a service-account key's
    # private_key_id). Empty: no kid, or the one a private JWK carries.
    key_id: str = ""
    scopes: tuple[str, ...] = ()
    audience: str = ""
    resources: tuple[str, ...] = ()
    extra_params: tuple[tuple[str, str], ...] = ()
    api_base_url: str = ""
    verify_tls: bool = True
    ca_bundle: str = ""
    notes: str = ""
    auto_refresh: bool = False
    # Origins besides the API base URL that may receive the token without asking.
    allowed_origins: tuple[str, ...] = ()
    # {{name}} values for the composer's URL, headers and body.
    variables: tuple[tuple[str, str], ...] = ()
    # Named overrides (dev, staging, production); see environments.py.
    environments: tuple[Environment, ...] = ()
    # Where an import made it ("postman:<collection id>"), so importing it again updates it.
    import_source: str = ""
    # Sender-constrained tokens. The certificates are public (PEM text); their private keys live
    # in the keychain only (SecretKind.CLIENT_CERT_KEY, SecretKind.PRIVATE_KEY).
    # The TLS client certificate: always presented with the tls_client_auth methods, and with
    # any other method when `mtls_bound` (RFC 8705 §3, certificate-bound tokens).
    client_cert: str = ""
    mtls_bound: bool = False
    # private_key_jwt with an X.509 certificate: the assertion carries x5t and x5t#S256.
    assertion_cert: str = ""
    dpop: bool = False  # RFC 9449: every token request and API call carries a DPoP proof
    dpop_alg: str = "ES256"
    id: str = field(default_factory=new_profile_id)

    def with_changes(self, **changes: Any) -> Profile:
        return replace(self, **changes)

    @property
    def variable_map(self) -> dict[str, str]:
        return dict(self.variables)

    @property
    def scope_string(self) -> str:
        return " ".join(self.scopes)

    @property
    def presents_certificate(self) -> bool:
        """Whether Tokendesk presents `client_cert` in TLS to the token endpoint and the API."""
        return bool(self.client_cert) and (self.auth_method.uses_tls_certificate or self.mtls_bound)

    def problems(self) -> list[Problem]:
        """Everything a form should flag before saving; blocking problems prevent use."""
        found: list[Problem] = []
        if not self.name.strip():
            found.append(Problem("name", "Give the profile a name."))
        if not self.client_id.strip():
            found.append(Problem("client_id", "Enter the client ID from your identity server."))
        if self.token_url and self.issuer_url:
            found.append(
                Problem("token_url", "Fill in either the token URL or the issuer URL, not both.")
            )
        elif not self.token_url and not self.issuer_url:
            found.append(Problem("token_url", "Enter the token URL or the issuer URL."))
        for name in ("token_url", "issuer_url", "api_base_url"):
            value = getattr(self, name)
            if value:
                found += _url_problems(name, value)
        found += self._list_problems()
        found += self._environment_problems()
        return found

    def _list_problems(self) -> list[Problem]:
        found: list[Problem] = []
        for resource in self.resources:
            split = urlsplit(resource)
            if not split.scheme or split.fragment:
                found.append(
                    Problem(
                        "resources",
                        f"“{resource}” is not an absolute URI without a #fragment (RFC 8707).",
                    )
                )
        for key, _ in self.extra_params:
            if not key.strip():
                found.append(Problem("extra_params", "An extra parameter has no name."))
            elif key in RESERVED_PARAMS:
                found.append(
                    Problem("extra_params", f"“{key}” is set by Tokendesk; use its own field.")
                )
        for allowed in self.allowed_origins:
            found += [
                Problem("allowed_origins", p.message, p.blocking)
                for p in _url_problems("allowed_origins", allowed)
            ]
        for name, _ in self.variables:
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", name):
                found.append(
                    Problem(
                        "variables", f"“{name}” cannot be a variable name (letters, digits, _ . -)."
                    )
                )
        if any(not s or any(c.isspace() for c in s) for s in self.scopes):
            found.append(Problem("scopes", "Scopes are single words separated by spaces."))
        return found + self._sender_problems()

    def _sender_problems(self) -> list[Problem]:
        found: list[Problem] = []
        if self.auth_method.uses_tls_certificate and not self.client_cert.strip():
            found.append(
                Problem("client_cert", "Choose the client certificate this method presents.")
            )
        if self.mtls_bound and not self.client_cert.strip():
            found.append(
                Problem("client_cert", "Choose the client certificate the tokens are bound to.")
            )
        for name in ("client_cert", "assertion_cert"):
            text = getattr(self, name).strip()
            if text and "-----BEGIN CERTIFICATE-----" not in text:
                found.append(Problem(name, "The certificate is not in PEM form."))
        if self.assertion_cert and self.auth_method is not AuthMethod.PRIVATE_KEY_JWT:
            found.append(
                Problem(
                    "assertion_cert",
                    "A signing certificate is only used with “Private key (signed assertion)”.",
                    blocking=False,
                )
            )
        if self.dpop and self.dpop_alg not in DPOP_ALGORITHMS:
            found.append(Problem("dpop_alg", f"DPoP keys are {' or '.join(DPOP_ALGORITHMS)}."))
        return found

    def _environment_problems(self) -> list[Problem]:
        found = [Problem("environments", message) for message in name_problems(self.environments)]
        if found:
            return found
        for env in self.environments:
            found += [
                Problem(p.field, f"In “{env.name}”: {p.message}", p.blocking)
                for p in apply_environment(self, env).problems()
            ]
        return found

    def check(self) -> None:
        """Raise a ProfileError naming the first blocking problem."""
        blocking = [p for p in self.problems() if p.blocking]
        if blocking:
            raise ProfileError(
                f"The profile “{self.name or 'unnamed'}” is incomplete: {blocking[0].message}",
                "Edit the profile and fix the highlighted fields.",
                details="\n".join(f"{p.field}: {p.message}" for p in blocking),
            )

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "environments":
                value = [env.to_dict() for env in value]
            elif isinstance(value, tuple):
                value = [list(v) if isinstance(v, tuple) else v for v in value]
            data[f.name] = str(value) if isinstance(value, StrEnum) else value
        return data

    @classmethod
    def from_dict(cls, data: Any) -> Profile:
        """Build from stored JSON, checking every field's type and range; unknown keys are
        ignored (a newer minor version may add some)."""
        try:
            values = profile_fields(
                data,
                choices={
                    "auth_method": {str(m) for m in AuthMethod},
                    "basic_encoding": {str(e) for e in BasicEncoding},
                },
            )
            if "auth_method" in values:
                values["auth_method"] = AuthMethod(values["auth_method"])
            if "basic_encoding" in values:
                values["basic_encoding"] = BasicEncoding(values["basic_encoding"])
            if "environments" in values:
                values["environments"] = tuple(
                    Environment.from_dict(env) for env in values["environments"]
                )
            return cls(**values)
        except SchemaError as exc:
            name = data.get("name") if isinstance(data, dict) else None
            shown = f"“{name[:80]}”" if isinstance(name, str) else "without a readable name"
            raise ProfileError(
                f"A saved profile ({shown}) has a field Tokendesk cannot read: {exc}.",
                "Fix or remove that profile in the profiles file, or import it again.",
                details=f"{exc}\n{data!r}"[:4000],
            ) from None


def split_scopes(text: str) -> tuple[str, ...]:
    """Scopes as people type them: separated by spaces, commas or new lines."""
    return tuple(dict.fromkeys(text.replace(",", " ").split()))


def is_loopback_host(host: str) -> bool:
    if host in {"localhost", "localhost."} or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _url_problems(name: str, value: str) -> list[Problem]:
    try:
        split = urlsplit(value.strip())
        port = split.port
    except ValueError:
        split, port = urlsplit(""), 0
    if port == 0:
        return [
            Problem(
                name,
                f"“{value}” is not a usable web address: its host or its port (1 to 65535) "
                "cannot be read.",
            )
        ]
    if split.scheme not in {"http", "https"} or not split.hostname:
        return [Problem(name, f"“{value}” is not a web address (it should start with https://).")]
    if split.scheme == "http" and not is_loopback_host(split.hostname):
        return [
            Problem(
                name,
                f"“{value}” is not encrypted (http://); secrets and tokens would travel in clear. "
                "Use https:// unless this is a local test server.",
                blocking=False,
            )
        ]
    return []
