"""Google-style service-account key files (JSON) turned into a profile and its private key.

The key file holds the account (`client_email`), where to ask for tokens (`token_uri`) and the
private key with its id. The profile keeps the first two; the key goes to the keychain through the
caller, and the file itself is neither kept nor copied.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from app.core.errors import ProfileError
from app.core.profiles import AuthMethod, Profile

REQUIRED = ("client_email", "private_key", "token_uri")


@dataclass(frozen=True)
class ServiceAccountKey:
    profile: Profile
    private_key: str = field(repr=False)  # for the keychain (SecretKind.PRIVATE_KEY)


def _refuse(message: str, hint: str, details: str = "") -> ProfileError:
    return ProfileError(message, hint, details=details)


def _read(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        # The error's position is enough: the text itself holds a private key.
        raise _refuse(
            "The service account key file is not valid JSON.",
            "Choose the .json key file downloaded from the console, unchanged.",
            details=f"JSON error at line {exc.lineno}, column {exc.colno}",
        ) from None
    if not isinstance(data, dict):
        raise _refuse(
            "The service account key file does not hold a key.",
            "Choose the .json key file downloaded from the console.",
        )
    return data


def parse_service_account(
    text: str, *, name: str = "", scopes: tuple[str, ...] = ()
) -> ServiceAccountKey:
    """The profile (JWT-bearer grant, token URL and account from the file) and the private key.
    `name` defaults to the account's e-mail address."""
    data = _read(text)
    kind = data.get("type")
    if kind is not None and kind != "service_account":
        raise _refuse(
            f"This key file is a “{kind}” credential, not a service account key.",
            "Create a key for a service account in the console (Keys → Add key → JSON).",
        )
    missing = [k for k in REQUIRED if not isinstance(data.get(k), str) or not data[k].strip()]
    if missing:
        raise _refuse(
            f"The service account key file lacks {', '.join(missing)}.",
            "Download a fresh JSON key for the service account from the console.",
            details=f"Fields present: {', '.join(sorted(data))}",
        )
    key = str(data["private_key"])
    if "PRIVATE KEY-----" not in key:
        raise _refuse(
            "The private key in the service account key file is not a PEM key.",
            "Download a fresh JSON key for the service account from the console.",
        )
    email = str(data["client_email"]).strip()
    profile = Profile(
        name=name or email,
        client_id=email,
        token_url=str(data["token_uri"]).strip(),
        auth_method=AuthMethod.JWT_BEARER,
        key_id=str(data.get("private_key_id") or "").strip(),
        scopes=scopes,
        notes=f"From a service account key (project {data.get('project_id') or 'unknown'}).",
    )
    problems = [p for p in profile.problems() if p.blocking and p.field == "token_url"]
    if problems:
        raise _refuse(
            f"The key file's token_uri cannot be used: {problems[0].message}",
            "Download a fresh JSON key for the service account from the console.",
        )
    return ServiceAccountKey(profile, key)
