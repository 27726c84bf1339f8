"""NemoEntitystore, NemoDatastore and NemoGuardrail end to end: upstream's own samples applied
unchanged reach Ready with their children; a spec change rolls the Deployment, drift in an owned
field is repaired, nothing is written at steady state, and deletion removes every child."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.cluster import Cluster
from tests.e2e.crs import nimservice, ready_condition, wait_state
from tests.e2e.nemo_prereqs import sample_secrets
from tests.e2e.test_hostile import idle_writes
from tests.operator_process import OperatorProcess
from tests.support import apply, eventually, get, items

SAMPLES = Path(__file__).parent / "samples" / "nemo"


@dataclass(frozen=True)
class Case:
    kind: str
    sample: str
    pvc: str | None
    container_port: int


CASES = [
    Case("nemoentitystore", "apps_v1alpha1_nemoentitystore.yaml", None, 8000),
    Case("nemodatastore", "apps_v1alpha1_nemodatastore.yaml", "pvc-shared-data", 3000),
    Case("nemoguardrail", "apps_v1alpha1_nemoguardrails.yaml", "pvc-guardrail-config", 8000),
]


def sample(case: Case) -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(
        next(d for d in (SAMPLES / case.sample).read_text().split("\n---") if "kind:" in d))
    del doc["metadata"]["namespace"]  # applied in the test's namespace
    return doc


def _image(dep: dict[str, Any] | None) -> str:
    return str((dep or {})["spec"]["template"]["spec"]["containers"][0]["image"])


@pytest.mark.parametrize("case", CASES, ids=[c.kind for c in CASES])
def test_upstream_sample_becomes_ready_with_its_children(
    cluster: Cluster, namespace: str, operator: OperatorProcess, case: Case
) -> None:
    doc = sample(case)
    name = doc["metadata"]["name"]
    apply(cluster, namespace, *sample_secrets(name), doc)
    cr = wait_state(cluster, case.kind, name, namespace, "Ready")
    status = cr["status"]
    assert status["availableReplicas"] == 1
    assert status["endpoint"] == f"http://{name}.{namespace}.svc:8000"
    assert all(c["observedGeneration"] == cr["metadata"]["generation"]
               for c in status["conditions"])
    dep = get(cluster, "deployment", name, namespace)
    assert dep is not None
    owner = dep["metadata"]["ownerReferences"][0]
    assert (owner["kind"].lower(), owner["name"], owner["controller"]) == (case.kind, name, True)
    ctr = dep["spec"]["template"]["spec"]["containers"][0]
    assert ctr["name"] == f"{name}-ctr"
    assert ctr["ports"][0]["containerPort"] == case.container_port
    svc = get(cluster, "service", name, namespace)
    assert svc is not None and svc["spec"]["ports"][0]["port"] == 8000
    assert svc["spec"]["selector"] == dep["spec"]["selector"]["matchLabels"]
    assert get(cluster, "serviceaccount", name, namespace) is not None
    assert get(cluster, "role", name, namespace) is None  # the pod needs no API access
    if case.pvc:
        pvc = get(cluster, "persistentvolumeclaim", case.pvc, namespace)
        assert pvc is not None and pvc["metadata"]["ownerReferences"][0]["name"] == name
    # steady state: nothing written once Ready
    assert [w for w in idle_writes(cluster, operator.agent) if name in w] == []


@pytest.mark.parametrize("case", CASES, ids=[c.kind for c in CASES])
def test_update_rolls_drift_is_repaired_and_deletion_removes_children(
    cluster: Cluster, namespace: str, operator: OperatorProcess, case: Case
) -> None:
    doc = sample(case)
    name = doc["metadata"]["name"]
    apply(cluster, namespace, *sample_secrets(name), doc)
    wait_state(cluster, case.kind, name, namespace, "Ready")
    # a spec change rolls the Deployment
    doc["spec"]["image"]["tag"] = "99.1"
    apply(cluster, namespace, doc)
    image = f"{doc['spec']['image']['repository']}:99.1"
    eventually(lambda: _image(get(cluster, "deployment", name, namespace)) == image or None,
               what="Deployment rolled to the new image")
    cr = wait_state(cluster, case.kind, name, namespace, "Ready")
    assert ready_condition(cr)["observedGeneration"] == cr["metadata"]["generation"]
    # drift in an owned field is repaired
    patch = {"spec": {"template": {"spec": {"containers": [
        {"name": f"{name}-ctr", "image": "evil:latest"}]}}}}
    cluster.kubectl("patch", "deployment", name, "-n", namespace, "--type=strategic",
                    "-p", json.dumps(patch))
    eventually(lambda: _image(get(cluster, "deployment", name, namespace)) == image or None,
               what="drift reverted")
    # deletion removes every child and recreates nothing
    cluster.kubectl("delete", case.kind, name, "-n", namespace, "--cascade=foreground",
                    "--wait=true", timeout=120)
    leftovers = items(cluster, "deployments,services,serviceaccounts,persistentvolumeclaims",
                      namespace, "app.kubernetes.io/managed-by=nimop")
    assert leftovers == [], [o["metadata"]["name"] for o in leftovers]


def guardrail(name: str, nim: str) -> dict[str, Any]:
    return {
        "apiVersion": "apps.nvidia.com/v1alpha1", "kind": "NemoGuardrail",
        "metadata": {"name": name},
        "spec": {"image": {"repository": "nvcr.io/nvidia/nemo-microservices/guardrails",
                           "tag": "25.10"},
                 "nimEndpoint": {"nimServiceRef": {"name": nim}}},
    }  # fmt: skip


def test_guardrail_waits_for_its_nimservice_and_follows_its_readiness(
    cluster: Cluster, namespace: str, operator: OperatorProcess
) -> None:
    apply(cluster, namespace, guardrail("rails", "llm"))

    def waiting() -> dict[str, Any] | None:
        obj = get(cluster, "nemoguardrail", "rails", namespace) or {}
        return obj if (obj.get("status") or {}).get("state") == "NotReady" else None

    cond = ready_condition(eventually(waiting, what="guardrail waiting for its NIMService"))
    assert cond["reason"] == "NIMServiceNotFound", cond
    assert f"{namespace}/llm" in cond["message"]
    assert get(cluster, "deployment", "rails", namespace) is None
    apply(cluster, namespace, nimservice("llm"))
    wait_state(cluster, "nimservice", "llm", namespace, "Ready")
    wait_state(cluster, "nemoguardrail", "rails", namespace, "Ready")
    dep = get(cluster, "deployment", "rails", namespace)
    env = {e["name"]: e.get("value") for e in
           dep["spec"]["template"]["spec"]["containers"][0]["env"]}  # type: ignore[index]
    assert env["NIM_ENDPOINT_URL"] == f"http://llm.{namespace}.svc:8000/v1"
