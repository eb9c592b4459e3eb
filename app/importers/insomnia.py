"""Insomnia exports: v4 JSON (`"__export_format": 4`, a flat list of resources linked by
`parentId`) and v5 YAML (`type: collection.insomnia.rest/5.0`, the tree Insomnia 11 writes).

v5 is first turned into v4's resources, the way Insomnia's own v5 importer does (folders are
`collection` items with `children`; `environments` is the base environment with its
`subEnvironments`), so one reader serves both. Each workspace becomes a profile; its base
environment the profile's variables, each sub-environment an environment; OAuth 2
client-credentials auth (workspace folder or request level, `credentialsInBody`, `audience`,
`resource`) the token settings. Other auth is reported as "kept without auth".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.request_spec import (
    AuthMode,
    Body,
    BodyKind,
    RequestSpec,
    Row,
    join_query,
    split_query,
)
from app.importers import common
from app.importers.common import Settings, assemble, fail, is_secret_name, resolve
from app.importers.plan import PlannedProfile, PlannedRequest, SourceReport

_NUNJUCKS_VARIABLE = re.compile(r"\{\{\s*_\.([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}")
_TAG = re.compile(r"\{%.*?%\}")


def is_export(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    v4 = data.get("_type") == "export" and str(data.get("__export_format")) == "4"
    return v4 or str(data.get("type", "")).startswith("collection.insomnia.rest/5")


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


def _template(text: Any) -> str:
    """Insomnia's `{{ _.name }}` as Tokendesk's `{{name}}`."""
    return _NUNJUCKS_VARIABLE.sub(r"{{\1}}", _text(text))


def _flatten(data: Any, prefix: str = "") -> dict[str, str]:
    """Environment data; nested objects are reached as `_.a.b` in Insomnia, so `a.b` here."""
    flat: dict[str, str] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            name = f"{prefix}{key}"
            if isinstance(value, dict):
                flat.update(_flatten(value, f"{name}."))
            else:
                flat[name] = _template(value)
    return flat


# v5 → v4 resources ------------------------------------------------------------------------------


def _meta(item: dict[str, Any]) -> dict[str, Any]:
    meta = item.get("meta")
    return meta if isinstance(meta, dict) else {}


def _v5_resources(doc: dict[str, Any]) -> list[dict[str, Any]]:
    workspace_id = str(_meta(doc).get("id") or "wrk_v5")
    resources: list[dict[str, Any]] = [
        {"_id": workspace_id, "_type": "workspace", "name": doc.get("name") or "Insomnia"}
    ]
    counter = iter(range(1, 1_000_000))

    def walk(items: Any, parent: str) -> None:
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict):
                continue
            own = str(_meta(item).get("id") or f"v5_{next(counter)}")
            common = {
                "_id": own,
                "parentId": parent,
                "name": item.get("name"),
                "metaSortKey": _meta(item).get("sortKey"),
                "authentication": item.get("authentication") or {},
            }
            if "children" in item:
                group = {**common, "_type": "request_group", "environment": item.get("environment")}
                resources.append(group)
                walk(item["children"], own)
            elif "method" in item:
                resources.append({**item, **common, "_type": "request"})

    walk(doc.get("collection"), workspace_id)
    environments = doc.get("environments")
    if isinstance(environments, dict):
        base_id = str(_meta(environments).get("id") or "env_base")
        base = {"_id": base_id, "_type": "environment", "parentId": workspace_id}
        resources.append(
            {**base, "name": environments.get("name"), "data": environments.get("data")}
        )
        for sub in environments.get("subEnvironments") or []:
            if isinstance(sub, dict):
                own = {"_id": f"env_{next(counter)}", "_type": "environment", "parentId": base_id}
                resources.append({**own, "name": sub.get("name"), "data": sub.get("data")})
    return resources


# Reading one workspace ---------------------------------------------------------------------------


@dataclass
class _Workspace:
    path: Path
    children: dict[str, list[dict[str, Any]]]
    requests: list[PlannedRequest] = field(default_factory=list)
    kept_without_auth: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    folder_vars: dict[str, str] = field(default_factory=dict)
    oauth: dict[str, Any] | None = None

    def walk(self, parent: str, folder: tuple[str, ...], inherited: dict[str, Any] | None) -> None:
        for item in self.children.get(parent, []):
            name = str(item.get("name") or "Untitled").replace("/", "∕")
            auth = _own_auth(item.get("authentication"))
            effective = inherited if auth is None else auth
            if item.get("_type") == "request_group":
                for key, value in _flatten(item.get("environment")).items():
                    self.folder_vars.setdefault(key, value)
                self.walk(str(item["_id"]), (*folder, name), effective)
            elif item.get("_type") == "request":
                self.requests.append(self.request(item, folder, name, effective))

    def auth_mode(self, auth: dict[str, Any] | None, title: str) -> AuthMode:
        if auth is None or auth.get("type") in {None, "none"} or auth.get("disabled"):
            return AuthMode.NONE
        if auth.get("type") == "oauth2" and auth.get("grantType") == "client_credentials":
            self.oauth = common.one_client(
                self.oauth, auth, title=title, container="workspace", warnings=self.warnings
            )
            return AuthMode.PROFILE
        grant = str(auth.get("grantType", ""))
        kind = str(auth.get("type"))
        return common.kept_without_token(self.kept_without_auth, title, kind, grant)

    def request(
        self, raw: dict[str, Any], folder: tuple[str, ...], title: str, auth: dict[str, Any] | None
    ) -> PlannedRequest:
        url = _template(raw.get("url"))
        for param in raw.get("pathParameters") or []:
            if isinstance(param, dict) and param.get("name"):
                url = url.replace(f":{param['name']}", _template(param.get("value")))
        base, rows = split_query(url)
        rows += [
            Row(str(p.get("name")), _template(p.get("value")), not p.get("disabled", False))
            for p in raw.get("parameters") or []
            if isinstance(p, dict) and p.get("name")
        ]
        headers = tuple(
            Row(str(h.get("name")), _template(h.get("value")), not h.get("disabled", False))
            for h in raw.get("headers") or []
            if isinstance(h, dict) and h.get("name")
        )
        spec = RequestSpec(
            method=str(raw.get("method") or "GET").upper(),
            url=join_query(base, rows) if rows else base,
            headers=headers,
            body=self.body(raw.get("body"), title),
            auth=self.auth_mode(auth, title),
        )
        texts = [_text(raw.get("url")), *(h.value for h in headers), spec.body.text]
        if any(_TAG.search(t) for t in texts):
            self.warnings.append(f"“{title}” uses Insomnia template tags ({{% … %}}).")
        note = _text(raw.get("description"))[:500]
        return PlannedRequest(folder, title, spec, note)

    def body(self, body: Any, title: str) -> Body:
        if not isinstance(body, dict) or not body:
            return Body()
        mime = str(body.get("mimeType") or "").split(";")[0].strip().lower()
        if mime in {"application/x-www-form-urlencoded", "multipart/form-data"}:
            params = [p for p in body.get("params") or [] if isinstance(p, dict)]
            if mime == "multipart/form-data":
                self.warnings.append(
                    f"“{title}” sends multipart form-data; Tokendesk sends its text fields "
                    "URL-encoded."
                )
                params = [p for p in params if p.get("type", "text") != "file"]
            fields = tuple(
                Row(str(p.get("name", "")), _template(p.get("value")), not p.get("disabled"))
                for p in params
            )
            return Body(BodyKind.FORM, fields=fields)
        if body.get("fileName"):
            return Body(BodyKind.FILE, file=str((self.path.parent / body["fileName"]).resolve()))
        text = _template(body.get("text"))
        if mime == "application/json" or mime.endswith("+json") or mime == "application/graphql":
            return Body(BodyKind.JSON, text)
        return Body(BodyKind.RAW, text, mime)


def _own_auth(auth: Any) -> dict[str, Any] | None:
    """None: inherit from the folder above (an empty auth or `inherit`)."""
    if not isinstance(auth, dict) or not auth or auth.get("type") == "inherit":
        return None
    return auth


def _settings(
    oauth: dict[str, Any], own: dict[str, str], values: dict[str, str], first_url: str
) -> Settings:
    return common.oauth_settings(
        lambda key: resolve(_template(oauth.get(key)), values).strip(),
        secret_in_body=bool(oauth.get("credentialsInBody")),
        api_url=resolve(first_url, values),
        own=own,
        secret_names={k for k, v in own.items() if v and is_secret_name(k)},
    )


def _sort_key(item: dict[str, Any]) -> float:
    key = item.get("metaSortKey")
    return float(key) if isinstance(key, int | float) else 0.0


def read_export(data: dict[str, Any], path: Path) -> list[tuple[PlannedProfile, SourceReport]]:
    version5 = "resources" not in data
    resources = _v5_resources(data) if version5 else data.get("resources")
    if not isinstance(resources, list):
        fail(path, f"{path.name} looks like an Insomnia export but has no resources.")
    items = [r for r in resources if isinstance(r, dict) and r.get("_id")]
    children: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        children.setdefault(str(item.get("parentId") or ""), []).append(item)
    for siblings in children.values():
        siblings.sort(key=_sort_key)  # stable: export order where Insomnia kept no sort key
    workspaces = [r for r in items if r.get("_type") == "workspace"]
    if not workspaces:
        fail(path, f"{path.name} is an Insomnia export without a workspace or collection.")
    return [_read_workspace(ws, children, path, version5) for ws in workspaces]


def _read_workspace(
    ws: dict[str, Any], children: dict[str, list[dict[str, Any]]], path: Path, version5: bool
) -> tuple[PlannedProfile, SourceReport]:
    name = str(ws.get("name") or path.stem).strip() or path.stem
    reader = _Workspace(path, children)
    reader.walk(str(ws["_id"]), (), None)
    envs = [e for e in children.get(str(ws["_id"]), []) if e.get("_type") == "environment"]
    base_env = envs[0] if envs else {"_id": "", "data": {}}
    subs = [e for e in children.get(str(base_env["_id"]), []) if e.get("_type") == "environment"]
    base_values = {**reader.folder_vars, **_flatten(base_env.get("data"))}
    oauth = reader.oauth or {}
    first_url = reader.requests[0].spec.url if reader.requests else ""
    base = _settings(oauth, base_values, base_values, first_url)
    env_settings = []
    secret_names = {k for k, v in base_values.items() if v and is_secret_name(k)}
    for sub in subs:
        own = _flatten(sub.get("data"))
        secret_names |= {k for k, v in own.items() if v and is_secret_name(k)}
        merged = {**base_values, **own}
        env_settings.append(
            (str(sub.get("name") or "Environment"), _settings(oauth, own, merged, first_url))
        )
    profile, secrets, warnings = assemble(
        name, base, env_settings, notes=_text(ws.get("description"))[:2000]
    )
    if reader.oauth is None:
        warnings.append(
            "The workspace has no OAuth 2 client-credentials auth: add the token URL and "
            "client ID to the profile to get tokens."
        )
    if oauth.get("clientSecret") and "{{" not in _text(oauth["clientSecret"]):
        secret_names.add("clientSecret (request auth)")
    report = SourceReport(
        str(path),
        secrets=tuple(sorted(secret_names)),
        kept_without_auth=tuple(reader.kept_without_auth),
        warnings=tuple(reader.warnings + warnings),
    )
    key = f"insomnia:{ws['_id']}" if not version5 or ws["_id"] != "wrk_v5" else f"insomnia:{name}"
    return PlannedProfile(profile, key, secrets, tuple(reader.requests)), report
