"""The evaluator's and customizer's own pod parts, against upstream's lists (§2.8)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from nimop.api import parse_object
from nimop.api.nemo_customizer import NemoCustomizer
from nimop.api.nemo_evaluator import NemoEvaluator
from nimop.render import nemo_customizer, nemo_evaluator

EXAMPLES = Path(__file__).resolve().parents[3] / "api" / "examples"


def _example(name: str, kind: str) -> Any:
    docs = yaml.safe_load_all((EXAMPLES / name).read_text())
    return parse_object(next(d for d in docs if d and d.get("kind") == kind))


def test_evaluator_env_names_in_upstream_order() -> None:
    cr = _example("nemo-evaluator.yaml", "NemoEvaluator")
    assert isinstance(cr, NemoEvaluator)
    names = [e["name"] for e in nemo_evaluator.evaluator_env(cr)]
    assert names == [
        "NAMESPACE", "HOST_IP", "EVALUATOR_HOST", "EVALUATOR_PORT", "ARGO_HOST", "MILVUS_URL",
        "SERVICE_ACCOUNT", "DATA_STORE_URL", "ENTITY_STORE_URL", "EVAL_CONTAINER",
        "LOG_HANDLERS", "CONSOLE_LOG_LEVEL", "EVAL_LOG_LEVEL", "EVAL_ENABLE_VALIDATION",
    ]
    env = {e["name"]: e.get("value") for e in nemo_evaluator.evaluator_env(cr)}
    assert env["EVALUATOR_PORT"] == "7331"
    assert env["ARGO_HOST"] == cr.spec.argo_workflows.endpoint
    assert env["EVAL_CONTAINER"] == cr.spec.image.image


def test_validation_can_be_turned_off() -> None:
    cr = _example("nemo-evaluator.yaml", "NemoEvaluator")
    cr.spec.enable_validation = False
    assert "EVAL_ENABLE_VALIDATION" not in {e["name"] for e in nemo_evaluator.evaluator_env(cr)}


def test_every_evaluation_image_is_passed() -> None:
    cr = _example("nemo-evaluator.yaml", "NemoEvaluator")
    env = nemo_evaluator.image_env(cr.spec.evaluation_images)
    assert [e["name"] for e in env] == [
        "BIGCODE_EVALUATION_HARNESS", "LM_EVAL_HARNESS", "SIMILARITY_METRICS", "LLM_AS_A_JUDGE",
        "MT_BENCH", "RETRIEVER", "RAG", "BFCL", "AGENTIC_EVAL",
    ]
    assert env[0]["value"] == cr.spec.evaluation_images.bigcode_eval_harness


def test_customizer_env_names_in_upstream_order() -> None:
    cr = _example("nemo-customizer.yaml", "NemoCustomizer")
    assert isinstance(cr, NemoCustomizer)
    env = nemo_customizer.customizer_env(cr, "nemocustomizer-sample")
    assert [e["name"] for e in env] == [
        "NAMESPACE", "HOST_IP", "CONFIG_PATH", "CUSTOMIZATIONS_CALLBACK_URL", "LOG_LEVEL",
        "WANDB_ENCRYPTION_KEY", "WANDB_SECRET_NAME", "WANDB_SECRET_KEY",
    ]
    by_name = {e["name"]: e for e in env}
    assert by_name["CUSTOMIZATIONS_CALLBACK_URL"]["value"].endswith(
        ".svc.cluster.local:9009"
    )
    assert by_name["WANDB_ENCRYPTION_KEY"]["valueFrom"]["secretKeyRef"] == {
        "name": "wandb-secret", "key": "encryptionKey"
    }


def _grants(rules: list[dict[str, list[str]]], group: str, resource: str, verb: str) -> bool:
    return any(group in r["apiGroups"] and resource in r["resources"] and verb in r["verbs"]
               for r in rules)


def test_customizer_role_follows_the_scheduler() -> None:
    volcano = nemo_customizer.role_rules("volcano")
    runai = nemo_customizer.role_rules("runai")
    for rules in (volcano, runai):
        assert _grants(rules, "batch", "jobs", "create")
        assert _grants(rules, "nvidia.com", "nemotrainingjobs", "create")
    assert _grants(volcano, "batch.volcano.sh", "jobs", "create")
    assert not _grants(volcano, "run.ai", "runaijobs", "create")
    # upstream §9 item 28: the Run:ai rule includes create, and nimop's table holds it
    assert _grants(runai, "run.ai", "trainingworkloads", "create")
    assert not _grants(runai, "batch.volcano.sh", "jobs", "get")


def _zeros(value: Any, path: str = "") -> list[str]:
    if isinstance(value, dict):
        return [z for k, v in value.items() for z in _zeros(v, f"{path}.{k}")]
    return [path] if value == 0 and not isinstance(value, bool) else []


def test_probes_carry_no_zero_the_apiserver_would_drop() -> None:
    """An explicit 0 (upstream's initialDelaySeconds) is omitted by the apiserver, so it would
    read as drift on every reconcile: found by the e2e test as a write loop."""
    for kind in (nemo_evaluator.KIND, nemo_customizer.KIND):
        for name, probe in kind.probes.items():
            assert _zeros(probe) == [], (kind.part_of, name)


def test_an_unset_image_is_a_variable_without_value() -> None:
    """The apiserver drops an empty `value`; rendering `value: ""` would be drift forever."""
    cr = _example("nemo-evaluator.yaml", "NemoEvaluator")
    cr.spec.evaluation_images.bfcl = None
    env = {e["name"]: e for e in nemo_evaluator.image_env(cr.spec.evaluation_images)}
    assert env["BFCL"] == {"name": "BFCL"}
