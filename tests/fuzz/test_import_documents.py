# ruff: noqa: PT017 - a property test: the exception is one of two allowed outcomes
"""Property-based fuzzing of the OpenAPI and Insomnia readers (issue 10's rule for every parser
that reads what others wrote): the fixtures with any part replaced by arbitrary JSON must end as
a plan or an ImportSourceError, never another exception."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from app.core.errors import TokendeskError
from app.importers import read_document
from tests.fuzz.test_parsers import COUNTS, FUZZ, JSON

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
DOCUMENTS = [
    yaml.safe_load((FIXTURES / "orders-api.yaml").read_text()),
    json.loads((FIXTURES / "petstore.json").read_text()),
    json.loads((FIXTURES / "insomnia-v4-orders.json").read_text()),
    yaml.safe_load((FIXTURES / "insomnia-v5-orders.yaml").read_text()),
]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


def _replace(node: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy = json.loads(json.dumps(node))
    parent = copy
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return copy


@FUZZ
@given(data=st.data(), which=st.integers(0, len(DOCUMENTS) - 1), value=JSON)
def test_damaged_documents_end_in_a_plan_or_a_plain_error(
    data: st.DataObject, which: int, value: Any
) -> None:
    document = DOCUMENTS[which]
    paths = _paths(document)[1:]
    chosen = [data.draw(st.sampled_from(paths)) for _ in range(data.draw(st.integers(1, 3)))]
    COUNTS["import documents"] += 1  # after the draws: an example hypothesis rejects is no run
    for path in chosen:
        try:
            document = _replace(document, path, value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier replacement removed this path
    try:
        plan = read_document(json.dumps(document), "https://api.example.com/doc.json")
    except TokendeskError as exc:
        assert exc.message.endswith(".")  # one plain sentence
    else:
        assert len(plan.reports) == 1
