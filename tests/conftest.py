"""Test session set-up: isolated XDG dirs, offscreen Qt, a private real keychain.

This runs before anything imports keyring or Qt, so no test can reach the developer's own
keychain, config or display, however the suite is started.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

_ROOT = Path(tempfile.mkdtemp(prefix="tokendesk-tests-"))
XDG = {
    "XDG_CONFIG_HOME": _ROOT / "config",
    "XDG_DATA_HOME": _ROOT / "data",
    "XDG_CACHE_HOME": _ROOT / "cache",
    "XDG_STATE_HOME": _ROOT / "state",
    "XDG_RUNTIME_DIR": _ROOT / "runtime",
}
for _name, _path in XDG.items():
    _path.mkdir(mode=0o700)
    os.environ[_name] = str(_path)
os.environ["HOME"] = str(_ROOT / "home")
(_ROOT / "home").mkdir()
for _name in ("DISPLAY", "WAYLAND_DISPLAY", "PYTHON_KEYRING_BACKEND"):
    os.environ.pop(_name, None)
os.environ["QT_QPA_PLATFORM"] = "offscreen"
# Until the private bus is up, point D-Bus nowhere rather than at the developer's session.
os.environ["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={_ROOT / 'no-bus'}"

from tests.support import idp as idp_support  # noqa: E402
from tests.support import keychain as _keychain  # noqa: E402
from tests.support.fault_server import FaultServer  # noqa: E402
from tests.support.resource_server import ResourceServer  # noqa: E402

_RUNNING: list[_keychain.PrivateKeychain] = []


def pytest_configure(config: pytest.Config) -> None:
    keychain = _keychain.start(XDG["XDG_RUNTIME_DIR"])
    _RUNNING.append(keychain)
    os.environ["DBUS_SESSION_BUS_ADDRESS"] = keychain.bus_address


def pytest_unconfigure(config: pytest.Config) -> None:
    for keychain in _RUNNING:
        keychain.stop()
    shutil.rmtree(_ROOT, ignore_errors=True)


@pytest.fixture(scope="session")
def test_root() -> Path:
    return _ROOT


class FakeClock:
    """An injected clock that only moves when a test moves it."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[idp_support.IdentityServer]:
    server = idp_support.start(tmp_path_factory.mktemp("idp"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def faults() -> Iterator[FaultServer]:
    server = FaultServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def api(idp: idp_support.IdentityServer) -> Iterator[ResourceServer]:
    server = ResourceServer(idp.issuer, idp_support.JWT_API).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def secure_api(
    idp: idp_support.IdentityServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ResourceServer]:
    """The test API on https, asking for client certificates (mTLS- and DPoP-bound tokens)."""
    assert idp.ca is not None
    folder = tmp_path_factory.mktemp("secure-api")
    issued = idp.ca.issue_cert("127.0.0.1")
    cert, key, trusted = folder / "api.pem", folder / "api-key.pem", folder / "clients.pem"
    cert.write_bytes(b"".join(p.bytes() for p in issued.cert_chain_pems))
    issued.private_key_pem.write_to_path(str(key))
    # Self-signed client certificates chain to no CA: the API trusts them one by one.
    self_signed = idp.clients["self-signed"].cert_pem or ""
    trusted.write_text(idp.ca.cert_pem.bytes().decode() + self_signed)
    server = ResourceServer(
        idp.issuer, idp_support.JWT_API, tls=(str(cert), str(key), str(trusted))
    ).start()
    yield server
    server.stop()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """`make fuzz` reports how many examples each parser went through."""
    import sys

    fuzz = sys.modules.get("tests.fuzz.test_parsers")
    counts = getattr(fuzz, "COUNTS", None)
    if counts:
        terminalreporter.write_sep("-", "fuzzed examples (none ended outside a TokendeskError)")
        for name, count in sorted(counts.items()):
            terminalreporter.write_line(f"{count:>10,}  {name}")
