"""Postman collections (v2.0 and v2.1) with their environments and globals.

One collection becomes one profile named after it; its OAuth 2.0 client-credentials auth
(collection, folder or request level) gives the token settings, each environment file an
environment, and each request a saved request in its folder. Auth Tokendesk does not provide
(API keys, Basic, AWS…) is reported as "kept without auth", never dropped silently.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from app.core.request_spec import AuthMode, Body, BodyKind, RequestSpec, Row, join_query
from app.importers import common
from app.importers.common import Settings, assemble, fail, is_secret_name, resolve
from app.importers.plan import PlannedProfile, PlannedRequest, SourceReport


@dataclass
class PostmanVariables:
    """An environment or globals file: plain values and secret ones (type "secret" or a
    secret-sounding name)."""

    name: str
    path: str
    values: dict[str, str] = field(default_factory=dict)
    secret_names: set[str] = field(default_factory=set)


def is_collection(data: Any) -> bool:
    if not isinstance(data, dict) or not isinstance(data.get("info"), dict):
        return False
    schema = str(data["info"].get("schema", ""))
    return "getpostman.com" in schema or ("item" in data and "_postman_id" in data["info"])


def is_variables(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and isinstance(data.get("values"), list)
        and (data.get("_postman_variable_scope") in {"environment", "globals"} or "name" in data)
    )


def read_variables(data: dict[str, Any], path: Path) -> PostmanVariables:
    found = PostmanVariables(str(data.get("name") or path.stem), str(path))
    for entry in data["values"]:
        if not isinstance(entry, dict) or entry.get("enabled") is False or not entry.get("key"):
            continue
        key, value = str(entry["key"]), _text(entry.get("value"))
        found.values[key] = value
        if value and (entry.get("type") == "secret" or is_secret_name(key)):
            found.secret_names.add(key)
    return found


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


def _auth_params(auth: dict[str, Any]) -> dict[str, str]:
    """v2.1 keeps auth parameters as [{key, value}], v2.0 as {key: value}."""
    raw = auth.get(auth.get("type", ""), {})
    if isinstance(raw, list):
        return {str(p.get("key")): _text(p.get("value")) for p in raw if isinstance(p, dict)}
    if isinstance(raw, dict):
        return {str(k): _text(v) for k, v in raw.items()}
    return {}


def _is_client_credentials(auth: dict[str, Any] | None) -> bool:
    if not auth or auth.get("type") != "oauth2":
        return False
    grant = _auth_params(auth).get("grant_type", "")
    return grant in {"client_credentials", ""} and "accessTokenUrl" in _auth_params(auth)


class _Reader:
    def __init__(self, data: dict[str, Any], path: Path) -> None:
        self.data = data
        self.path = path
        self.requests: list[PlannedRequest] = []
        self.kept_without_auth: list[str] = []
        self.warnings: list[str] = []
        self.oauth: dict[str, str] | None = None

    def walk(self, items: Any, folder: tuple[str, ...], inherited: dict[str, Any] | None) -> None:
        if not isinstance(items, list):
            return
        for item in items:
            if not isinstance(item, dict):
                continue
            name = str(item.get("name") or "Untitled")
            auth = item.get("auth") if isinstance(item.get("auth"), dict) else None
            if auth is not None and auth.get("type") == "inherit":
                auth = None
            effective = auth if auth is not None else inherited
            if "item" in item:
                self.walk(item["item"], (*folder, name), effective)
            elif "request" in item:
                self.requests.append(self.request(item["request"], folder, name, effective))

    def auth_mode(self, auth: dict[str, Any] | None, title: str) -> AuthMode:
        if auth is None or auth.get("type") == "noauth":
            return AuthMode.NONE
        if _is_client_credentials(auth):
            self.oauth = common.one_client(
                self.oauth,
                _auth_params(auth),
                title=title,
                container="collection",
                warnings=self.warnings,
            )
            return AuthMode.PROFILE
        grant = str(_auth_params(auth).get("grant_type", ""))
        kind = str(auth.get("type"))
        return common.kept_without_token(self.kept_without_auth, title, kind, grant)

    def request(
        self, raw: Any, folder: tuple[str, ...], title: str, inherited: dict[str, Any] | None
    ) -> PlannedRequest:
        if isinstance(raw, str):
            raw = {"url": raw}
        auth = raw.get("auth") if isinstance(raw.get("auth"), dict) else None
        if auth is not None and auth.get("type") == "inherit":
            auth = None
        mode = self.auth_mode(auth if auth is not None else inherited, title)
        headers = tuple(
            Row(str(h.get("key", "")), _text(h.get("value")), not h.get("disabled", False))
            for h in raw.get("header") or []
            if isinstance(h, dict) and h.get("key")
        )
        spec = RequestSpec(
            method=str(raw.get("method") or "GET").upper(),
            url=self.url(raw.get("url")),
            headers=headers,
            body=self.body(raw.get("body"), title),
            auth=mode,
        )
        if "{{$" in spec.url or any("{{$" in h.value for h in headers):
            self.warnings.append(f"“{title}” uses Postman's dynamic variables ({{{{$…}}}}).")
        return PlannedRequest(folder, title, spec)

    def url(self, url: Any) -> str:
        if isinstance(url, str) or url is None:
            return url or ""
        raw = str(url.get("raw", ""))
        base = raw.split("?", 1)[0].split("#", 1)[0]
        if not base:
            host = url.get("host", "")
            host = ".".join(host) if isinstance(host, list) else str(host)
            path = url.get("path", "")
            path = "/".join(str(p) for p in path) if isinstance(path, list) else str(path)
            scheme = f"{url['protocol']}://" if url.get("protocol") else ""
            port = f":{url['port']}" if url.get("port") else ""
            base = f"{scheme}{host}{port}/{path.lstrip('/')}"
        for variable in url.get("variable") or []:
            if isinstance(variable, dict) and variable.get("key"):
                base = base.replace(f":{variable['key']}", _text(variable.get("value")))
        if "query" in url:
            # Postman keeps query rows as typed in the URL bar, percent-encoded; join_query encodes.
            rows = [
                Row(
                    unquote(str(q.get("key") or "")),
                    unquote(_text(q.get("value"))),
                    not q.get("disabled", False),
                )
                for q in url.get("query") or []
                if isinstance(q, dict)
            ]
            return join_query(base, rows)
        return raw

    def body(self, body: Any, title: str) -> Body:  # noqa: PLR0911 - one return per body mode
        if not isinstance(body, dict) or body.get("disabled"):
            return Body()
        mode = body.get("mode")
        if mode == "raw":
            text = _text(body.get("raw"))
            language = body.get("options", {}).get("raw", {}).get("language", "")
            if language == "json":
                return Body(BodyKind.JSON, text)
            types = {"xml": "application/xml", "html": "text/html", "javascript": "text/javascript"}
            return Body(BodyKind.RAW, text, types.get(language, ""))
        if mode in {"urlencoded", "formdata"}:
            rows = [r for r in body.get(mode) or [] if isinstance(r, dict)]
            if mode == "formdata":
                self.warnings.append(
                    f"“{title}” sends multipart form-data; Tokendesk sends its text fields "
                    "URL-encoded."
                )
                rows = [r for r in rows if r.get("type", "text") == "text"]
            fields = tuple(
                Row(str(r.get("key", "")), _text(r.get("value")), not r.get("disabled", False))
                for r in rows
            )
            return Body(BodyKind.FORM, fields=fields)
        if mode == "file":
            src = _text((body.get("file") or {}).get("src"))
            return Body(BodyKind.FILE, file=str((self.path.parent / src).resolve()) if src else "")
        if mode == "graphql":
            graphql = body.get("graphql") or {}
            query = {"query": _text(graphql.get("query")), "variables": graphql.get("variables")}
            return Body(BodyKind.JSON, json.dumps(query))
        return Body()


def _settings(
    oauth: dict[str, str],
    own: dict[str, str],
    values: dict[str, str],
    secret_names: set[str],
    first_url: str,
) -> Settings:
    """Settings for one layer: `own` are the layer's variables, `values` everything it sees."""
    return common.oauth_settings(
        lambda key: resolve(oauth.get(key, ""), values).strip(),
        secret_in_body=oauth.get("client_authentication") == "body",
        api_url=resolve(first_url, values),
        own=own,
        secret_names=secret_names,
    )


