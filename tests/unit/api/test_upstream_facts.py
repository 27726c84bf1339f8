"""The committed upstream schema facts are whole and consistent (they stand in for NVIDIA's
CRDs, which a fresh clone does not have)."""

from __future__ import annotations

import pytest

from tests.unit.api import upstream_facts
from tests.unit.api.upstream_facts import UPSTREAM_KINDS, digest, load, schema_facts


def test_a_fact_file_for_each_of_the_nine_upstream_kinds_and_nothing_else() -> None:
    files = sorted(p.stem for p in upstream_facts.FACTS.glob("*.json"))
    assert files == sorted(UPSTREAM_KINDS.values())
    assert len(files) == 9


@pytest.mark.parametrize("kind", sorted(UPSTREAM_KINDS))
def test_fact_file_is_consistent(kind: str) -> None:
    facts = load(kind)
    assert (facts["kind"], facts["plural"], facts["version"]) == (
        kind, UPSTREAM_KINDS[kind], "v1alpha1",
    )  # fmt: skip
    assert facts["source"].startswith("NVIDIA/k8s-nim-operator@")
    paths = facts["paths"]
    assert facts["sha256"] == digest(paths), "edited by hand? regenerate with the script"
    assert paths[""]["parent"] is None and {".spec", ".status"} <= set(paths)
    for path, fact in paths.items():
        if path == "":
            continue
        parent = paths[fact["parent"]]
        assert path.startswith(fact["parent"]) and path != fact["parent"]
        suffix = path[len(fact["parent"]) :]
        expected = {"[]": "array", "{}": "object"}.get(suffix, "object")
        assert parent["type"] == expected, f"{path}: child of a {parent['type']}"
        assert not (fact["required"] and suffix in ("[]", "{}"))
    assert sum(1 for f in paths.values() if f["required"]) > 0


def test_schema_facts_records_type_enum_default_required_and_preserve() -> None:
    schema = {
        "type": "object",
        "required": ["spec"],
        "properties": {
            "spec": {
                "type": "object",
                "properties": {
                    "mode": {"type": "string", "enum": ["b", "a"], "default": "a"},
                    "port": {"x-kubernetes-int-or-string": True},
                    "env": {"type": "array", "items": {"type": "string"}},
                    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                    "raw": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                },
            }
        },
    }
    facts = schema_facts(schema)
    assert facts[".spec"] == {"parent": "", "type": "object", "required": True}
    assert facts[".spec.mode"] == {
        "parent": ".spec", "type": "string", "required": False, "enum": ["a", "b"], "default": "a",
    }  # fmt: skip
    assert facts[".spec.port"]["type"] == "int-or-string"
    assert facts[".spec.env[]"]["parent"] == ".spec.env"
    assert facts[".spec.labels{}"]["type"] == "string"
    assert facts[".spec.raw"]["preserveUnknownFields"] is True
