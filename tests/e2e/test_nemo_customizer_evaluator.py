"""NemoCustomizer and NemoEvaluator end to end: upstream's samples (our examples carry the same
specs) reach Ready; children, status, update, drift, deletion; referenced ConfigMaps are
watched (§9 item 29); bad input is a condition."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.cluster import Cluster
from tests.e2e.crs import ready_condition, wait_state
from tests.e2e.nemo_prereqs import sample_secrets
from tests.e2e.test_hostile import idle_writes
from tests.operator_process import SA_USER, OperatorProcess
from tests.support import apply, condition, eventually, get

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "api" / "examples"
#: upstream's samples: the customizer's with its config sample, and the evaluator's
UPSTREAM = {
    "nemocustomizer": ROOT / "tests" / "unit" / "render" / "nemo_upstream"
    / "nemocustomizer-sample.yaml",
    "nemoevaluator": ROOT / "tests" / "e2e" / "samples" / "nemo"
    / "apps_v1alpha1_nemoevaluator.yaml",
}
HASH = "apps.nvidia.com/training-config-hash"


def example(name: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all((EXAMPLES / name).read_text()) if d]


def the(docs: list[dict[str, Any]], kind: str, name: str | None = None) -> dict[str, Any]:
    return next(d for d in docs if d["kind"] == kind and name in (None, d["metadata"]["name"]))


def pod_annotation(cluster: Cluster, namespace: str, name: str) -> str | None:
    dep = get(cluster, "deployment", name, namespace) or {}
    annotations = dep.get("spec", {}).get("template", {}).get("metadata", {}).get("annotations")
    return (annotations or {}).get(HASH)


def config(cluster: Cluster, namespace: str, name: str) -> dict[str, Any]:
    cm = get(cluster, "configmap", name, namespace) or {}
    parsed: dict[str, Any] = yaml.safe_load((cm.get("data") or {}).get("config.yaml") or "{}")
    return parsed


def patch(cluster: Cluster, kind: str, name: str, namespace: str, body: dict[str, Any]) -> None:
    cluster.kubectl("patch", kind, name, "-n", namespace, "--type=merge", "-p", json.dumps(body))


def container_env(cluster: Cluster, namespace: str, name: str) -> dict[str, Any]:
    dep = get(cluster, "deployment", name, namespace) or {}
    ctr = dep["spec"]["template"]["spec"]["containers"][0]
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in ctr.get("env", [])}


@pytest.mark.parametrize("kind", sorted(UPSTREAM))
def test_upstream_sample_becomes_ready_and_stays_quiet(
    cluster: Cluster, namespace: str, operator: OperatorProcess, kind: str
) -> None:
    docs = [d for d in yaml.safe_load_all(UPSTREAM[kind].read_text()) if d]
    for doc in docs:
        doc["metadata"].pop("namespace", None)  # applied in the test's namespace
    # as a user of upstream applies them: upstream's customizer sample misspells
    # wandb.apiKeyKey as `apiKey`, which the schema prunes (kubectl warns)
    name = next(d for d in docs if d["kind"].lower() == kind)["metadata"]["name"]
    cluster.kubectl("apply", "--validate=warn", "-n", namespace, "-f", "-",
                    input=yaml.safe_dump_all([*sample_secrets(name), *docs]))
    obj = wait_state(cluster, kind, name, namespace, "Ready")
    assert all(c["observedGeneration"] == obj["metadata"]["generation"]
               for c in obj["status"]["conditions"])
    assert get(cluster, "deployment", name, namespace) is not None
    # steady state: nothing written once Ready
    assert [w for w in idle_writes(cluster, SA_USER) if name in w] == []


def test_customizer_children_status_update_drift_and_deletion(
    cluster: Cluster, namespace: str, operator: OperatorProcess
) -> None:
    docs = example("nemo-customizer.yaml")
    cr = the(docs, "NemoCustomizer")
    name = cr["metadata"]["name"]
    apply(cluster, namespace, *docs)
    obj = wait_state(cluster, "nemocustomizer", name, namespace, "Ready")
    assert ready_condition(obj)["observedGeneration"] == obj["metadata"]["generation"]
    assert obj["status"]["availableReplicas"] == 1
    assert obj["status"]["endpoint"] == f"http://{name}.{namespace}.svc:8000"

    # children: config.yaml from the spec and both ConfigMaps, the model PVC, Role, ports
    cfg = config(cluster, namespace, name)
    assert cfg["namespace"] == namespace
    assert cfg["training"]["container_defaults"] == {"imagePullPolicy": "IfNotPresent"}
    assert "customizationTargets" in cfg and cfg["training"]["use_run_ai_executor"] is False
    pvc_name = cr["spec"]["trainingConfig"]["modelPVC"]["name"]
    assert get(cluster, "pvc", pvc_name, namespace) is not None
    role = get(cluster, "role", name, namespace) or {}
    assert any("batch.volcano.sh" in r["apiGroups"] for r in role["rules"])
    svc = get(cluster, "service", name, namespace) or {}
    assert {p["name"]: p["port"] for p in svc["spec"]["ports"]} == {"api": 8000, "internal": 9009}
    env = container_env(cluster, namespace, name)
    assert env["CONFIG_PATH"] == "/app/config/config.yaml"
    assert "$(POSTGRES_DB_PASSWORD)" in env["POSTGRES_DB_DSN"]
    first_hash = pod_annotation(cluster, namespace, name)
    assert first_hash

    # an edit of the referenced model ConfigMap reaches config.yaml and rolls the pods
    models = the(docs, "ConfigMap", cr["spec"]["modelConfig"]["name"])
    models["data"]["models"] = "meta/llama-3.2-1b-instruct:\n  enabled: true\n"
    apply(cluster, namespace, models)
    eventually(lambda: "models" in config(cluster, namespace, name), what="config.yaml updated")
    eventually(lambda: pod_annotation(cluster, namespace, name) != first_hash,
               what="pods rolled on the config change")

    # a spec change (scheduler) changes the Role and config.yaml
    patch(cluster, "nemocustomizer", name, namespace, {"spec": {"scheduler": {"type": "runai"}}})
    eventually(
        lambda: any("run.ai" in r["apiGroups"]
                    for r in (get(cluster, "role", name, namespace) or {}).get("rules", [])),
        what="Run:ai Role",
    )
    eventually(lambda: config(cluster, namespace, name)["training"]["use_run_ai_executor"],
               what="run:ai executor in config.yaml")

    # drift: a hand edit of config.yaml is reverted
    patch(cluster, "configmap", name, namespace, {"data": {"config.yaml": "edited: true\n"}})
    eventually(lambda: "training" in config(cluster, namespace, name), what="drift reverted")
    wait_state(cluster, "nemocustomizer", name, namespace, "Ready")

    # deletion: children go with the CR
    cluster.kubectl("delete", "nemocustomizer", name, "-n", namespace, "--wait=true")
    eventually(lambda: get(cluster, "deployment", name, namespace) is None, what="Deployment gone")
    eventually(lambda: get(cluster, "configmap", name, namespace) is None, what="ConfigMap gone")


def test_customizer_waits_for_its_configmaps_and_reports_bad_entries(
    cluster: Cluster, namespace: str, operator: OperatorProcess
) -> None:
    docs = example("nemo-customizer.yaml")
    cr = the(docs, "NemoCustomizer")
    cr["metadata"]["name"] = "waiting"
    cr["spec"]["trainingConfig"]["modelPVC"] = {"create": True, "size": "1Gi"}
    secrets = [d for d in docs if d["kind"] == "Secret"]
    apply(cluster, namespace, *secrets, cr)
    obj = wait_state(cluster, "nemocustomizer", "waiting", namespace, "NotReady")
    cond = ready_condition(obj)
    assert cond["reason"] == "ConfigMapNotFound", cond
    assert "spec.modelConfig.name" in cond["message"]

    models = the(docs, "ConfigMap", cr["spec"]["modelConfig"]["name"])
    bad = json.loads(json.dumps(models))
    bad["data"]["customizationTargets"] = "targets:\n  meta/x@1:\n    enabled: true\n"
    apply(cluster, namespace, bad, the(docs, "ConfigMap", "nemo-training-config"))
    obj = wait_state(cluster, "nemocustomizer", "waiting", namespace, "Failed")
    failed = condition(obj, "Failed") or {}
    assert failed.get("reason") == "InvalidModelConfig" and "meta/x@1" in failed["message"]

    apply(cluster, namespace, models)
    wait_state(cluster, "nemocustomizer", "waiting", namespace, "Ready")


def test_unknown_scheduler_is_rejected_at_admission(
    cluster: Cluster, namespace: str, operator: OperatorProcess
) -> None:
    cr = the(example("nemo-customizer.yaml"), "NemoCustomizer")
    cr["spec"]["scheduler"] = {"type": "slurm"}
    result = cluster.kubectl("apply", "-n", namespace, "-f", "-", input=yaml.safe_dump(cr),
                             check=False)
    assert result.returncode != 0
    assert "spec.scheduler.type" in result.stderr and "volcano" in result.stderr


def test_evaluator_children_status_update_drift_and_deletion(
    cluster: Cluster, namespace: str, operator: OperatorProcess
) -> None:
    docs = example("nemo-evaluator.yaml")
    name = the(docs, "NemoEvaluator")["metadata"]["name"]
    apply(cluster, namespace, *docs)
    obj = wait_state(cluster, "nemoevaluator", name, namespace, "Ready")
    assert obj["status"]["availableReplicas"] == 1

    dep = get(cluster, "deployment", name, namespace) or {}
    pod = dep["spec"]["template"]["spec"]
    assert [c["name"] for c in pod["initContainers"]] == ["wait-for-postgres",
                                                          "evaluator-db-migration"]
    env = container_env(cluster, namespace, name)
    assert env["EVALUATOR_PORT"] == "7331" and env["EVAL_ENABLE_VALIDATION"] == "True"
    assert env["AGENTIC_EVAL"].startswith("nvcr.io/")
    assert "$(POSTGRES_DB_PASSWORD)" in env["POSTGRES_URI"]
    assert get(cluster, "secret", name, namespace) is None  # no copy of the password
    role = get(cluster, "role", name, namespace) or {}
    assert [r["resources"] for r in role["rules"]] == [["pods"], ["secrets"]]
    assert role["rules"][1]["verbs"] == ["get", "create"]  # no list/watch of Secrets

    # update: a spec change reaches the Deployment
    patch(cluster, "nemoevaluator", name, namespace,
          {"spec": {"evalLogLevel": "DEBUG", "enableValidation": False}})
    eventually(lambda: container_env(cluster, namespace, name).get("EVAL_LOG_LEVEL") == "DEBUG",
               what="Deployment updated")
    assert "EVAL_ENABLE_VALIDATION" not in container_env(cluster, namespace, name)

    # drift: a deleted Role comes back
    cluster.kubectl("delete", "role", name, "-n", namespace)
    eventually(lambda: get(cluster, "role", name, namespace), what="Role recreated")
    wait_state(cluster, "nemoevaluator", name, namespace, "Ready")

    cluster.kubectl("delete", "nemoevaluator", name, "-n", namespace, "--wait=true")
    eventually(lambda: get(cluster, "deployment", name, namespace) is None, what="Deployment gone")
