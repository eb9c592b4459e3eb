"""Bruno collections: a folder with bruno.json, request files (*.bru), folder.bru and
collection.bru (whose `auth:oauth2` the requests inherit), and environments/*.bru.

Bruno keeps the values of `vars:secret` outside the collection, so an import knows their names
only: they are reported, and their values are asked for in Tokendesk. A secret typed into a
collection or environment file in plain text is moved into the keychain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from app.core.profiles import AuthMethod
from app.core.request_spec import AuthMode, Body, BodyKind, RequestSpec, Row
from app.importers.common import (
    Settings,
    assemble,
    fail,
    is_secret_name,
    origin,
    parse_json,
    read_text,
    resolve,
)
from app.importers.plan import PlannedProfile, PlannedRequest, SourceReport

METHODS = ("get", "post", "put", "patch", "delete", "head", "options")
_TEXT_BLOCKS = re.compile(r"body:(json|text|xml|graphql|sparql)|docs|script:.*|tests")
_MAX_FILES = 5000


@dataclass
class BruFile:
    dicts: dict[str, list[Row]] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)

    def value(self, block: str, key: str) -> str:
        return next((r.value for r in self.dicts.get(block, []) if r.name == key), "")


def parse_bru(text: str, path: Path) -> BruFile:
    """Bruno's block format: `name {` dictionary or text `}`, `name [` list `]`."""
    parsed = BruFile()
    lines = text.replace("\r\n", "\n").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        i += 1
        if not line.strip():
            continue
        match = re.fullmatch(r"(\S+)\s*([{\[])", line)
        if match is None:
            fail(path, f"{path.name} is not a Bruno file Tokendesk can read (line {i}).")
        name, opener = match.groups()
        closer = "}" if opener == "{" else "]"
        body: list[str] = []
        while i < len(lines) and lines[i].rstrip() != closer:
            body.append(lines[i])
            i += 1
        if i >= len(lines):
            fail(path, f"{path.name} is damaged: the block “{name}” never ends.")
        i += 1
        if opener == "[":
            parsed.lists[name] = [n.strip().rstrip(",") for n in body if n.strip()]
        elif _TEXT_BLOCKS.fullmatch(name):
            parsed.texts[name] = "\n".join(b[2:] if b.startswith("  ") else b for b in body)
        else:
            rows = []
            for entry in body:
                key, sep, value = entry.strip().partition(":")
                if sep:
                    enabled = not key.startswith("~")
                    rows.append(Row(key.lstrip("~").strip(), value.strip(), enabled))
            parsed.dicts[name] = rows
    return parsed


def _read(path: Path) -> BruFile:
    return parse_bru(read_text(path), path)


@dataclass
class _State:
    oauth: dict[str, str] | None = None
    requests: list[tuple[float, PlannedRequest]] = field(default_factory=list)
    kept_without_auth: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files: int = 0


def _auth(bru: BruFile, inherited: str) -> str:
    """ "oauth2" (with the client's settings), "none", or another mode's name."""
    mode = bru.value("auth", "mode") or bru.value(_method_block(bru), "auth") or "inherit"
    return inherited if mode == "inherit" else mode


def _method_block(bru: BruFile) -> str:
    return next((m for m in METHODS if m in bru.dicts), "")


def _oauth_params(bru: BruFile, state: _State, title: str) -> None:
    params = {r.name: r.value for r in bru.dicts.get("auth:oauth2", [])}
    if params.get("grant_type", "client_credentials") != "client_credentials":
        return
    if state.oauth is None:
        state.oauth = params
    elif params.get("access_token_url") != state.oauth.get("access_token_url"):
        state.warnings.append(f"“{title}” uses another OAuth client; it was given the first one.")


def _body(bru: BruFile, mode: str, title: str, state: _State) -> Body:
    if mode == "json":
        return Body(BodyKind.JSON, bru.texts.get("body:json", ""))
    if mode in {"text", "xml"}:
        content_type = "application/xml" if mode == "xml" else "text/plain"
        return Body(BodyKind.RAW, bru.texts.get(f"body:{mode}", ""), content_type)
    if mode in {"formUrlEncoded", "multipartForm"}:
        block = "body:form-urlencoded" if mode == "formUrlEncoded" else "body:multipart-form"
        if mode == "multipartForm":
            state.warnings.append(f"“{title}” sends multipart form-data; Tokendesk URL-encodes it.")
        return Body(BodyKind.FORM, fields=tuple(bru.dicts.get(block, [])))
    return Body()


def _walk(folder: Path, names: tuple[str, ...], inherited: str, state: _State) -> None:
    folder_file = folder / "folder.bru"
    if folder_file.is_file() and names:
        bru = _read(folder_file)
        inherited = _auth(bru, inherited)
        if "auth:oauth2" in bru.dicts:
            _oauth_params(bru, state, names[-1])
    for path in sorted(folder.iterdir()):
        state.files += 1
        if state.files > _MAX_FILES:
            fail(folder, "The Bruno collection has too many files to be one collection.")
        if path.is_dir() and not path.is_symlink():
            if path.name not in {"environments", "node_modules"} and not path.name.startswith("."):
                title = path.name
                if (path / "folder.bru").is_file():
                    title = _read(path / "folder.bru").value("meta", "name") or title
                _walk(path, (*names, title), inherited, state)
        elif path.suffix == ".bru" and path.name not in {"folder.bru", "collection.bru"}:
            _request(path, names, inherited, state)


