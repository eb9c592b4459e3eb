"""bash runs the exported curl command against a local recording server: what arrives is what
the request says, and nothing in a token or header runs as code (issue 10, items 5 and 15)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.curl import TOKEN_PLACEHOLDER, from_curl, is_placeholder, to_curl
from app.core.request_spec import build
from app.core.tokens import B64TOKEN
from tests.support.recording_server import RecordingServer

pytestmark = pytest.mark.skipif(not shutil.which("curl"), reason="needs curl")

HEADER_NAME = st.from_regex(r"X-[A-Za-z][A-Za-z0-9-]{0,10}", fullmatch=True)
# Header values curl and HTTP carry unchanged: printable, no leading/trailing space.
HEADER_VALUE = st.text(
    st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=20
)
BODY = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), max_size=40
)


def run_in_bash(command: str, tmp: Path, env: dict[str, str] | None = None) -> None:
    subprocess.run(
        ["bash", "-c", command + " -s -o /dev/null"],
        cwd=tmp,
        env={**os.environ, "HOME": str(tmp), **(env or {})},
        check=True,
        timeout=30,
    )


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE"]),
    headers=st.lists(
        st.tuples(HEADER_NAME, HEADER_VALUE), max_size=3, unique_by=lambda h: h[0].lower()
    ),
    body=BODY,
    token=st.from_regex(B64TOKEN, fullmatch=True).filter(
        lambda t: len(t) < 200 and not is_placeholder(t)
    ),
)
def test_bash_sends_what_the_exported_command_says(
    tmp_path: Path, method: str, headers: list[tuple[str, str]], body: str, token: str
) -> None:
    with RecordingServer() as server:
        content = body.encode() if body else None
        request = httpx.Request(method, f"{server.base}/p/a?q=1", headers=headers, content=content)
        command = to_curl(request, authorization=f"Bearer {token}")
        run_in_bash(command, tmp_path)
        (arrived,) = server.arrived
    assert arrived.method == method
    assert arrived.path == "/p/a?q=1"
    sent = {k.lower(): v for k, v in arrived.headers}
    for name, value in headers:
        assert sent[name.lower()] == value
    assert sent["authorization"] == f"Bearer {token}"
    assert arrived.body == (content or b"")
    # and the importer reads the command back as the same request
    spec = from_curl(command)
    assert (spec.method, spec.url, spec.pasted_token) == (method, str(request.url), token)
    rebuilt = build(spec)
    assert rebuilt.content == (content or b"")


@pytest.mark.parametrize("scheme", ["$(touch pwned)", "`touch pwned`", "Bearer;touch pwned;"])
def test_server_chosen_scheme_never_runs(tmp_path: Path, scheme: str) -> None:
    with RecordingServer() as server:
        request = httpx.Request("GET", f"{server.base}/x")
        command = to_curl(request, authorization=f"{scheme} {TOKEN_PLACEHOLDER}")
        run_in_bash(command, tmp_path, {"TOKEN": "abc.def"})
        (arrived,) = server.arrived
    assert not (tmp_path / "pwned").exists()
    assert {k.lower(): v for k, v in arrived.headers}["authorization"] == f"{scheme} abc.def"


@pytest.mark.parametrize("token", ["a$(touch pwned)", "`touch pwned`", "x';touch pwned;'"])
def test_real_value_export_never_runs(tmp_path: Path, token: str) -> None:
    with RecordingServer() as server:
        request = httpx.Request("GET", f"{server.base}/x")
        run_in_bash(to_curl(request, authorization=f"Bearer {token}"), tmp_path)
    assert not (tmp_path / "pwned").exists()
