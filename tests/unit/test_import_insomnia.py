"""Insomnia import: a v4 JSON export and a v5 YAML export (fixtures in tests/fixtures/imports),
base and sub-environments, folder-level OAuth 2 client credentials, credentialsInBody."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.errors import ImportSourceError
from app.core.profiles import AuthMethod
from app.core.request_spec import AuthMode, BodyKind
from app.importers import Format, detect, read_sources
from app.importers.plan import SecretUse

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
V4 = FIXTURES / "insomnia-v4-orders.json"
V5 = FIXTURES / "insomnia-v5-orders.yaml"


def test_v4_export_becomes_profile_environment_and_requests() -> None:
    assert detect(V4) is Format.INSOMNIA
    plan = read_sources([V4])
    (planned,) = plan.profiles
    profile = planned.profile
    assert (profile.name, planned.source_key) == ("Orders API", "insomnia:wrk_4f1c2a")
    assert profile.token_url == "https://id.example.com/oauth/token"
    assert profile.client_id == "cid"
    assert profile.auth_method is AuthMethod.CLIENT_SECRET_BASIC
    assert profile.api_base_url == "https://api.example.com"
    assert [e.name for e in profile.environments] == ["Staging"]
    assert [r.saved_name for r in planned.requests] == [
        "Orders / List orders",
        "Orders / Create order",
        "Orders / Update order",
        "Misc / Public status",
        "Misc / Legacy report",
    ]
    listing, create, update, public, legacy = planned.requests
    assert listing.spec.url == "{{baseUrl}}/orders?status=open&limit=10&tag=a+b"
    assert [(h.name, h.value, h.enabled) for h in listing.spec.headers][1:] == [
        ("X-Api-Version", "{{apiVersion}}", True),
        ("X-Disabled", "no", False),
    ]
    assert create.spec.body.kind is BodyKind.JSON
    assert update.spec.url == "{{baseUrl}}/orders/7"  # the :orderId path parameter
    assert [f.enabled for f in update.spec.body.fields] == [True, True, False]
    # {} and "inherit" take the folder's OAuth; "none" and other auth do not.
    modes = [r.spec.auth for r in planned.requests]
    assert modes == [AuthMode.PROFILE] * 3 + [AuthMode.NONE] * 2
    assert public.spec.auth is legacy.spec.auth is AuthMode.NONE
    assert plan.reports[0].kept_without_auth == ("Legacy report (apikey)",)


def test_v4_secrets_go_to_the_keychain_plan_and_are_named() -> None:
    plan = read_sources([V4])
    (planned,) = plan.profiles
    kinds = {(s.kind, s.environment, s.name) for s in planned.secrets}
    assert (SecretUse.CLIENT_SECRET, "Staging", "client secret") in kinds
    assert (SecretUse.VARIABLE, "Staging", "apiKey") in kinds
    assert plan.reports[0].secrets == ("apiKey", "clientSecret")
    stored = json.dumps(planned.profile.to_dict())
    assert "s3cr3t-value" not in stored
    assert "legacy-key-8c1d55e0" not in stored


def test_v5_yaml_export_with_sub_environments() -> None:
    """Insomnia 11's v5 YAML: each sub-environment its own client, secret and API base;
    credentialsInBody means client_secret_post; the audience is kept."""
    assert detect(V5) is Format.INSOMNIA
    plan = read_sources([V5])
    (planned,) = plan.profiles
    profile = planned.profile
    assert planned.source_key == "insomnia:wrk_8d2e61"
    assert profile.auth_method is AuthMethod.CLIENT_SECRET_POST
    assert profile.audience == "https://api.example.com/orders"
    assert [e.name for e in profile.environments] == ["Production", "Staging"]
    staging = profile.environments[1]
    assert staging.client_id == "orders-staging"
    assert staging.api_base_url == "https://staging.api.example.com"
    assert staging.scopes == ("orders:read", "orders:write")
    secrets = {s.environment: s.value for s in planned.secrets if s.kind is SecretUse.CLIENT_SECRET}
    assert secrets["Staging"] == "staging-secret-71c"
    assert secrets["Production"] == "prod-secret-5f2a"
    assert [r.saved_name for r in planned.requests] == [
        "Orders / List orders",
        "Orders / Create order",
        "Public status",
    ]
    assert plan.summary() == (
        "1 profile, 3 requests, 2 environments; 3 client secrets go into the keychain"
    )


def test_export_without_workspace_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bare.json"
    path.write_text(json.dumps({"_type": "export", "__export_format": 4, "resources": [{}]}))
    with pytest.raises(ImportSourceError, match="without a workspace"):
        read_sources([path])


def test_template_tags_are_warned_about(tmp_path: Path) -> None:
    data = json.loads(V4.read_text())
    request = next(r for r in data["resources"] if r["_id"] == "req_list_1")
    request["headers"].append({"name": "X-Trace", "value": "{% uuid 'v4' %}"})
    path = tmp_path / "tags.json"
    path.write_text(json.dumps(data))
    report = read_sources([path]).reports[0]
    assert any("template tags" in w for w in report.warnings)
