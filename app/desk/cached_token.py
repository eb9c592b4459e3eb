"""`tokendesk token NAME` when the keychain already holds a valid token: read it and go.

A shell loop calls this hundreds of times, so this path loads only what reading a cached token
needs: the profiles file, the fingerprint, one keychain item and the expiry rule. No asyncio, no
httpx, no PyJWT and no keyring (whose backend choice scans every installed package's entry
points). Any doubt — another keyring backend configured, no session bus, a locked collection, no
entry, an entry for other settings, a token about to expire — returns None, and the caller takes
the full path, which decides, prompts and explains exactly as before.

Which keychain: keyring would pick the Secret Service here anyway when nothing configures another
backend (no PYTHON_KEYRING_BACKEND, no keyringrc.cfg) and no KDE session prefers KWallet. The item
is found by the attributes keyring itself writes (`service`, `username`) in the default
collection, so either reads what the other wrote. This path only ever reads, from a keychain on
the allow-list: it cannot write plain text anywhere, and a wrong guess costs a cache miss, not a
wrong token (the fingerprint must still match the profile).

Encrypted or plain session: the Secret Service API hands secrets over D-Bus inside a "session"
that is either plain or encrypted with a Diffie-Hellman key (dh-ietf1024-sha256-aes128-cbc-pkcs7).
The session bus is a per-user Unix socket, and any process that could read the plain messages
runs as the same user and could simply ask the Secret Service for the item itself, so the plain
session exposes nothing new. We still keep SecretStorage's default, the encrypted session, like
keyring and libsecret do: it keeps the token out of D-Bus monitors and bus logs, and it costs one
key exchange (a millisecond or two), far below the import time this path saves.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from app.core.fingerprint import fingerprint
from app.core.profiles import Profile
from app.core.secrets import KEYCHAIN_SERVICE, SecretKind
from app.core.tokens import ExpiryPolicy, Token, TokenState


def secret_service_is_the_choice(environ: Mapping[str, str] = os.environ) -> bool:
    """True when keyring, left alone, would read from the Secret Service."""
    if not sys.platform.startswith("linux") or environ.get("PYTHON_KEYRING_BACKEND"):
        return False
    if not environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return False
    if "KDE" in environ.get("XDG_CURRENT_DESKTOP", "").split(":"):
        return False  # keyring ranks KWallet first in a KDE session
    config_home = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return not (Path(config_home) / "python_keyring" / "keyringrc.cfg").exists()


def linux_config_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """platformdirs' user_config_dir("tokendesk") on Linux (XDG Base Directory), without
    importing platformdirs: a test keeps the two equal."""
    root = environ.get("XDG_CONFIG_HOME", "").strip() or str(Path.home() / ".config")
    return Path(root) / "tokendesk"


def read_secret_service(username: str) -> str | None:
    """The item keyring stores under (KEYCHAIN_SERVICE, username), or None; never prompts."""
    import secretstorage

    bus = secretstorage.dbus_init()
    with closing(bus):
        collection = secretstorage.get_default_collection(bus)
        if collection.is_locked():
            return None  # unlocking may prompt: the full path handles that
        for item in collection.search_items({"service": KEYCHAIN_SERVICE, "username": username}):
            if item.is_locked():
                return None
            return item.get_secret().decode("utf-8")
    return None


def valid_cached(profile: Profile, entry: str, now: datetime) -> Token | None:
    """The token in a keychain entry when it was obtained with these settings and is valid
    (by the same ExpiryPolicy as the token manager's default)."""
    try:
        data = json.loads(entry)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("fingerprint") != fingerprint(profile):
        return None
    if not isinstance(data.get("token"), dict):
        return None
    token = Token.from_json(json.dumps(data["token"]))
    if token is None or token.state(now, ExpiryPolicy()) is not TokenState.VALID:
        return None
    return token


def cached_token(
    query: str,
    *,
    config_dir: Path | None = None,
    environ: Mapping[str, str] = os.environ,
    now: datetime | None = None,
) -> Token | None:
    """The valid cached token of the profile `query` names, or None for "take the full path"."""
    if not secret_service_is_the_choice(environ):
        return None
    try:
        from app.desk.lookup import find_profile
        from app.storage.profile_store import ProfileStore

        where = config_dir or linux_config_dir(environ)
        profile = find_profile(ProfileStore(where).load(), query)
        entry = read_secret_service(f"{profile.id}/{SecretKind.TOKEN}")
    except Exception:  # any doubt: the full path decides and explains
        return None
    if entry is None:
        return None
    return valid_cached(profile, entry, now or datetime.now(UTC))
