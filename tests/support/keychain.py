"""A private, unlocked Secret Service keychain for the test session.

A dbus-daemon session bus of our own plus gnome-keyring-daemon on it, with every XDG dir pointed
at a temp dir: `keyring` then talks to a real keychain that is not the developer's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

PASSWORD = "tokendesk-test-keyring"


@dataclass
class PrivateKeychain:
    bus_address: str
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def stop(self) -> None:
        for proc in reversed(self.processes):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=5)
            for stream in (proc.stdin, proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()


def _name_has_owner(address: str, name: str) -> bool:
    result = subprocess.run(
        [
            "dbus-send",
            f"--bus={address}",
            "--dest=org.freedesktop.DBus",
            "--type=method_call",
            "--print-reply",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            f"string:{name}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return "boolean true" in result.stdout


def _default_collection_ready(address: str) -> bool:
    result = subprocess.run(
        [
            "dbus-send",
            f"--bus={address}",
            "--dest=org.freedesktop.secrets",
            "--type=method_call",
            "--print-reply",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.ReadAlias",
            "string:default",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return "/org/freedesktop/secrets/collection/" in result.stdout


def _write_works(address: str, runtime_dir: Path) -> bool:
    """A real write and delete through libsecret: the alias can exist a moment before the
    collection is unlocked, and a write then is refused ("Prompt dismissed")."""
    env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": address, "XDG_RUNTIME_DIR": str(runtime_dir)}
    env.pop("DISPLAY", None)
    probe = ["tokendesk-harness", "ready"]
    try:
        stored = subprocess.run(
            ["secret-tool", "store", "--label=tokendesk harness probe", *probe],
            input="ok",
            capture_output=True,
            text=True,
            env=env,
            timeout=5,
            check=False,
        )
        if stored.returncode != 0:
            return False
        subprocess.run(
            ["secret-tool", "clear", *probe], capture_output=True, env=env, timeout=5, check=False
        )
    except subprocess.TimeoutExpired:
        return False
    return True


def start(runtime_dir: Path) -> PrivateKeychain:
    """Start the bus and the keychain; the caller has already pointed XDG_* at temp dirs."""
    missing = [
        t
        for t in ("dbus-daemon", "dbus-send", "gnome-keyring-daemon", "secret-tool")
        if not shutil.which(t)
    ]
    if missing:
        raise RuntimeError(
            f"The test keychain needs {', '.join(missing)}: run `make test`, which installs them."
        )
    bus = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1", "--nosyslog"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert bus.stdout is not None
    address = bus.stdout.readline().decode().strip()
    if not address:
        bus.kill()
        raise RuntimeError("dbus-daemon did not print its address")
    keychain = PrivateKeychain(address, [bus])
    env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": address, "XDG_RUNTIME_DIR": str(runtime_dir)}
    env.pop("DISPLAY", None)
    daemon = subprocess.Popen(
        ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    keychain.processes.append(daemon)
    assert daemon.stdin is not None
    daemon.stdin.write(PASSWORD.encode())
    daemon.stdin.close()
    # --unlock returns before the daemon owns its bus name (FIELD-NOTES): wait for the owner.
    deadline = time.monotonic() + 20
    # Then wait for the unlocked default collection: before it exists, a write asks to create
    # one through a prompt, which hangs without a display.
    while not (
        _name_has_owner(address, "org.freedesktop.secrets")
        and _default_collection_ready(address)
        and _write_works(address, runtime_dir)
    ):
        if time.monotonic() > deadline or daemon.poll() is not None:
            keychain.stop()
            raise RuntimeError("gnome-keyring-daemon did not take org.freedesktop.secrets")
        time.sleep(0.05)
    return keychain
