"""Go zero values (nimop.api.gozero): an object re-serialized the way a Go client on upstream's
API types writes it reads, validates and renders exactly like the original.

The admission side (the same verdict from the apiserver's CEL rules) is proven against a real
apiserver in tests/e2e/test_go_clients.py.
"""

from __future__ import annotations

import copy
import importlib
from pathlib import Path
from typing import Any

import pytest
import yaml

from nimop.api import KINDS, as_models_read, gozero, parse_object
from nimop.api.validation import check
from nimop.offline import render_documents
from nimop.render.facts import ClusterFacts

REPO = Path(__file__).resolve().parents[3]
FILES = sorted((REPO / "api" / "examples").glob("*.yaml")) + sorted(
    (REPO / "tests" / "golden" / "inputs" / "samples").glob("*.yaml")
)


def _docs(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text()) if isinstance(d, dict)]


def _go(doc: dict[str, Any]) -> dict[str, Any]:
    info = KINDS.get(str(doc.get("kind")))
    return gozero.go_written(doc, info.model) if info else doc


def test_every_fact_names_a_model_field() -> None:
    for key, facts in gozero.GO_FIELDS.items():
        module, name = key.split(".", 1)
        model = getattr(importlib.import_module(f"nimop.api.{module}"), name)
        aliases = {info.alias or n for n, info in model.model_fields.items()}
        missing = (set(facts.structs) | set(facts.scalars)) - aliases
        assert not missing, f"{key}: no such fields {sorted(missing)}"
        for struct in facts.structs:
            assert gozero._child(model, struct) is not None, f"{key}.{struct} is not an object"


def test_the_shapes_of_the_issue_are_listed() -> None:
    shapes = {p: z for p, z in gozero.zero_shapes(KINDS["NIMService"].model)}
    assert shapes[".spec.storage.pvc"] == {}
    assert shapes[".spec.scale.hpa"] == {"maxReplicas": 0}
    assert shapes[".spec.expose"] == {"ingress": {"spec": {}}, "router": {}, "service": {}}
    assert shapes[".spec.metrics.serviceMonitor"] == {}
    assert shapes[".spec.livenessProbe"] == {}
    cache = dict(gozero.zero_shapes(KINDS["NIMCache"].model))
    assert cache[".spec.resources"] == {"cpu": "0", "memory": "0"}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_go_form_parses_like_the_original(path: Path) -> None:
    for doc in _docs(path):
        go = _go(copy.deepcopy(doc))
        if doc.get("kind") in KINDS:
            assert parse_object(go).to_dict() == parse_object(doc).to_dict()
            assert [p.message for p in check(parse_object(go))] == [
                p.message for p in check(parse_object(doc))
            ]
        assert as_models_read(go) == as_models_read(doc)


def test_the_go_forms_differ_from_the_originals() -> None:
    """Otherwise the comparisons below would prove nothing."""
    docs = [d for path in FILES for d in _docs(path) if d.get("kind") in KINDS]
    changed = [d for d in docs if _go(copy.deepcopy(d)) != d]
    assert len(changed) >= len(docs) * 3 // 4, f"{len(changed)} of {len(docs)}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_go_form_renders_the_same_children(path: Path) -> None:
    docs = _docs(path)
    original = render_documents(copy.deepcopy(docs), ClusterFacts())
    assert render_documents([_go(copy.deepcopy(d)) for d in docs], ClusterFacts()) == original


def test_zero_values_read_as_unset() -> None:
    """The shapes of the issue's 422: a NIMCache-backed service written by a Go client."""
    spec = {
        "image": {"repository": "nvcr.io/nim/meta/llama", "tag": "1"},
        "authSecret": "",
        "storage": {"nimCache": {"name": "c"}, "pvc": {}},
        "scale": {"hpa": {"maxReplicas": 0}},
        "expose": {"ingress": {"spec": {}}, "router": {}, "service": {"port": 8000}},
        "metrics": {"serviceMonitor": {}},
        "livenessProbe": {},
    }
    obj = {"apiVersion": "apps.nvidia.com/v1alpha1", "kind": "NIMService",
           "metadata": {"name": "s", "namespace": "n"}, "spec": spec}  # fmt: skip
    model = parse_object(copy.deepcopy(obj))
    s = model.spec  # type: ignore[attr-defined]
    assert s.storage.pvc is None and s.storage.nim_cache.name == "c"
    assert s.scale is None and s.metrics is None and s.liveness_probe is None
    assert s.auth_secret is None and s.expose.ingress is None and s.expose.router is None
    read = as_models_read(obj)
    assert read["spec"] == {
        "image": spec["image"],
        "storage": {"nimCache": {"name": "c"}},
        "expose": {"service": {"port": 8000}},
    }
    assert obj["spec"]["storage"]["pvc"] == {}, "the stored object is never mutated"


def test_values_a_user_set_are_kept() -> None:
    spec = {"image": {"repository": "r", "tag": "t"}, "authSecret": "ngc",
            "storage": {"pvc": {"name": "p"}}, "scale": {"hpa": {"maxReplicas": 3}},
            "livenessProbe": {"enabled": False}}  # fmt: skip
    obj = {"apiVersion": "apps.nvidia.com/v1alpha1", "kind": "NIMService",
           "metadata": {"name": "s"}, "spec": spec}  # fmt: skip
    assert as_models_read(obj) is obj
    assert parse_object(obj).to_dict()["spec"] == spec
