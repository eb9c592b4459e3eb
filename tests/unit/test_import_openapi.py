"""OpenAPI import on the fixtures in tests/fixtures/imports (an orders API in YAML 3.1, a
petstore-shaped JSON 3.0): profile, servers, operations, examples, scopes, and bad input."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import yaml

from app.core.errors import ImportSourceError
from app.core.request_spec import AuthMode, BodyKind
from app.importers import Format, common, detect, read_document, read_sources
from app.importers.apply import apply_plan
from app.storage.history_store import HistoryStore
from app.storage.profile_store import ProfileStore
from tests.support.memory_secrets import MemorySecretStore

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
ORDERS = FIXTURES / "orders-api.yaml"
PETSTORE = FIXTURES / "petstore.json"


def test_orders_api_becomes_a_profile_with_servers_as_environments() -> None:
    """tokenUrl and offered scopes from the clientCredentials flow; the first server (with its
    variable's default) is the API base, each server an environment."""
    assert detect(ORDERS) is Format.OPENAPI
    plan = read_sources([ORDERS])
    (planned,) = plan.profiles
    profile = planned.profile
    assert profile.name == "Orders API"
    assert planned.source_key == "openapi:Orders API"
    assert profile.token_url == "https://auth.example.com/oauth2/token"
    assert profile.scopes == ("orders:read", "orders:write", "orders:cancel")
    assert profile.api_base_url == "https://eu.orders.example.com/v2"
    assert dict(profile.variables)["region"] == "eu"
    assert [e.name for e in profile.environments] == ["Production", "Sandbox"]
    sandbox = profile.environments[1]
    assert sandbox.api_base_url == "https://sandbox.orders.example.com/v2"
    assert plan.summary() == "1 profile, 6 requests, 2 environments"


def test_operations_become_templates_with_scopes_in_the_note() -> None:
    (planned,) = read_sources([ORDERS]).profiles
    by_name = {r.saved_name: r for r in planned.requests}
    listing = by_name["Orders / List orders"]
    # The required query parameter (its $ref'd enum's first value), not the optional one.
    assert listing.spec.url == "/orders?status=open"
    assert listing.spec.auth is AuthMode.PROFILE
    assert listing.note.splitlines() == ["needs orders:read", "Optional: limit (query)"]
    assert [(h.name, h.value, h.enabled) for h in listing.spec.headers] == [
        ("X-Request-Id", "{{X-Request-Id}}", True)
    ]
    one = by_name["Orders / Get an order"]
    assert one.spec.url == "/orders/{{orderId}}"
    assert dict(planned.profile.variables)["orderId"] == "ord_1001"  # the path example
    cancel = by_name["Orders / Cancel an order"]
    assert (cancel.spec.method, cancel.note) == ("DELETE", "needs orders:write orders:cancel")
    create = by_name["Orders / Create an order"]
    assert create.spec.body.kind is BodyKind.JSON
    # From the schema behind two $refs: readOnly id left out, 3.1 `examples` used.
    assert json.loads(create.spec.body.text) == {
        "item": "Widget",
        "qty": 1,
        "shipTo": {"city": "Lyon", "country": "FR"},
    }
    health = by_name["Health / Health check"]
    assert (health.spec.auth, health.note) == (AuthMode.NONE, "No token needed.")


def test_other_auth_is_kept_without_auth_and_reported() -> None:
    plan = read_sources([ORDERS])
    assert plan.reports[0].kept_without_auth == ("Legacy report (partner_key)",)
    legacy = next(r for r in plan.profiles[0].requests if r.title == "Legacy report")
    assert legacy.spec.auth is AuthMode.NONE
    assert legacy.note == "Kept without auth: it needs partner_key."


def test_petstore_examples_forms_and_alternatives() -> None:
    """`examples` on the media type, a form body, a recursive schema that stops, an operation that
    takes the API key or the OAuth token (the token wins), a relative server reported."""
    plan = read_sources([PETSTORE])
    (planned,) = plan.profiles
    assert planned.profile.token_url == "https://petstore3.swagger.io/oauth/token"
    assert planned.profile.api_base_url == ""
    assert any("relative" in w for w in plan.reports[0].warnings)
    by_name = {r.saved_name: r for r in planned.requests}
    order = by_name["store / Place an order for a pet"]
    assert json.loads(order.spec.body.text) == {"petId": 198772, "quantity": 7}
    form = by_name["pet / Updates a pet in the store with form data"]
    assert form.spec.body.kind is BodyKind.FORM
    assert [(f.name, f.value) for f in form.spec.body.fields] == [
        ("name", "doggie"),
        ("status", "sold"),
    ]
    pet = json.loads(by_name["pet / Add a new pet to the store"].spec.body.text)
    assert pet["category"] == {"id": 1, "name": "Dogs"}  # the recursion stopped, no null
    by_id = by_name["pet / Find pet by ID"]
    assert (by_id.spec.auth, by_id.note) == (AuthMode.PROFILE, "needs write:pets read:pets")
    assert plan.reports[0].kept_without_auth == ("Returns pet inventories by status (api_key)",)


def test_ref_loop_gives_a_plain_error(tmp_path: Path) -> None:
    spec = yaml.safe_load(ORDERS.read_text())
    spec["components"]["schemas"]["NewOrder"] = {"$ref": "#/components/schemas/Loop"}
    spec["components"]["schemas"]["Loop"] = {"$ref": "#/components/schemas/NewOrder"}
    path = tmp_path / "loop.yaml"
    path.write_text(yaml.safe_dump(spec))
    with pytest.raises(ImportSourceError, match="refers to itself in a loop") as caught:
        read_sources([path])
    assert "Nothing was imported" in caught.value.hint
    assert "#/components/schemas/Loop" in caught.value.details


def test_missing_ref_target_is_damaged(tmp_path: Path) -> None:
    spec = json.loads(PETSTORE.read_text())
    spec["paths"]["/pet"]["put"]["requestBody"] = {"$ref": "#/components/requestBodies/Gone"}
    path = tmp_path / "gone.json"
    path.write_text(json.dumps(spec))
    with pytest.raises(ImportSourceError, match="points to nothing"):
        read_sources([path])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("openapi: 3.0.0\ninfo: [unclosed\n", "not valid YAML"),
        ('{"openapi": "3.1.0", "paths": {', "not valid JSON"),
        ("<html><body>API docs</body></html>", "does not serve"),
    ],
)
def test_bad_documents_from_an_address(text: str, message: str) -> None:
    with pytest.raises(ImportSourceError, match=message):
        read_document(text, "https://api.example.com/openapi")


