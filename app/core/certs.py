"""X.509 client certificates: reading them (PEM pair or PKCS#12), checking the pair, thumbprints.

The certificate is public and may sit in the profile as PEM text; its private key goes to the
keychain only. A PKCS#12 file is opened once with the password the person types; the extracted
key is returned as PEM text for the keychain and the file itself is not kept.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from app.core.errors import ProfileError

if TYPE_CHECKING:
    from cryptography import x509


@dataclass(frozen=True)
class CertificateCredential:
    """A certificate (PEM, public) and its private key (PEM, for the keychain only)."""

    certificate: str
    private_key: str = field(repr=False)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def load_certificate(pem: str) -> x509.Certificate:
    from cryptography import x509

    try:
        return x509.load_pem_x509_certificate(pem.strip().encode())
    except ValueError as exc:
        raise ProfileError(
            "The client certificate could not be read.",
            "Use a PEM certificate (“-----BEGIN CERTIFICATE-----”) or a PKCS#12 (.p12) file.",
            details=f"{type(exc).__name__}: {exc}",
        ) from exc


def der(pem: str) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return load_certificate(pem).public_bytes(Encoding.DER)


def x5t(pem: str) -> str:
    """RFC 7515 §4.1.7: base64url of the SHA-1 of the DER certificate (Entra ID asks for it)."""
    return _b64url(hashlib.sha1(der(pem), usedforsecurity=False).digest())


def x5t_s256(pem: str) -> str:
    """RFC 8705 §3.1 / RFC 7515 §4.1.8: base64url of the SHA-256 of the DER certificate."""
    return _b64url(hashlib.sha256(der(pem)).digest())


def describe(pem: str) -> str:
    """The certificate's subject in one line, for labels and errors."""
    return load_certificate(pem).subject.rfc4514_string() or "(no subject)"


def check_pair(certificate: str, private_key: str, now: datetime) -> None:
    """Raise a ProfileError when the key is not the certificate's or the certificate is not
    valid at `now`; a server would refuse either with a message that names neither."""
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        PublicFormat,
        load_pem_private_key,
    )

    cert = load_certificate(certificate)
    try:
        key = load_pem_private_key(private_key.strip().encode(), password=None)
    except (ValueError, TypeError) as exc:
        raise ProfileError(
            "The private key of the client certificate could not be read.",
            "Use an unencrypted PEM private key, or the PKCS#12 file with its password.",
            details=f"{type(exc).__name__}: {exc}",
        ) from exc
    spki = (Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    if key.public_key().public_bytes(*spki) != cert.public_key().public_bytes(*spki):
        raise ProfileError(
            "The private key does not belong to the client certificate.",
            "Choose the key file that was created with this certificate (or the PKCS#12 file "
            "that holds both).",
            details=f"certificate subject: {cert.subject.rfc4514_string()}",
        )
    moment = now.astimezone(UTC)
    if moment > cert.not_valid_after_utc:
        raise ProfileError(
            f"The client certificate expired on {cert.not_valid_after_utc:%Y-%m-%d}.",
            "Ask the server's administrator for a new certificate and choose it in the profile.",
            details=f"certificate subject: {cert.subject.rfc4514_string()}",
        )
    if moment < cert.not_valid_before_utc:
        raise ProfileError(
            f"The client certificate is valid only from {cert.not_valid_before_utc:%Y-%m-%d}.",
            "Check the computer's clock, or use a certificate that is already valid.",
            details=f"certificate subject: {cert.subject.rfc4514_string()}",
        )


def _private_pem(key: object) -> str:
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )

    pem: bytes = key.private_bytes(  # type: ignore[attr-defined]
        Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
    )
    return pem.decode("ascii")


def load_pem_pair(certificate: str, private_key: str, now: datetime) -> CertificateCredential:
    """A PEM certificate and PEM key, checked to belong together and to be valid now."""
    check_pair(certificate, private_key, now)
    return CertificateCredential(certificate.strip() + "\n", private_key.strip() + "\n")


def load_pkcs12(data: bytes, password: str | None, now: datetime) -> CertificateCredential:
    """The certificate and key inside a PKCS#12 (.p12/.pfx) file."""
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

    try:
        key, cert, _chain = pkcs12.load_key_and_certificates(
            data, password.encode() if password else None
        )
    except ValueError as exc:
        raise ProfileError(
            "The PKCS#12 file could not be opened: the password is wrong or the file is damaged.",
            "Type the password again, or export the certificate and key again.",
            details=f"{type(exc).__name__}: {exc}",
        ) from exc
    if key is None or cert is None:
        raise ProfileError(
            "The PKCS#12 file does not hold both a certificate and its private key.",
            "Export it again with the private key included.",
        )
    pem = cert.public_bytes(Encoding.PEM).decode("ascii")
    credential = CertificateCredential(pem, _private_pem(key))
    check_pair(credential.certificate, credential.private_key, now)
    return credential
