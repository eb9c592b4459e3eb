"""Which kind of file (or folder) this is, told by its content, never by its name's extension;
and reading one or more of them into one ImportPlan."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

from app.importers import bruno, postman
from app.importers.common import fail, parse_json, parse_yaml, read_text
from app.importers.plan import ImportPlan, PlannedProfile, SourceReport


class Format(StrEnum):
    POSTMAN_COLLECTION = "postman-collection"
    POSTMAN_VARIABLES = "postman-variables"  # an environment or globals file
    BRUNO = "bruno"
    OPENAPI = "openapi"
    INSOMNIA = "insomnia"


def _load(path: Path) -> Any:
    """The parsed document: JSON when it starts like JSON, else YAML."""
    text = read_text(path)
    if text.lstrip()[:1] in {"{", "["}:
        return parse_json(text, path)
    return parse_yaml(text, path)


def _classify(data: Any) -> Format | None:
    if postman.is_collection(data):
        return Format.POSTMAN_COLLECTION
    if postman.is_variables(data):
        return Format.POSTMAN_VARIABLES
    if isinstance(data, dict):
        if str(data.get("openapi", "")).startswith("3."):
            return Format.OPENAPI
        if data.get("_type") == "export" and str(data.get("__export_format")) == "4":
            return Format.INSOMNIA
        if str(data.get("type", "")).startswith("collection.insomnia.rest/5"):
            return Format.INSOMNIA
    return None


def detect(path: Path) -> Format:
    """The format of `path`; ImportSourceError (plain words) for anything else."""
    path = Path(path)
    if path.is_dir() or path.name == "bruno.json":
        folder = path if path.is_dir() else path.parent
        manifest = folder / "bruno.json"
        if manifest.is_file():
            data = parse_json(read_text(manifest), manifest)
            if isinstance(data, dict) and data.get("type", "collection") == "collection":
                return Format.BRUNO
        fail(path, f"The folder {folder.name} is not a Bruno collection (it has no bruno.json).")
    found = _classify(_load(path))
    if found is None:
        fail(
            path,
            f"{path.name} is not a collection, environment or API description Tokendesk knows.",
        )
    return found


def read_sources(paths: Sequence[Path]) -> ImportPlan:
    """Everything in `paths` as one plan. Postman environments and globals given alongside
    collections become those collections' environments and shared variables."""
    collections: list[tuple[Path, dict[str, Any]]] = []
    environments: list[postman.PostmanVariables] = []
    globals_: list[postman.PostmanVariables] = []
    profiles: list[PlannedProfile] = []
    reports: list[SourceReport] = []
    for raw in paths:
        path = Path(raw)
        kind = detect(path)
        if kind is Format.POSTMAN_COLLECTION:
            collections.append((path, _load(path)))
        elif kind is Format.POSTMAN_VARIABLES:
            data = _load(path)
            found = postman.read_variables(data, path)
            scope = data.get("_postman_variable_scope")
            (globals_ if scope == "globals" else environments).append(found)
            reports.append(SourceReport(str(path), secrets=tuple(sorted(found.secret_names))))
        else:
            planned, report = _read_other(kind, path)
            profiles += planned
            reports.append(report)
    if (environments or globals_) and not collections:
        fail(
            paths[0],
            "Postman environments can only be imported together with their collection.",
            "Import the collection and its environment files in one go.",
        )
    for path, data in collections:
        planned_one, report = postman.read_collection(data, path, environments, globals_)
        profiles.append(planned_one)
        reports.insert(0, report)
    _check_unique_sources(profiles, paths)
    return ImportPlan(tuple(profiles), tuple(reports))


def _read_other(kind: Format, path: Path) -> tuple[list[PlannedProfile], SourceReport]:
    names = {Format.OPENAPI: "OpenAPI", Format.INSOMNIA: "Insomnia"}
    if kind is not Format.BRUNO:
        fail(
            path,
            f"{path.name} is an {names.get(kind, str(kind))} file; this version of Tokendesk "
            "cannot import those yet.",
            "Nothing was imported. Import a Postman or Bruno collection instead.",
        )
    return bruno.read_collection(path if path.is_dir() else path.parent)


def _check_unique_sources(profiles: list[PlannedProfile], paths: Sequence[Path]) -> None:
    keys = [p.source_key for p in profiles]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        fail(
            paths[0],
            "The same collection was given twice.",
            "Import each collection once.",
            ", ".join(repeated),
        )
