"""Profile values as a person gives them outside the form (the command line, a key file), checked
the same way the window checks its form: `Profile.problems()` plus what only a file can tell."""

from __future__ import annotations

import ssl
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.errors import ProfileError
from app.core.profiles import Profile
from app.core.service_account import ServiceAccountKey, parse_service_account

if TYPE_CHECKING:
    from app.core.certs import CertificateCredential


def read_text_file(path: Path, what: str) -> str:
    try:
        return path.expanduser().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(
            f"The {what} {path} could not be read.",
            "Check the path and that the file is readable by you.",
            details=f"{type(exc).__name__}: {exc}",
        ) from exc


def check_ca_bundle(path: str) -> str:
    """The bundle's absolute path (kept as a path, read at each use), once it is proven to be a
    readable PEM file holding at least one certificate."""
    if not path:
        return ""
    resolved = Path(path).expanduser().resolve()
    text = read_text_file(resolved, "CA bundle")
    hint = "Give a PEM file with your organisation's CA certificates (-----BEGIN CERTIFICATE-----)."
    if "-----BEGIN CERTIFICATE-----" not in text:
        raise ProfileError(f"The CA bundle {resolved} holds no PEM certificate.", hint)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        context.load_verify_locations(cafile=str(resolved))
    except (OSError, ssl.SSLError) as exc:
        raise ProfileError(
            f"The CA bundle {resolved} could not be read as certificates.",
            hint,
            details=f"{type(exc).__name__}: {exc}",
        ) from exc
    if context.cert_store_stats().get("x509", 0) < 1:
        raise ProfileError(f"The CA bundle {resolved} holds no certificate.", hint)
    return str(resolved)


def parse_pairs(items: Iterable[str], flag: str) -> tuple[tuple[str, str], ...]:
    """`KEY=VALUE` texts as pairs; the value may itself hold `=`."""
    pairs: list[tuple[str, str]] = []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ProfileError(
                f"“{item}” is not KEY=VALUE.", f"Write {flag} NAME=VALUE, once per value."
            )
        pairs.append((key.strip(), value))
    return tuple(pairs)


def read_private_key(path: Path) -> str:
    """A PEM or JWK private key file, checked to be a usable signing key."""
    from app.core.client_auth import signing_key

    text = read_text_file(path, "private key file")
    signing_key(text)  # raises ProfileError with a plain message when unusable
    return text


def read_service_account(path: Path, *, name: str, scopes: tuple[str, ...]) -> ServiceAccountKey:
    """The profile and key from a service-account key file; the file itself is not kept."""
    return parse_service_account(read_text_file(path, "key file"), name=name, scopes=scopes)


def checked(profile: Profile) -> list[str]:
    """The warnings a form would show; raises a ProfileError naming every blocking problem."""
    problems = profile.problems()
    blocking = [p.message for p in problems if p.blocking]
    if blocking:
        raise ProfileError(
            " ".join(blocking),
            "Fix the values named above and run the command again.",
            details="\n".join(f"{p.field}: {p.message}" for p in problems if p.blocking),
        )
    if profile.ca_bundle:
        check_ca_bundle(profile.ca_bundle)
    return [p.message for p in problems if not p.blocking]


def read_pem_pair(certificate: Path, private_key: Path) -> CertificateCredential:
    """A certificate and its key from PEM files, checked to fit and to be in date."""
    from app.core.certs import load_pem_pair

    return load_pem_pair(
        read_text_file(certificate, "certificate file"),
        read_text_file(private_key, "key file"),
        datetime.now(UTC),
    )


def read_pkcs12(path: Path, password: str | None) -> CertificateCredential:
    from app.core.certs import load_pkcs12

    try:
        data = path.expanduser().read_bytes()
    except OSError as exc:
        raise ProfileError(
            f"The PKCS#12 file {path} could not be read.",
            "Check the path and that the file is readable by you.",
            details=f"{type(exc).__name__}: {exc}",
        ) from exc
    return load_pkcs12(data, password, datetime.now(UTC))
