"""The one door for secrets: client secrets, private keys and cached tokens go to the OS keychain
through `keyring`, keyed by profile id, and nowhere else. There is no plaintext fallback.

keyring is synchronous and may block on an unlock prompt (a locked keyring with a display waits
forever), so every call runs on a daemon thread with a timeout: a hung keychain turns into a
KeychainTimeoutError instead of a frozen window or a CLI that never exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from app.core.errors import (
    InsecureKeychainError,
    KeychainAction,
    KeychainError,
    KeychainLockedError,
    KeychainTimeoutError,
    NoKeychainError,
    no_keychain_hint,
)
from app.core.secrets import KEYCHAIN_SERVICE, SecretKind

SERVICE = KEYCHAIN_SERVICE
T = TypeVar("T")


# Backends that keep secrets in an OS keychain. Anything else (keyrings.alt's plaintext or
# "encrypted" files, the null and fail backends, unknown third-party ones) is refused.
TRUSTED_BACKENDS = frozenset(
    {
        "keyring.backends.SecretService.Keyring",
        "keyring.backends.libsecret.Keyring",
        "keyring.backends.kwallet.DBusKeyring",
        "keyring.backends.kwallet.DBusKeyringKWallet4",
        "keyring.backends.macOS.Keyring",
        "keyring.backends.Windows.WinVaultKeyring",
    }
)


def backend_name(backend: Any) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def check_backend(backend: Any, action: KeychainAction = "store") -> None:
    """Raise a KeychainError unless `backend` stores secrets in a real OS keychain."""
    name = backend_name(backend)
    if name == "keyring.backends.chainer.ChainerBackend":
        members = list(getattr(backend, "backends", []))
        if not members:
            check_backend(None, action)
        for member in members:
            check_backend(member, action)
        return
    if name in TRUSTED_BACKENDS:
        return
    if name.startswith(("keyring.backends.fail", "keyring.backends.null", "builtins.NoneType")):
        raise NoKeychainError(
            _no_keychain(action), no_keychain_hint(), details=f"keyring backend: {name}"
        )
    raise InsecureKeychainError(
        "The configured keyring backend is not an OS keychain, so Tokendesk will not use it.",
        "Remove keyrings.alt (or the keyring setting that selects it) and use gnome-keyring, "
        "KWallet, the macOS Keychain or the Windows Credential Manager.",
        details=f"keyring backend: {name}",
    )


def _no_keychain(action: KeychainAction) -> str:
    if action == "read":
        return "No OS keychain is running, so the saved secrets cannot be read."
    return "No OS keychain is running, so secrets cannot be stored safely."


def _translate(exc: Exception, action: KeychainAction = "store") -> KeychainError:
    import keyring.errors as kerr  # on first use: keyring is not needed for the first paint

    raw = f"{type(exc).__module__}.{type(exc).__name__}: {exc}"
    if isinstance(exc, kerr.KeyringLocked) or "locked" in str(exc).lower():
        return KeychainLockedError(
            "The OS keychain is locked.",
            "Unlock it (for example by logging in to the desktop again), then retry.",
            details=raw,
        )
    if isinstance(exc, kerr.NoKeyringError):
        return NoKeychainError(_no_keychain(action), no_keychain_hint(), details=raw)
    if isinstance(exc, kerr.InitError) or "prompt dismissed" in str(exc).lower():
        return KeychainLockedError(
            "The OS keychain refused access (its unlock prompt was dismissed or cannot be shown).",
            "Unlock the keychain, then retry.",
            details=raw,
        )
    return KeychainError(
        "The OS keychain refused the request.",
        "Check that the keychain is unlocked and working, then retry.",
        details=raw,
    )


async def run_with_timeout(fn: Callable[[], T], limit: float) -> T:
    """Run a blocking call on a daemon thread. Unlike a ThreadPoolExecutor, a thread stuck in an
    unlock prompt does not keep the process alive at exit."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def deliver(result: T | None, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)  # type: ignore[arg-type]

    def hand_over(result: T | None, error: BaseException | None) -> None:
        # After a timeout the loop may be closed (the app quit, the CLI returned): nobody
        # waits for the answer any more, so it is dropped.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(deliver, result, error)

    def work() -> None:
        try:
            result = fn()
        except BaseException as exc:  # handed to the awaiting coroutine
            hand_over(None, exc)
        else:
            hand_over(result, None)

    threading.Thread(target=work, name="tokendesk-keychain", daemon=True).start()
    try:
        return await asyncio.wait_for(future, limit)
    except TimeoutError:
        raise KeychainTimeoutError(
            f"The OS keychain did not answer within {limit:.0f} seconds.",
            "It may be waiting for you to unlock it: look for a password prompt, then retry.",
        ) from None


class KeyringSecretStore:
    """The OS keychain through `keyring`.

    `backend` is a keyring backend instance; None means `keyring.get_keyring()`, resolved on the
    first call and on the worker thread, because choosing a backend already talks to D-Bus.
    """

    def __init__(
        self, backend: Any | None = None, *, timeout: float = 15.0, service: str = SERVICE
    ) -> None:
        self._backend = backend
        self._timeout = timeout
        self._service = service

    def _resolved(self) -> Any:
        if self._backend is None:
            import keyring  # choosing a backend is slow: only when first used

            self._backend = keyring.get_keyring()
        return self._backend

    def _username(self, profile_id: str, kind: SecretKind) -> str:
        return f"{profile_id}/{kind}"

    async def _call(self, fn: Callable[[Any], T], action: KeychainAction = "store") -> T:
        def guarded() -> T:
            try:
                # Choosing the backend fails too (a broken keyringrc, a backend that cannot
                # load, D-Bus refusing): the same plain keychain error, never a traceback.
                backend = self._resolved()
                check_backend(backend, action)
                return fn(backend)
            except KeychainError:
                raise
            except Exception as exc:
                raise _translate(exc, action) from exc

        return await run_with_timeout(guarded, self._timeout)

    async def check(self) -> None:
        """Prove the keychain answers (a read of an entry that need not exist)."""
        await self._call(lambda b: b.get_password(self._service, "tokendesk-probe"), "read")

    async def get(self, profile_id: str, kind: SecretKind) -> str | None:
        user = self._username(profile_id, kind)
        value = await self._call(lambda b: b.get_password(self._service, user), "read")
        return value if isinstance(value, str) else None

    async def set(self, profile_id: str, kind: SecretKind, value: str) -> None:
        user = self._username(profile_id, kind)
        await self._call(lambda b: b.set_password(self._service, user, value))

    async def delete(self, profile_id: str, kind: SecretKind) -> None:
        import keyring.errors as kerr

        user = self._username(profile_id, kind)

        def remove(backend: Any) -> None:
            with contextlib.suppress(kerr.PasswordDeleteError):  # nothing stored: already gone
                backend.delete_password(self._service, user)

        await self._call(remove)

    async def delete_all(self, profile_id: str) -> None:
        for kind in SecretKind:
            await self.delete(profile_id, kind)