def read_collection(
    data: dict[str, Any],
    path: Path,
    environments: list[PostmanVariables],
    globals_: list[PostmanVariables],
) -> tuple[PlannedProfile, SourceReport]:
    info = data["info"]
    name = str(info.get("name") or path.stem).strip() or path.stem
    reader = _Reader(data, path)
    root_auth = data.get("auth") if isinstance(data.get("auth"), dict) else None
    reader.walk(data.get("item"), (), root_auth)
    if not isinstance(data.get("item"), list):
        fail(path, f"{path.name} looks like a Postman collection but has no requests list.")
    collection_vars = PostmanVariables(name, str(path))
    for entry in data.get("variable") or []:
        if isinstance(entry, dict) and entry.get("key") and not entry.get("disabled"):
            key, value = str(entry["key"]), _text(entry.get("value"))
            collection_vars.values[key] = value
            if value and (entry.get("type") == "secret" or is_secret_name(key)):
                collection_vars.secret_names.add(key)
    oauth = reader.oauth or {}
    first_url = reader.requests[0].spec.url if reader.requests else ""
    base_layers = [*globals_, collection_vars]
    base_values = {k: v for layer in base_layers for k, v in layer.values.items()}
    secret_names = {n for layer in [*base_layers, *environments] for n in layer.secret_names}
    base = _settings(oauth, base_values, base_values, secret_names, first_url)
    envs = [
        (
            env.name,
            _settings(oauth, env.values, {**base_values, **env.values}, secret_names, first_url),
        )
        for env in environments
    ]
    description = info.get("description")
    notes = description[:2000] if isinstance(description, str) else ""
    profile, secrets, warnings = assemble(name, base, envs, notes=notes)
    if reader.oauth is None:
        warnings.append(
            "The collection has no OAuth 2.0 client-credentials auth: add the token URL and "
            "client ID to the profile to get tokens."
        )
    if oauth.get("clientSecret") and "{{" not in oauth["clientSecret"]:
        secret_names.add("clientSecret (collection auth)")
    key = f"postman:{info.get('_postman_id') or name}"
    report = SourceReport(
        str(path),
        secrets=tuple(sorted(secret_names)),
        kept_without_auth=tuple(reader.kept_without_auth),
        warnings=tuple(reader.warnings + warnings),
    )
    planned = PlannedProfile(profile, key, secrets, tuple(reader.requests))
    return planned, report
