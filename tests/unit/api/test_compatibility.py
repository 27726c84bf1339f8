"""Schema compatibility with the upstream NIM Operator CRDs, path by path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.unit.api import upstream_facts
from tests.unit.api.paths import API, KINDS, REPO
from tests.unit.api.schemadiff import Difference, compare, documented
from tests.unit.api.upstream_facts import crd_schema, load_crd, schema_facts

DOC = REPO / "docs" / "compatibility.md"


def _diffs(kind: str, ours: Path) -> set[Difference]:
    upstream = upstream_facts.load(kind)["paths"]
    return set(compare(kind, upstream, schema_facts(crd_schema(load_crd(ours)))))


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_upstream_path_is_compatible_or_documented(kind: str) -> None:
    found = _diffs(kind, API / "crds" / f"apps.nvidia.com_{KINDS[kind]}.yaml")
    listed = {d for d in documented(DOC.read_text()) if d.kind == kind}
    assert sorted(found - listed) == [], (
        "undocumented differences; fix or list in docs/compatibility.md"
    )
    assert sorted(listed - found) == [], (
        "docs/compatibility.md lists differences that no longer exist"
    )


def _schema(props: dict[str, object], required: list[str] | None = None) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": required or []}


def _compare(kind: str, upstream: dict[str, Any], ours: dict[str, Any]) -> list[Difference]:
    return compare(kind, schema_facts(upstream), schema_facts(ours))


def test_compare_reports_each_kind_of_difference() -> None:
    upstream = _schema(
        {
            "gone": {"type": "string"},
            "typed": {"type": "string"},
            "mode": {"type": "string", "enum": ["a", "b"]},
            "port": {"type": "integer", "default": 8000},
            "name": {"type": "string"},
            "nested": _schema({"deep": {"type": "boolean"}}),
        },
        required=["name"],
    )
    ours = _schema(
        {
            "typed": {"type": "integer"},
            "mode": {"type": "string", "enum": ["a"]},
            "port": {"type": "integer", "default": 9000},
            "name": {"type": "string"},
            "nested": _schema({}),
        }
    )
    assert _compare("K", upstream, ours) == sorted(
        [
            Difference("K", ".gone", "missing"),
            Difference("K", ".typed", "type"),
            Difference("K", ".mode", "enum"),
            Difference("K", ".port", "default"),
            Difference("K", ".name", "required"),
            Difference("K", ".nested.deep", "missing"),
        ]
    )


def test_required_with_default_equals_optional_with_default() -> None:
    upstream = _schema({"count": {"type": "integer", "default": 1}}, required=["count"])
    ours = _schema({"count": {"type": "integer", "default": 1}})
    assert _compare("K", upstream, ours) == []


def test_documented_parses_the_table() -> None:
    text = (
        "intro\n<!-- BEGIN schema-differences -->\n"
        "| Kind | Path | Aspect | Reason |\n|---|---|---|---|\n"
        "| NIMService | `.spec` | required | because |\n<!-- END schema-differences -->\n"
    )
    assert documented(text) == {Difference("NIMService", ".spec", "required")}
