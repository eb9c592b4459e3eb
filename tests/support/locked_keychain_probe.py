"""Run as a separate process: start a private keychain, lock it, and try to use it through
Tokendesk's store. Prints the error class and message. Used by test_keychain.py; it needs its
own process because gnome-keyring keeps its files under XDG_DATA_HOME."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
from pathlib import Path

root = Path(tempfile.mkdtemp(prefix="tokendesk-locked-"))
for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR"):
    (root / name).mkdir(mode=0o700)
    os.environ[name] = str(root / name)
os.environ.pop("DISPLAY", None)
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.support import keychain  # noqa: E402

kc = keychain.start(root / "XDG_RUNTIME_DIR")
os.environ["DBUS_SESSION_BUS_ADDRESS"] = kc.bus_address
try:
    subprocess.run(
        [
            "dbus-send",
            f"--bus={kc.bus_address}",
            "--dest=org.freedesktop.secrets",
            "--type=method_call",
            "--print-reply",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.Lock",
            "array:objpath:/org/freedesktop/secrets/collection/login",
        ],
        check=True,
        capture_output=True,
        timeout=20,
    )
    import keyring

    from app.core.errors import KeychainError
    from app.storage.secrets import KeyringSecretStore, SecretKind

    store = KeyringSecretStore(keyring.get_keyring(), timeout=10)
    try:
        asyncio.run(store.set("locked-profile", SecretKind.CLIENT_SECRET, "never-stored"))
        print("STORED")
    except KeychainError as exc:
        print(type(exc).__name__)
        print(exc.message)
        print(exc.hint)
finally:
    kc.stop()
