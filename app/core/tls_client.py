"""An `ssl.SSLContext` that presents a client certificate, without the private key ever sitting
in a file Tokendesk wrote.

OpenSSL (through Python's `load_cert_chain`) reads keys only from a path. On Linux the key is
written to an anonymous memory file (`os.memfd_create`), opened through /proc/self/fd/N and
closed at once: it has no name in any directory and vanishes with the descriptor. Elsewhere it
goes to a 0600 temporary file that is removed right after loading.
"""

from __future__ import annotations

import contextlib
import os
import ssl
import tempfile
from collections.abc import Iterator
from pathlib import Path

from app.core.errors import ProfileError


def memfd_supported() -> bool:
    return hasattr(os, "memfd_create") and Path("/proc/self/fd").is_dir()


@contextlib.contextmanager
def _memfd_path(data: bytes) -> Iterator[str]:
    fd = os.memfd_create("tokendesk-tls", os.MFD_CLOEXEC)
    try:
        os.write(fd, data)
        yield f"/proc/self/fd/{fd}"
    finally:
        os.close(fd)


@contextlib.contextmanager
def _private_temp_path(data: bytes) -> Iterator[str]:
    # mkstemp creates the file 0600 and exclusively; it is unlinked before the context ends.
    fd, path = tempfile.mkstemp(prefix="tokendesk-tls-", suffix=".pem")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        yield path
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def key_path(
    data: bytes, *, use_memfd: bool | None = None
) -> contextlib.AbstractContextManager[str]:
    """A path OpenSSL can read `data` from, valid only inside the `with` block."""
    if memfd_supported() if use_memfd is None else use_memfd:
        return _memfd_path(data)
    return _private_temp_path(data)


def client_context(
    certificate: str,
    private_key: str,
    *,
    verify_tls: bool = True,
    ca_bundle: str = "",
    use_memfd: bool | None = None,
) -> ssl.SSLContext:
    """A client SSLContext that verifies the server as the profile says and presents
    `certificate` (PEM, chain allowed) with `private_key` (PEM)."""
    try:
        if not verify_tls:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        elif ca_bundle:
            context = ssl.create_default_context(cafile=str(Path(ca_bundle).expanduser()))
        else:
            context = ssl.create_default_context()
    except (OSError, ssl.SSLError) as exc:
        raise ProfileError(
            f"The CA bundle “{ca_bundle}” could not be read.",
            "Choose a PEM file with your organisation's CA certificates in the TLS settings.",
            details=f"{type(exc).__name__}: {exc}",
        ) from exc
    # Certificate and key go through one path: the certificate is public, but keeping them
    # together means OpenSSL never sees a key file of its own.
    bundle = (certificate.strip() + "\n" + private_key.strip() + "\n").encode()
    try:
        with key_path(bundle, use_memfd=use_memfd) as path:
            context.load_cert_chain(path)
    except (OSError, ssl.SSLError) as exc:
        raise ProfileError(
            "The client certificate and its private key could not be loaded for TLS.",
            "Check that the key belongs to the certificate and is not encrypted.",
            details=f"{type(exc).__name__}: {exc}",
        ) from exc
    return context
