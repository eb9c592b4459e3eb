"""OpenAPI 3.0 and 3.1 descriptions (JSON or YAML).

One API becomes one profile named after its title: an `oauth2` security scheme with a
`clientCredentials` flow gives the token URL and the scopes it offers; the first server is the API
base (its variables become profile variables, with their defaults) and every further server an
environment; every operation a saved request template in the folder of its first tag, with path
parameters as `{{variables}}`, its required query and header parameters, an example body, and the
scopes it needs in its note (the composer's endpoint picker shows them).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from app.core.profiles import split_scopes
from app.core.request_spec import AuthMode, Body, BodyKind, RequestSpec, Row, join_query
from app.importers.common import VARIABLE_NAME, Settings, assemble
from app.importers.openapi_schema import Resolver, media_example
from app.importers.plan import PlannedProfile, PlannedRequest, SourceReport

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
# OpenAPI says these are not parameters but set by the content negotiation and security.
_IGNORED_HEADERS = {"accept", "content-type", "authorization"}
_ENV_NAME_BAD = re.compile(r"[~/\\]+")


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


class _Reader:
    def __init__(self, data: dict[str, Any], source: Path | str, base_url: str) -> None:
        self.data = data
        self.source = source
        self.base_url = base_url
        self.resolver = Resolver(data, source)
        self.warnings: list[str] = []
        self.kept_without_auth: list[str] = []
        self.path_examples: dict[str, str] = {}
        self.scheme_name = ""
        self.token_url = ""
        self.scopes: tuple[str, ...] = ()

    # The token settings ---------------------------------------------------------------------

    def find_scheme(self, api_base: str) -> None:
        components = self.resolver.deref(self.data.get("components")) or {}
        schemes = self.resolver.deref(components.get("securitySchemes")) or {}
        other: list[str] = []
        for name, raw in schemes.items() if isinstance(schemes, dict) else []:
            scheme = self.resolver.deref(raw)
            flows = scheme.get("flows") if isinstance(scheme, dict) else None
            flow = flows.get("clientCredentials") if isinstance(flows, dict) else None
            if not isinstance(flow, dict) or scheme.get("type") != "oauth2":
                other.append(str(name))
                continue
            if self.scheme_name:
                self.warnings.append(
                    f"The security scheme “{name}” is another client-credentials flow; the "
                    f"profile uses “{self.scheme_name}”."
                )
                continue
            self.scheme_name = str(name)
            # 3.1 lets tokenUrl be relative to the server.
            self.token_url = urljoin(api_base or self.base_url, _text(flow.get("tokenUrl")))
            offered = flow.get("scopes")
            self.scopes = tuple(str(s) for s in offered) if isinstance(offered, dict) else ()
        if not self.scheme_name:
            found = f" (it has {', '.join(other)})" if other else ""
            self.warnings.append(
                "The API describes no OAuth 2.0 client-credentials security scheme"
                f"{found}: add the token URL and client ID to the profile to get tokens."
            )

    # Servers ---------------------------------------------------------------------------------

    def servers(self) -> list[tuple[str, str, dict[str, str]]]:
        """(name, URL with the variables' defaults, variables) of each server."""
        found: list[tuple[str, str, dict[str, str]]] = []
        raw = self.data.get("servers")
        for entry in raw if isinstance(raw, list) else []:
            server = self.resolver.deref(entry)
            if not isinstance(server, dict) or not server.get("url"):
                continue
            variables = {
                str(k): _text(self.resolver.deref(v).get("default"))
                for k, v in (server.get("variables") or {}).items()
                if isinstance(self.resolver.deref(v), dict)
            }
            url = str(server["url"])
            for key, value in variables.items():
                url = url.replace(f"{{{key}}}", value)
            if not urlsplit(url).scheme:
                if not self.base_url:
                    self.warnings.append(
                        f"The server “{url}” is relative to where the file was published: set "
                        "the profile's API base URL."
                    )
                    continue
                url = urljoin(self.base_url, url)
            name = str(server.get("description") or urlsplit(url).hostname or url)
            found.append((name, url.rstrip("/"), variables))
        return found

    # Operations ------------------------------------------------------------------------------

    def operations(self) -> list[PlannedRequest]:
        paths = self.resolver.deref(self.data.get("paths")) or {}
        requests: list[PlannedRequest] = []
        names: set[str] = set()
        for path, raw_item in paths.items() if isinstance(paths, dict) else []:
            item = self.resolver.deref(raw_item)
            if not isinstance(item, dict):
                continue
            shared = self._parameters(item.get("parameters"))
            for method in HTTP_METHODS:
                operation = self.resolver.deref(item.get(method))
                if isinstance(operation, dict):
                    planned = self.operation(str(path), method.upper(), operation, shared)
                    if planned.saved_name in names:
                        title = f"{planned.title} ({method.upper()} {path})"
                        planned = PlannedRequest(planned.folder, title, planned.spec, planned.note)
                    names.add(planned.saved_name)
                    requests.append(planned)
            if "trace" in item:
                self.warnings.append(f"TRACE {path} was left out: Tokendesk does not send TRACE.")
        return requests

    def _parameters(self, raw: Any) -> dict[tuple[str, str], dict[str, Any]]:
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for entry in raw if isinstance(raw, list) else []:
            param = self.resolver.deref(entry)
            if isinstance(param, dict) and param.get("name") and param.get("in"):
                found[(str(param["in"]), str(param["name"]))] = param
        return found

    def _param_value(self, param: dict[str, Any]) -> str:
        """A value the document gives (example, default, first enum); "" when it gives none."""
        if "example" in param:
            return _text(param["example"])
        examples = param.get("examples")
        if isinstance(examples, dict) and examples:
            first = self.resolver.deref(next(iter(examples.values())))
            if isinstance(first, dict) and "value" in first:
                return _text(first["value"])
        schema = self.resolver.deref(param.get("schema"))
        if isinstance(schema, dict):
            for key in ("example", "default"):
                if key in schema:
                    return _text(schema[key])
            if isinstance(schema.get("enum"), list) and schema["enum"]:
                return _text(schema["enum"][0])
        return ""

    def operation(
        self,
        path: str,
        method: str,
        operation: dict[str, Any],
        shared: dict[tuple[str, str], dict[str, Any]],
    ) -> PlannedRequest:
        params = {**shared, **self._parameters(operation.get("parameters"))}
        url = path
        query: list[Row] = []
        headers: list[Row] = []
        optional: list[str] = []
        for (where, name), param in params.items():
            value = self._param_value(param)
            required = bool(param.get("required")) or where == "path"
            if where == "path" and VARIABLE_NAME.fullmatch(name):
                url = url.replace(f"{{{name}}}", f"{{{{{name}}}}}")
                if value:
                    self.path_examples.setdefault(name, value)
            elif where == "query" and required:
                query.append(Row(name, value or f"{{{{{name}}}}}"))
            elif where == "header" and name.lower() not in _IGNORED_HEADERS:
                headers.append(Row(name, value or f"{{{{{name}}}}}", required))
            elif where in {"query", "cookie"}:
                optional.append(f"{name} ({where})")
        title = str(operation.get("summary") or operation.get("operationId") or "").strip()
        title = title.replace("/", "∕") or f"{method} {path}"
        body, content_type = self.body(operation.get("requestBody"), f"{method} {path}")
        if content_type:
            headers.append(Row("Content-Type", content_type))
        auth, note = self.security(operation, title)
        lines = [note]
        if optional:
            lines.append("Optional: " + ", ".join(optional))
        if operation.get("deprecated"):
            lines.append("Deprecated.")
        tags = operation.get("tags")
        folder = (str(tags[0]).replace("/", "∕"),) if isinstance(tags, list) and tags else ()
        spec = RequestSpec(
            method=method,
            url=join_query(url, query),
            headers=tuple(headers),
            body=body,
            auth=auth,
        )
        return PlannedRequest(folder, title, spec, "\n".join(lines))

    def security(self, operation: dict[str, Any], label: str) -> tuple[AuthMode, str]:
        """How the operation is called, and the note's first line ("needs orders:read")."""
        required = operation.get("security", self.data.get("security"))
        if not isinstance(required, list) or not required:
            return AuthMode.NONE, "No token needed."
        alternatives = [r for r in required if isinstance(r, dict)]
        for alternative in alternatives:
            if self.scheme_name and self.scheme_name in alternative:
                scopes = alternative[self.scheme_name] or []
                wanted = " ".join(str(s) for s in scopes)
                return AuthMode.PROFILE, f"needs {wanted}" if wanted else "needs a token"
        if any(not alternative for alternative in alternatives):
            return AuthMode.NONE, "No token needed."
        names = ", ".join(sorted({str(n) for a in alternatives for n in a}))
        self.kept_without_auth.append(f"{label} ({names})")
        return AuthMode.NONE, f"Kept without auth: it needs {names}."

    def body(self, raw: Any, label: str) -> tuple[Body, str]:
        """The body and, where the body kind does not say it, the content type to send."""
        request_body = self.resolver.deref(raw)
        content = request_body.get("content") if isinstance(request_body, dict) else None
        if not isinstance(content, dict) or not content:
            return Body(), ""
        types = list(content)
        chosen = next(
            (t for t in types if t.split(";")[0].strip().endswith(("/json", "+json"))),
            next((t for t in types if "form" in t), types[0]),
        )
        example = media_example(self.resolver, content[chosen])
        kind = chosen.split(";")[0].strip().lower()
        if kind.endswith(("/json", "+json")):
            text = json.dumps({} if example is None else example, indent=2)
            return Body(BodyKind.JSON, text), "" if kind == "application/json" else chosen
        if kind in {"application/x-www-form-urlencoded", "multipart/form-data"}:
            if kind == "multipart/form-data":
                self.warnings.append(
                    f"“{label}” sends multipart form-data; Tokendesk sends its text fields "
                    "URL-encoded."
                )
            fields = example.items() if isinstance(example, dict) else []
            return Body(BodyKind.FORM, fields=tuple(Row(str(k), _text(v)) for k, v in fields)), ""
        if kind.startswith("text/") or kind.endswith(("/xml", "+xml")):
            return Body(BodyKind.RAW, example if isinstance(example, str) else "", chosen), ""
        self.warnings.append(f"“{label}” sends {chosen}: choose the file to send in the composer.")
        return Body(), chosen


def _environment_name(name: str, taken: set[str]) -> str:
    base = _ENV_NAME_BAD.sub("-", name).strip()[:60] or "Server"
    unique, n = base, 2
    while unique.casefold() in taken:
        unique, n = f"{base} {n}", n + 1
    taken.add(unique.casefold())
    return unique


def read_openapi(
    data: dict[str, Any], source: Path | str, *, base_url: str = ""
) -> tuple[PlannedProfile, SourceReport]:
    """`base_url`: where the document was fetched from, for servers given relative to it."""
    reader = _Reader(data, source, base_url)
    info = reader.resolver.deref(data.get("info"))
    info = info if isinstance(info, dict) else {}
    stem = Path(urlsplit(str(source)).path).stem or "API"
    name = str(info.get("title") or stem).strip() or stem
    servers = reader.servers()
    api_base = servers[0][1] if servers else ""
    reader.find_scheme(api_base)
    requests = reader.operations()
    variables = {**(servers[0][2] if servers else {}), **reader.path_examples}
    scope = " ".join(reader.scopes)
    base = Settings(token_url=reader.token_url, scope=scope, api_base_url=api_base)
    base.variables = variables
    taken: set[str] = set()
    envs = [
        (
            _environment_name(server_name, taken),
            Settings(
                token_url=reader.token_url, scope=scope, api_base_url=url, variables=server_vars
            ),
        )
        for server_name, url, server_vars in (servers if len(servers) > 1 else [])
    ]
    description = info.get("description")
    notes = " ".join(
        part for part in (_text(info.get("version")), _text(description)[:2000]) if part
    )
    profile, secrets, warnings = assemble(name, base, envs, notes=notes)
    profile = profile.with_changes(scopes=split_scopes(scope))
    if reader.resolver.unresolved:
        warnings.append(
            "References to other files were not followed: "
            + ", ".join(sorted(reader.resolver.unresolved))
        )
    report = SourceReport(
        str(source),
        kept_without_auth=tuple(reader.kept_without_auth),
        warnings=tuple(reader.warnings + warnings),
    )
    planned = PlannedProfile(profile, f"openapi:{name}", secrets, tuple(requests))
    return planned, report
