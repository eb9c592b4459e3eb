"""Certificates tests make beside trustme's CA: self-signed ones (RFC 8705 §2.2), expired ones,
and the small conversions the identity server's client metadata wants."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def key_pem(key: PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def self_signed_for(
    key: PrivateKey,
    name: str,
    *,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> str:
    now = datetime.now(UTC)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - timedelta(days=1))
        .not_valid_after(not_after or now + timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def self_signed(name: str, **validity: datetime) -> tuple[str, str]:
    """(certificate PEM, key PEM) of a new self-signed P-256 certificate."""
    key = ec.generate_private_key(ec.SECP256R1())
    return self_signed_for(key, name, **validity), key_pem(key)


def der_b64(pem: str) -> str:
    cert = x509.load_pem_x509_certificate(pem.encode())
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def public_jwk(pem: str) -> dict[str, Any]:
    public = x509.load_pem_x509_certificate(pem.encode()).public_key()
    if isinstance(public, rsa.RSAPublicKey):
        return dict(json.loads(RSAAlgorithm.to_jwk(public)))
    assert isinstance(public, ec.EllipticCurvePublicKey)
    return dict(json.loads(ECAlgorithm.to_jwk(public)))
