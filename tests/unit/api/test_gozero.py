"""Go zero values (nimop.api.gozero): an object re-serialized the way a Go client on upstream's
API types writes it reads, validates and renders exactly like the original.

The admission side is checked here with the offline admission (nimop.admission: the published
CRD schema and its CEL rules) and proven against a real apiserver in
tests/e2e/test_go_clients.py.
"""

from __future__ import annotations

import copy
import importlib
from pathlib import Path
from typing import Any

import pytest
import yaml

import nimop.api.base
from nimop.admission import review
from nimop.api import KINDS, as_models_read, gozero, parse_object
from nimop.api.validation import check
from nimop.offline import render_documents
from nimop.render.facts import ClusterFacts

REPO = Path(__file__).resolve().parents[3]
#: Every example, every upstream NIM sample and every upstream NeMo sample in the repository.
FILES = [
    *sorted((REPO / "api" / "examples").glob("*.yaml")),
    *sorted((REPO / "tests" / "golden" / "inputs" / "samples").glob("*.yaml")),
    *sorted((REPO / "tests" / "e2e" / "samples" / "nemo").glob("*.yaml")),
    REPO / "tests" / "unit" / "render" / "nemo_upstream" / "nemocustomizer-sample.yaml",
]

INVALID = sorted((REPO / "tests" / "e2e" / "invalid").glob("*.yaml"))


def _docs(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text()) if isinstance(d, dict)]


NEMO = [p for p in FILES if any(str(d.get("kind")).startswith("Nemo") for d in _docs(p))]


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


@pytest.mark.parametrize("path", FILES + INVALID, ids=lambda p: p.name)
def test_go_form_gets_the_same_offline_verdict(path: Path) -> None:
    for doc in _docs(path):
        if doc.get("kind") not in KINDS:
            continue
        original, go = review(copy.deepcopy(doc)), review(_go(copy.deepcopy(doc)))
        assert bool(go.errors) == bool(original.errors), f"{original.errors} / {go.errors}"


def test_every_nemo_kind_has_an_upstream_sample_and_go_facts() -> None:
    kinds = {d["kind"] for p in NEMO for d in _docs(p) if str(d.get("kind")).startswith("Nemo")}
    assert kinds == {k for k in KINDS if k.startswith("Nemo")}
    for kind in kinds:
        assert gozero.facts(KINDS[kind].model.model_fields["spec"].annotation).structs


@pytest.mark.parametrize("path", NEMO, ids=lambda p: p.name)
def test_nemo_go_forms_need_the_normalisation(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the zero values kept, the Go form of every NeMo sample parses differently: the
    comparisons above are what the NeMo facts make true, not a coincidence."""
    nemo = [d for d in _docs(path) if str(d.get("kind")).startswith("Nemo")]
    original = [parse_object(copy.deepcopy(d)).to_dict() for d in nemo]
    monkeypatch.setattr(nimop.api.base, "drop_zero", lambda model, data: data)
    kept = []
    for d in nemo:
        try:
            kept.append(parse_object(_go(copy.deepcopy(d))).to_dict())
        except ValueError as exc:  # an empty required string the schema refuses
            kept.append({"error": str(exc)})
    assert all(a != b for a, b in zip(original, kept, strict=True))