def test_huge_document_from_an_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "MAX_BYTES", 100)
    with pytest.raises(ImportSourceError, match="too large"):
        read_document("openapi: 3.1.0\n" + "#" * 200, "https://x.example/api.yaml")


def test_relative_server_joins_the_address_it_was_fetched_from() -> None:
    plan = read_document(PETSTORE.read_text(), "https://petstore3.swagger.io/api/v3/openapi.json")
    assert plan.profiles[0].profile.api_base_url == "https://petstore3.swagger.io/api/v3"
    assert plan.reports[0].path == "https://petstore3.swagger.io/api/v3/openapi.json"


def test_reimport_updates_in_place(tmp_path: Path) -> None:
    """The same API again updates its profile; a changed operation is reported as changed."""
    changed = yaml.safe_load(ORDERS.read_text())
    changed["paths"]["/orders"]["get"]["security"] = [{"orders_oauth": ["orders:admin"]}]
    second = tmp_path / "orders-v2.yaml"
    second.write_text(yaml.safe_dump(changed, sort_keys=False))

    async def scenario() -> tuple[str, str, int]:
        store, secrets = ProfileStore(tmp_path / "config"), MemorySecretStore()
        history = HistoryStore(tmp_path / "data")
        try:
            first = await apply_plan(
                read_sources([ORDERS]), store=store, secrets=secrets, history=history
            )
            again = await apply_plan(
                read_sources([second]), store=store, secrets=secrets, history=history
            )
            (profile,) = store.load()
            return first.summary(), again.changes[0], len(history.saved(profile.id))
        finally:
            history.close()

    first, change, saved = asyncio.run(scenario())
    assert first == "Imported: created Orders API."
    assert change == "Orders API: 1 request(s) changed"
    assert saved == 6


def test_a_value_of_the_wrong_shape_is_damaged_not_a_crash() -> None:
    """`true` where the components belong: one plain sentence (fuzzing finds more)."""
    spec = yaml.safe_load(ORDERS.read_text())
    spec["components"] = True
    with pytest.raises(ImportSourceError, match="not shaped like an OpenAPI description"):
        read_document(json.dumps(spec), "https://api.example.com/openapi.json")
