"""Only real OS keychains are accepted; everything else is refused before a byte is written."""

from __future__ import annotations

import asyncio

import pytest

from app.core.errors import InsecureKeychainError, NoKeychainError
from app.storage.secrets import KeyringSecretStore, SecretKind, check_backend


def backend_from(module: str, name: str = "Keyring") -> object:
    """An object whose class claims to live in `module`, as keyring backends are named."""
    written: list[str] = []
    cls = type(name, (), {"set_password": lambda self, *a: written.append(a[-1])})
    cls.__module__ = module
    instance = cls()
    instance.written = written  # type: ignore[attr-defined]
    return instance


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("keyring.backends.SecretService", "Keyring"),
        ("keyring.backends.kwallet", "DBusKeyring"),
        ("keyring.backends.macOS", "Keyring"),
        ("keyring.backends.Windows", "WinVaultKeyring"),
    ],
)
def test_os_keychains_are_trusted(module: str, name: str) -> None:
    check_backend(backend_from(module, name))


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("keyrings.alt.file", "PlaintextKeyring"),
        ("keyrings.alt.file", "EncryptedKeyring"),
        ("keyrings.cryptfile.cryptfile", "CryptFileKeyring"),
        ("somebody.custom", "Keyring"),
    ],
)
def test_file_and_unknown_backends_are_refused_and_nothing_is_written(
    module: str, name: str
) -> None:
    backend = backend_from(module, name)
    with pytest.raises(InsecureKeychainError) as caught:
        asyncio.run(KeyringSecretStore(backend).set("p", SecretKind.CLIENT_SECRET, "s"))
    assert "not an OS keychain" in caught.value.message
    assert backend.written == []  # type: ignore[attr-defined]


def test_fail_and_null_backends_mean_no_keychain() -> None:
    for module in ("keyring.backends.fail", "keyring.backends.null"):
        with pytest.raises(NoKeychainError):
            check_backend(backend_from(module))


def test_a_chainer_is_trusted_only_if_every_member_is() -> None:
    cls = type("ChainerBackend", (), {})
    cls.__module__ = "keyring.backends.chainer"
    good = cls()
    good.backends = [backend_from("keyring.backends.SecretService")]  # type: ignore[attr-defined]
    check_backend(good)
    bad = cls()
    bad.backends = [  # type: ignore[attr-defined]
        backend_from("keyring.backends.SecretService"),
        backend_from("keyrings.alt.file", "PlaintextKeyring"),
    ]
    with pytest.raises(InsecureKeychainError):
        check_backend(bad)


def test_errors_while_choosing_the_backend_are_keychain_errors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 10, item 11: an error choosing the keyring backend escaped as a traceback."""
    import asyncio

    import keyring

    from app.core.errors import KeychainError
    from app.storage.secrets import KeyringSecretStore

    def broken() -> None:
        raise ValueError("keyringrc names a backend that cannot be loaded")

    monkeypatch.setattr(keyring, "get_keyring", broken)
    with pytest.raises(KeychainError) as caught:
        asyncio.run(KeyringSecretStore().check())
    assert "keychain" in caught.value.message.lower()
