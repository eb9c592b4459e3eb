"""The parts of an OpenAPI document that need care: following `$ref`s without looping forever, and
making an example body out of a schema.

A `$ref` that only leads to other `$ref`s and back (`A → B → A`) can never be resolved: that is a
damaged file and gets a plain error. A schema that contains itself through its properties (a tree
node with `children: [Node]`) is legitimate; the example just stops descending where it recurs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote

from app.importers.common import fail

MAX_EXAMPLE_DEPTH = 8
_STRING_FORMATS = {
    "date-time": "2024-01-31T12:00:00Z",
    "date": "2024-01-31",
    "time": "12:00:00",
    "email": "user@example.com",
    "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "uri": "https://example.com",
    "url": "https://example.com",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "byte": "U3dhZ2dlciByb2Nrcw==",
}


class Resolver:
    """Local `$ref`s (`#/components/...`) of one document. References to other files are not
    followed; `unresolved` collects them for the report."""

    def __init__(self, document: dict[str, Any], source: Path | str) -> None:
        self.document = document
        self.source = source
        self.unresolved: set[str] = set()

    def deref(self, node: Any) -> Any:
        """`node` with its `$ref` chain followed to a node that is not a reference; a reference
        to another file gives {} (and is remembered)."""
        seen: list[str] = []
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if ref in seen:
                chain = " → ".join([*seen, ref])
                fail(
                    self.source,
                    f"{Path(str(self.source)).name} is damaged: its $ref “{ref}” refers to "
                    "itself in a loop.",
                    "Nothing was imported. Fix the reference in the file and import again.",
                    chain,
                )
            seen.append(ref)
            node = self._target(ref)
        return node

    def _target(self, ref: str) -> Any:
        if not ref.startswith("#"):
            self.unresolved.add(ref)
            return {}
        node: Any = self.document
        for raw in ref[1:].split("/")[1:] if ref != "#" else []:
            part = unquote(raw).replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                fail(
                    self.source,
                    f"{Path(str(self.source)).name} is damaged: “{ref}” points to nothing in "
                    "the file.",
                    "Nothing was imported. Fix the reference in the file and import again.",
                )
        return node

    def example(self, schema: Any) -> Any:
        """A plausible value for `schema`: its own example or default where it has one, else one
        made from its type."""
        return self._example(schema, frozenset(), 0)

    def _example(self, schema: Any, inside: frozenset[str], depth: int) -> Any:  # noqa: PLR0911, PLR0912 - one return per schema shape
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        if isinstance(ref, str):
            if ref in inside or depth > MAX_EXAMPLE_DEPTH:
                return None  # the schema recurs here: stop descending
            inside = inside | {ref}
        schema = self.deref(schema)
        if not isinstance(schema, dict) or depth > MAX_EXAMPLE_DEPTH:
            return None
        for key in ("example", "default", "const"):
            if key in schema:
                return schema[key]
        if isinstance(schema.get("examples"), list) and schema["examples"]:
            return schema["examples"][0]  # 3.1: JSON Schema's list of examples
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return schema["enum"][0]
        if isinstance(schema.get("allOf"), list):
            merged: dict[str, Any] = {}
            for part in schema["allOf"]:
                value = self._example(part, inside, depth + 1)
                if isinstance(value, dict):
                    merged.update(value)
            return merged
        for key in ("oneOf", "anyOf"):
            if isinstance(schema.get(key), list) and schema[key]:
                return self._example(schema[key][0], inside, depth + 1)
        kind = schema.get("type")
        if isinstance(kind, list):  # 3.1: ["string", "null"]
            kind = next((k for k in kind if k != "null"), None)
        if kind == "object" or (kind is None and "properties" in schema):
            properties = schema.get("properties")
            if not isinstance(properties, dict):
                return {}
            made = {
                str(name): self._example(sub, inside, depth + 1)
                for name, sub in properties.items()
                if not (isinstance(sub, dict) and sub.get("readOnly"))
            }
            return {k: v for k, v in made.items() if v is not None}
        if kind == "array":
            item = self._example(schema.get("items", {}), inside, depth + 1)
            return [] if item is None else [item]
        if kind == "string":
            return _STRING_FORMATS.get(str(schema.get("format", "")), "string")
        if kind == "integer":
            return int(schema.get("minimum", 0))
        if kind == "number":
            return schema.get("minimum", 0)
        if kind == "boolean":
            return False
        return None


def media_example(resolver: Resolver, media: Any) -> Any:
    """The example of one media type object: `example`, the first of `examples`, else one made
    from its schema. None when there is nothing to go on."""
    media = resolver.deref(media)
    if not isinstance(media, dict):
        return None
    if "example" in media:
        return media["example"]
    examples = media.get("examples")
    if isinstance(examples, dict) and examples:
        first = resolver.deref(next(iter(examples.values())))
        if isinstance(first, dict) and "value" in first:
            return first["value"]
    if "schema" in media:
        return resolver.example(media["schema"])
    return None