def _request(path: Path, names: tuple[str, ...], inherited: str, state: _State) -> None:
    bru = _read(path)
    method = _method_block(bru)
    if not method:
        return  # a GraphQL or other non-HTTP request
    title = bru.value("meta", "name") or path.stem
    mode = _auth(bru, inherited)
    if mode == "oauth2":
        if "auth:oauth2" in bru.dicts:
            _oauth_params(bru, state, title)
        auth = AuthMode.PROFILE
    else:
        if mode != "none":
            state.kept_without_auth.append(f"{title} ({mode})")
        auth = AuthMode.NONE
    spec = RequestSpec(
        method=method.upper(),
        url=bru.value(method, "url"),
        headers=tuple(bru.dicts.get("headers", [])),
        body=_body(bru, bru.value(method, "body"), title, state),
        auth=auth,
    )
    try:
        seq = float(bru.value("meta", "seq") or 0)
    except ValueError:
        seq = 0.0
    state.requests.append((seq, PlannedRequest(names, title, spec)))


def _environment(path: Path) -> tuple[dict[str, str], list[str]]:
    bru = _read(path)
    values = {r.name: r.value for r in bru.dicts.get("vars", []) if r.enabled}
    return values, bru.lists.get("vars:secret", [])


def _settings(
    oauth: dict[str, str], values: dict[str, str], first_url: str, secret: set[str]
) -> Settings:
    def get(key: str) -> str:
        return resolve(oauth.get(key, ""), values).strip()

    client_secret = get("client_secret")
    return Settings(
        token_url=get("access_token_url"),
        client_id=get("client_id"),
        client_secret=client_secret,
        scope=get("scope"),
        auth_method=AuthMethod.CLIENT_SECRET_POST
        if oauth.get("credentials_placement") == "body"
        else AuthMethod.CLIENT_SECRET_BASIC,
        api_base_url=origin(resolve(first_url, values)),
        variables={k: v for k, v in values.items() if k not in secret},
        secret_variables={
            k: v for k, v in values.items() if k in secret and v and v != client_secret
        },
    )


def read_collection(folder: Path) -> tuple[list[PlannedProfile], SourceReport]:
    manifest = parse_json(read_text(folder / "bruno.json"), folder / "bruno.json")
    if not isinstance(manifest, dict):
        fail(folder, f"{folder.name}/bruno.json is not a Bruno collection manifest.")
    name = str(manifest.get("name") or folder.name).strip() or folder.name
    state = _State()
    inherited = "none"
    collection_vars: dict[str, str] = {}
    if (folder / "collection.bru").is_file():
        root = _read(folder / "collection.bru")
        inherited = root.value("auth", "mode") or "none"
        if "auth:oauth2" in root.dicts:
            _oauth_params(root, state, name)
        collection_vars = {r.name: r.value for r in root.dicts.get("vars:pre-request", [])}
    _walk(folder, (), inherited, state)
    requests = [r for _, r in sorted(state.requests, key=lambda pair: (pair[1].folder, pair[0]))]
    first_url = requests[0].spec.url if requests else ""
    oauth = state.oauth or {}
    secret_names: set[str] = {k for k in collection_vars if is_secret_name(k)}
    envs: list[tuple[str, Settings]] = []
    missing: list[str] = []
    env_dir = folder / "environments"
    env_files = sorted(env_dir.glob("*.bru")) if env_dir.is_dir() else []
    env_values = {p.stem: _environment(p) for p in env_files}
    for values, secret in env_values.values():
        secret_names |= set(secret) | {k for k in values if is_secret_name(k)}
    for env_name, (values, secret) in env_values.items():
        missing += [f"{s} ({env_name})" for s in secret if not values.get(s)]
        envs.append(
            (env_name, _settings(oauth, {**collection_vars, **values}, first_url, secret_names))
        )
    base = _settings(oauth, collection_vars, first_url, secret_names)
    profile, secrets, warnings = assemble(name, base, envs)
    if missing:
        warnings.append(
            "Bruno keeps secret values outside the collection; enter these in Tokendesk: "
            + ", ".join(missing)
        )
    if state.oauth is None:
        warnings.append("The collection has no OAuth 2.0 client-credentials auth.")
    in_files = sorted(k for k in secret_names if any(v[0].get(k) for v in env_values.values()))
    report = SourceReport(
        str(folder),
        secrets=tuple(in_files),
        kept_without_auth=tuple(state.kept_without_auth),
        warnings=tuple(state.warnings + warnings),
    )
    key = f"bruno:{folder.resolve()}"
    return [PlannedProfile(profile, key, secrets, tuple(requests))], report
