"""Secrets have one door: after adding profiles and fetching tokens, no file anywhere under the
test's config, data, cache or home dirs holds a secret or a token in plain bytes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.test_cli import Cli
from tests.support.idp import IdentityServer

pytestmark = [pytest.mark.idp, pytest.mark.keychain]


def test_no_file_holds_a_secret_or_a_token(
    tmp_path: Path, idp: IdentityServer, test_root: Path
) -> None:
    cli = Cli(tmp_path)
    secrets: list[str] = []
    tokens: list[str] = []
    for name, client in [("One", "basic"), ("Two", "weird"), ("Three", "pkjwt")]:
        spec = idp.clients[client]
        args = [
            "profile",
            "add",
            name,
            "--token-url",
            idp.token_endpoint,
            "--client-id",
            spec.client_id,
            "--auth-method",
            spec.auth_method,
        ]
        if spec.private_key_pem:
            pem = tmp_path / "outside" / "key.pem"  # the user's own file: not ours to scan
            pem.parent.mkdir(exist_ok=True)
            pem.write_text(spec.private_key_pem)
            args += ["--private-key-file", str(pem)]
            secrets.append(spec.private_key_pem.splitlines()[1])
        result = cli(*args, stdin=spec.secret or "")
        assert result.returncode == 0, result.stderr
        if spec.secret:
            secrets.append(spec.secret)
        fetched = cli("token", name, "--json")
        assert fetched.returncode == 0, fetched.stderr
        tokens.append(json.loads(fetched.stdout)["access_token"])
    cli("profile", "export")

    roots = [tmp_path / "config", tmp_path / "data", test_root]
    files = [
        p
        for root in roots
        for p in root.rglob("*")
        if p.is_file() and "outside" not in p.parts and "idp" not in p.name
    ]
    assert any(p.name == "profiles.json" for p in files), "the scan must see our own files"
    assert any(p.suffix == ".keyring" for p in files), "and the keychain's encrypted file"
    for path in files:
        data = path.read_bytes()
        for value in secrets + tokens:
            assert value.encode() not in data, f"{path} holds a secret or token"
