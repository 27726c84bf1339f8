"""Offline admission (`nimop render`'s schema and CEL check) on the same corpora the apiserver
is tested with: every example is accepted, every invalid CR is rejected with the apiserver's
message fragments (tests/e2e/test_offline_admission.py compares the verdicts with a real
apiserver)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from nimop.admission import review

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((REPO / "api" / "examples").glob("*.yaml"))
INVALID = sorted((REPO / "tests" / "e2e" / "invalid").glob("*.yaml"))


def nim_docs(path: Path) -> list[dict[str, Any]]:
    docs = [d for d in yaml.safe_load_all(path.read_text()) if d]
    return [d for d in docs if str(d.get("apiVersion", "")).startswith("apps.nvidia.com/")]


def offline_errors(path: Path) -> list[str]:
    """What offline admission says about a corpus file (one create, or create + update)."""
    docs = nim_docs(path)
    if len(docs) == 2:
        return review(docs[1], old=docs[0]).errors
    return [e for d in docs for e in review(d).errors]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_are_admitted(path: Path) -> None:
    for doc in nim_docs(path):
        verdict = review(doc)
        assert verdict.errors == [] and verdict.unknown == []


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_corpus_is_rejected_with_the_apiservers_words(path: Path) -> None:
    errors = "\n".join(offline_errors(path))
    assert errors, f"{path.name} was admitted offline"
    for fragment in re.findall(r"^# expect: (.+)$", path.read_text(), flags=re.MULTILINE):
        assert fragment in errors


SERVICE: dict[str, Any] = {
    "apiVersion": "apps.nvidia.com/v1alpha1", "kind": "NIMService", "metadata": {"name": "llm"},
    "spec": {"image": {"repository": "nvcr.io/nim/x", "tag": "1"}, "authSecret": "s",
             "storage": {"emptyDir": {}}, "expose": {"service": {"port": 8000}}},
}  # fmt: skip


def test_replicas_with_autoscaling_is_rejected_by_the_cel_rule() -> None:
    spec = {**SERVICE["spec"], "replicas": 2,
            "scale": {"enabled": True, "hpa": {"maxReplicas": 3}}}  # fmt: skip
    errors = review({**SERVICE, "spec": spec}).errors
    assert any("spec.scale.enabled and spec.replicas are mutually exclusive" in e for e in errors)


def test_unknown_fields_are_pruned_nulls_dropped_and_defaults_applied() -> None:
    spec = {**SERVICE["spec"], "router": {"ingress": {}}, "replicas": None}
    verdict = review({**SERVICE, "spec": spec}, strict=False)
    assert verdict.errors == [] and verdict.unknown == ["spec.router"]
    assert "router" not in verdict.admitted["spec"] and "replicas" not in verdict.admitted["spec"]
    assert review({**SERVICE, "spec": spec}).errors == [  # fieldValidation=Strict, kubectl's
        'strict decoding error: unknown field "spec.router"'
    ]


def test_int32_fields_labels_and_alias_bombs() -> None:
    too_big = {**SERVICE, "spec": {**SERVICE["spec"], "replicas": 2**31}}
    assert review(too_big).errors == [
        'spec.replicas: Invalid value: "": Checked value must be of type integer with format '
        "int32 in spec.replicas"
    ]
    labelled = {**SERVICE, "metadata": {"name": "llm", "labels": {"a": "x" * 64, "b/c/d": "1"}}}
    errors = review(labelled).errors
    assert any("must be no more than 63 bytes" in e for e in errors)
    assert any(e.startswith("metadata.labels: Invalid value: 'b/c/d'") for e in errors)
    laughs: Any = ["lol"] * 10
    for _ in range(7):
        laughs = [laughs] * 10
    bomb = {**SERVICE, "spec": {**SERVICE["spec"], "x": laughs}}
    assert review(bomb).errors[0].startswith("document contains excessive aliasing")


def test_types_and_names_are_checked_as_the_apiserver_does() -> None:
    bad = {**SERVICE, "metadata": {"name": "LLM_1"}, "spec": {**SERVICE["spec"], "replicas": "2"}}
    errors = review(bad).errors
    assert any(e.startswith('metadata.name: Invalid value: "LLM_1"') for e in errors)
    assert ('spec.replicas: Invalid value: "string": spec.replicas in body must be of type '
            'integer: "string"') in errors  # fmt: skip


def test_transition_rules_run_only_on_update() -> None:
    cache: dict[str, Any] = {
        "apiVersion": "apps.nvidia.com/v1alpha1", "kind": "NIMCache", "metadata": {"name": "c"},
        "spec": {"source": {"ngc": {"modelPuller": "nvcr.io/nim/a:1", "authSecret": "s"}},
                 "storage": {"pvc": {"create": True, "size": "1Gi"}}},
    }  # fmt: skip
    changed = yaml.safe_load(yaml.safe_dump(cache))
    changed["spec"]["source"]["ngc"]["modelPuller"] = "nvcr.io/nim/b:1"
    assert review(changed).errors == []
    assert any("immutable" in e for e in review(changed, old=cache).errors)
