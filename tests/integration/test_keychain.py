"""The real OS keychain (gnome-keyring over a private D-Bus session, started by conftest)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

import keyring
import pytest

from app.core.errors import KeychainTimeoutError, NoKeychainError
from app.storage.secrets import SERVICE, KeyringSecretStore, SecretKind, run_with_timeout

pytestmark = pytest.mark.keychain


def test_the_suite_uses_the_real_secret_service_backend() -> None:
    backend = keyring.get_keyring()
    assert type(backend).__module__ == "keyring.backends.SecretService"
    assert os.environ["DBUS_SESSION_BUS_ADDRESS"].startswith("unix:")


def test_set_get_delete_round_trip_through_gnome_keyring() -> None:
    store = KeyringSecretStore(keyring.get_keyring())
    secret = "p@ss:w+rd/%&= x ünïcode"

    async def scenario() -> None:
        await store.set("roundtrip", SecretKind.CLIENT_SECRET, secret)
        await store.set("roundtrip", SecretKind.TOKEN, '{"t": 1}')
        assert await store.get("roundtrip", SecretKind.CLIENT_SECRET) == secret
        await store.delete_all("roundtrip")
        assert await store.get("roundtrip", SecretKind.CLIENT_SECRET) is None
        assert await store.get("roundtrip", SecretKind.TOKEN) is None
        await store.delete("roundtrip", SecretKind.TOKEN)  # deleting nothing is fine

    asyncio.run(scenario())


def test_secrets_are_visible_to_other_keychain_clients() -> None:
    """What we store is a normal keychain item: secret-tool (libsecret) can read it back."""
    store = KeyringSecretStore(keyring.get_keyring())
    asyncio.run(store.set("visible", SecretKind.CLIENT_SECRET, "seen-by-secret-tool"))
    found = subprocess.run(
        ["secret-tool", "lookup", "service", SERVICE, "username", "visible/client_secret"],
        capture_output=True,
        text=True,
        check=False,
        timeout=20,
    )
    assert found.stdout == "seen-by-secret-tool"
    asyncio.run(store.delete_all("visible"))


def test_without_a_session_bus_the_keychain_error_is_plain() -> None:
    """A real process with no D-Bus session: keyring falls back to its fail backend."""
    code = (
        "import asyncio, keyring\n"
        "from app.storage.secrets import KeyringSecretStore, SecretKind\n"
        "from app.core.errors import NoKeychainError\n"
        "store = KeyringSecretStore(keyring.get_keyring())\n"
        "try:\n"
        "    asyncio.run(store.set('p', SecretKind.CLIENT_SECRET, 'never-written'))\n"
        "except NoKeychainError as exc:\n"
        "    print(exc.message); print(exc.hint)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert "No OS keychain is running" in result.stdout
    assert "gnome-keyring or KWallet" in result.stdout


def test_a_keychain_that_never_answers_times_out_in_plain_words() -> None:
    async def scenario() -> None:
        await run_with_timeout(lambda: time.sleep(5), 0.2)

    started = time.monotonic()
    with pytest.raises(KeychainTimeoutError) as caught:
        asyncio.run(scenario())
    assert time.monotonic() - started < 2
    assert "did not answer" in caught.value.message
    assert "unlock" in caught.value.hint


def test_fail_backend_is_refused_before_anything_is_written() -> None:
    from keyring.backends.fail import Keyring as FailKeyring

    store = KeyringSecretStore(FailKeyring())
    with pytest.raises(NoKeychainError):
        asyncio.run(store.set("p", SecretKind.CLIENT_SECRET, "x"))


def test_a_locked_keychain_is_reported_not_bypassed() -> None:
    from pathlib import Path

    probe = Path(__file__).resolve().parents[1] / "support" / "locked_keychain_probe.py"
    result = subprocess.run(
        [sys.executable, str(probe)], capture_output=True, text=True, timeout=90, check=False
    )
    lines = result.stdout.splitlines()
    assert lines[:2] == ["KeychainLockedError", "The OS keychain is locked."], result.stderr
    assert "STORED" not in result.stdout
