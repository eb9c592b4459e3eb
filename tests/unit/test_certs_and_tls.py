"""Certificates (PEM pair, PKCS#12, thumbprints, fit and validity) and the TLS client context
that loads the key without leaving a file behind."""

from __future__ import annotations

import base64
import hashlib
import os
import ssl
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12

from app.core import certs, tls_client
from app.core.errors import ProfileError
from tests.support import test_certs

NOW = datetime.now(UTC)


@pytest.fixture(scope="module")
def issued() -> tuple[str, str]:
    cert = trustme.CA().issue_cert("client.example")
    return cert.cert_chain_pems[0].bytes().decode(), cert.private_key_pem.bytes().decode()


def test_thumbprints_are_base64url_hashes_of_the_der(issued: tuple[str, str]) -> None:
    pem = issued[0]
    der = x509.load_pem_x509_certificate(pem.encode()).public_bytes(serialization.Encoding.DER)
    b64 = lambda d: base64.urlsafe_b64encode(d).rstrip(b"=").decode()  # noqa: E731
    assert certs.x5t(pem) == b64(hashlib.sha1(der, usedforsecurity=False).digest())
    assert certs.x5t_s256(pem) == b64(hashlib.sha256(der).digest())
    assert "=" not in certs.x5t_s256(pem)


def test_a_matching_pair_loads(issued: tuple[str, str]) -> None:
    credential = certs.load_pem_pair(*issued, NOW)
    assert credential.certificate.startswith("-----BEGIN CERTIFICATE-----")
    assert "PRIVATE KEY" not in repr(credential)


def test_a_key_of_another_certificate_is_named(issued: tuple[str, str]) -> None:
    _, other_key = test_certs.self_signed("other.example")
    with pytest.raises(ProfileError, match="does not belong to the client certificate"):
        certs.load_pem_pair(issued[0], other_key, NOW)


def test_expired_and_not_yet_valid_certificates_are_named() -> None:
    past = NOW - timedelta(days=100)
    cert, key = test_certs.self_signed("old", not_before=past, not_after=past + timedelta(days=1))
    with pytest.raises(ProfileError, match="expired on"):
        certs.check_pair(cert, key, NOW)
    future = NOW + timedelta(days=10)
    cert, key = test_certs.self_signed(
        "new", not_before=future, not_after=future + timedelta(days=1)
    )
    with pytest.raises(ProfileError, match="valid only from"):
        certs.check_pair(cert, key, NOW)


def test_not_a_certificate_is_named() -> None:
    with pytest.raises(ProfileError, match="could not be read"):
        certs.x5t("-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----")


def test_pkcs12_gives_the_pair_and_refuses_a_wrong_password() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    cert_pem = test_certs.self_signed_for(key, "p12.example")
    cert = x509.load_pem_x509_certificate(cert_pem.encode())
    blob = pkcs12.serialize_key_and_certificates(
        b"p12", key, cert, None, serialization.BestAvailableEncryption(b"s3cret")
    )
    credential = certs.load_pkcs12(blob, "s3cret", NOW)
    assert certs.x5t_s256(credential.certificate) == certs.x5t_s256(cert_pem)
    certs.check_pair(credential.certificate, credential.private_key, NOW)
    with pytest.raises(ProfileError, match="password is wrong"):
        certs.load_pkcs12(blob, "wrong", NOW)


def _fds() -> set[str]:
    return {
        os.readlink(f"/proc/self/fd/{fd}")
        for fd in os.listdir("/proc/self/fd")
        if os.path.exists(f"/proc/self/fd/{fd}")
    }


@pytest.mark.skipif(not tls_client.memfd_supported(), reason="Linux memfd only")
def test_memfd_key_leaves_no_file_and_no_descriptor(
    issued: tuple[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A private temp dir: the machine's /tmp changes under other processes.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    context = tls_client.client_context(*issued, use_memfd=True)
    assert isinstance(context, ssl.SSLContext)
    assert not [fd for fd in _fds() if "tokendesk-tls" in fd]  # the memfd is closed
    assert list(tmp_path.iterdir()) == []


def test_temp_file_fallback_is_private_and_removed(
    issued: tuple[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    modes: list[int] = []
    real = ssl.SSLContext.load_cert_chain

    def spy(self: ssl.SSLContext, path: str, *args: object) -> None:
        modes.append(os.stat(path).st_mode & 0o777)
        real(self, path)

    monkeypatch.setattr(ssl.SSLContext, "load_cert_chain", spy)
    tls_client.client_context(*issued, use_memfd=False)
    assert modes == [0o600]
    assert list(tmp_path.iterdir()) == []


def test_a_key_that_does_not_fit_fails_to_load_in_plain_words(issued: tuple[str, str]) -> None:
    _, other_key = test_certs.self_signed("other.example")
    with pytest.raises(ProfileError, match="could not be loaded for TLS"):
        tls_client.client_context(issued[0], other_key)
