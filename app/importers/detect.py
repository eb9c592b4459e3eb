"""Which kind of file (or folder) this is, told by its content, never by its name's extension;
and reading one or more of them into one ImportPlan."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

from app.importers import bruno, common, insomnia, openapi, postman
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
        if insomnia.is_export(data):
            return Format.INSOMNIA
    return None


def _refuse_near_misses(data: Any, source: Path | str) -> None:
    """Files people will try that look close to one Tokendesk reads: say what to do instead."""
    name = Path(str(source)).name
    if isinstance(data, dict) and str(data.get("swagger", "")).startswith("2"):
        fail(
            source,
            f"{name} is a Swagger 2.0 description; Tokendesk reads OpenAPI 3.",
            "Nothing was imported. Convert it to OpenAPI 3 (for example with the Swagger "
            "Editor) and import that.",
        )
    if isinstance(data, dict) and data.get("_type") == "export":
        fail(
            source,
            f"{name} is an Insomnia export of format {data.get('__export_format')}; Tokendesk "
            "reads formats 4 and 5.",
            "Nothing was imported. Export it again from a current Insomnia.",
        )


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
    data = _load(path)
    found = _classify(data)
    if found is None:
        _refuse_near_misses(data, path)
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
    if kind is Format.BRUNO:
        return bruno.read_collection(path if path.is_dir() else path.parent)
    return _read_document(kind, _load(path), path)


_KINDS = {
    Format.OPENAPI: "an OpenAPI description",
    Format.INSOMNIA: "an Insomnia export",
    Format.POSTMAN_COLLECTION: "a Postman collection",
}


def _read_document(
    kind: Format, data: Any, source: Path | str, base_url: str = ""
) -> tuple[list[PlannedProfile], SourceReport]:
    """One parsed document. The readers check the shapes they rely on; a value of a shape no
    exporter writes (a list where a name belongs) still ends as one plain error."""
    try:
        return _read_shapes(kind, data, source, base_url)
    except (AttributeError, TypeError, ValueError, KeyError, IndexError, RecursionError) as exc:
        fail(
            source,
            f"{Path(str(source)).name} is damaged: part of it is not shaped like "
            f"{_KINDS.get(kind, 'a file of its kind')}.",
            details=f"{type(exc).__name__}: {exc}",
        )


def _read_shapes(
    kind: Format, data: Any, source: Path | str, base_url: str
) -> tuple[list[PlannedProfile], SourceReport]:
    if kind is Format.OPENAPI:
        planned, report = openapi.read_openapi(data, source, base_url=base_url)
        return [planned], report
    if kind is Format.INSOMNIA:
        read = insomnia.read_export(data, Path(str(source)))
        profiles = [p for p, _ in read]
        reports = [r for _, r in read]
        merged = SourceReport(
            str(source),
            secrets=tuple(sorted({s for r in reports for s in r.secrets})),
            kept_without_auth=tuple(k for r in reports for k in r.kept_without_auth),
            warnings=tuple(w for r in reports for w in r.warnings),
        )
        return profiles, merged
    planned, report = postman.read_collection(data, Path(str(source)), [], [])
    return [planned], report


def read_document(text: str, source: str) -> ImportPlan:
    """One document fetched from `source` (a URL): an OpenAPI description, an Insomnia export
    or a Postman collection, told by its content."""
    if len(text.encode()) > common.MAX_BYTES:
        fail(
            source,
            f"The document is too large to import (the limit is "
            f"{common.MAX_BYTES // (1024 * 1024)} MB).",
            "Nothing was imported. Download only the API description you need.",
        )
    data = parse_json(text, source) if text.lstrip()[:1] in {"{", "["} else parse_yaml(text, source)
    kind = _classify(data)
    if kind is None or kind is Format.POSTMAN_VARIABLES:
        _refuse_near_misses(data, source)
        fail(
            source,
            "The address does not serve a collection or API description Tokendesk knows.",
            "Nothing was imported. Check the address: it should give the OpenAPI file itself "
            "(JSON or YAML), not a page about it.",
        )
    profiles, report = _read_document(kind, data, source, base_url=source)
    return ImportPlan(tuple(profiles), (report,))


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
