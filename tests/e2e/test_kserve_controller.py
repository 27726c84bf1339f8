"""A NIMService on KServe with KServe's own controller: nothing played.

KServe's controller manager (built from its Go module, tests/cluster/kserve.py) runs beside the
local control plane in Standard (RawDeployment) mode with its CRDs, its `inferenceservice-config`
and its admission webhooks. The chain under test is the real one: the NIMService becomes an
InferenceService (nimop), that becomes KServe's Deployment and Service (KServe's controller,
after KServe's defaulting and validating webhooks admitted it), the Deployment's pods run on a
kwok GPU node (kube-controller-manager, kube-scheduler, kwok), KServe marks the InferenceService
Ready from its Deployment, and nimop marks the NIMService Ready from that.

Knative is not run here, so Serverless-mode InferenceServices still have their status written
by the tests themselves (tests/e2e/test_nimservice_modes.py says so).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.cluster import Cluster
from tests.cluster.kserve import KServe
from tests.conftest import RESTRICTED
from tests.e2e.crs import nimservice, wait_state
from tests.e2e.test_hostile import idle_writes
from tests.operator_process import OperatorProcess
from tests.support import apply, eventually, get, items

MODE = "serving.kserve.io/deploymentMode"
IMAGE = "nvcr.io/nim/meta/llama-3.2-1b-instruct"
#: KServe names the predictor's first container this, whatever the InferenceService called it.
PREDICTOR_CONTAINER = "kserve-container"


@pytest.fixture(scope="module")
def kserve(cluster: Cluster) -> Iterator[KServe]:
    """KServe's manager for this module only: its webhooks fail closed for every
    InferenceService, so the other tests (which play KServe's part) must not see them."""
    manager = KServe(cluster).start()
    try:
        yield manager
    finally:
        manager.stop()


@pytest.fixture
def namespace(cluster: Cluster) -> Iterator[str]:
    """A short test namespace (Pod Security `restricted`, as every test namespace): KServe
    refuses an InferenceService whose host label `<name>-predictor-<namespace>` passes 63
    characters, which the shared fixture's descriptive names would."""
    name = f"ks-{uuid.uuid4().hex[:8]}"
    cluster.kubectl("create", "namespace", name)
    cluster.kubectl("label", "namespace", name, *RESTRICTED)
    yield name
    cluster.kubectl("delete", "namespace", name, "--wait=false", check=False)


def _container(obj: dict[str, Any] | None) -> dict[str, Any]:
    assert obj is not None
    containers: list[dict[str, Any]] = obj["spec"]["template"]["spec"]["containers"]
    return next(c for c in containers if c["name"] == PREDICTOR_CONTAINER)


def _ready(obj: dict[str, Any] | None) -> bool:
    conditions = ((obj or {}).get("status") or {}).get("conditions") or []
    return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)


def test_kserve_runs_the_nimservice_and_reports_ready(
    cluster: Cluster, namespace: str, operator: OperatorProcess, kserve: KServe
) -> None:
    spec = {"inferencePlatform": "kserve", "annotations": {MODE: "Standard"},
            "resources": {"limits": {"nvidia.com/gpu": 1}}}  # fmt: skip
    apply(cluster, namespace, nimservice("kllm", **spec))

    # KServe's controller, not nimop, makes the Deployment and Service of the predictor
    deploy = eventually(lambda: get(cluster, "deployment", "kllm-predictor", namespace),
                        timeout=90, what="KServe's predictor Deployment")  # fmt: skip
    assert deploy["metadata"]["ownerReferences"][0]["kind"] == "InferenceService"
    assert _container(deploy)["image"] == f"{IMAGE}:1.12.0"
    assert _container(deploy)["resources"]["limits"]["nvidia.com/gpu"] in (1, "1")
    assert get(cluster, "deployment", "kllm", namespace) is None, "nimop runs no pods itself"
    service = get(cluster, "service", "kllm-predictor", namespace)
    assert service is not None and service["metadata"]["ownerReferences"][0]["name"] == "kllm"

    # its pods run on a GPU node; KServe marks the InferenceService Ready; nimop follows
    isvc = eventually(lambda: (o := get(cluster, "inferenceservice", "kllm", namespace))
                      and _ready(o) and o, timeout=150, what="InferenceService Ready (by KServe)")
    pods = items(cluster, "pods", namespace, "serving.kserve.io/inferenceservice=kllm")
    assert pods and all(p["spec"]["nodeName"].startswith("kwok-gpu-") for p in pods)
    svc = wait_state(cluster, "nimservice", "kllm", namespace, "Ready", timeout=90)
    assert svc["status"]["model"]["clusterEndpoint"] == isvc["status"]["address"]["url"]

    # KServe's webhook defaulted the InferenceService (its container name, resources); nimop
    # does not fight it: nothing is written once Ready
    live = isvc["spec"]["predictor"]["containers"][0]
    assert live["name"] == PREDICTOR_CONTAINER and "cpu" in live["resources"]["requests"]
    assert [w for w in idle_writes(cluster, operator.agent) if "kllm" in w] == []


def test_kserves_refusal_of_the_legacy_spelling_fails_the_nimservice(
    cluster: Cluster, namespace: str, operator: OperatorProcess, kserve: KServe
) -> None:
    """KServe v0.16's validator takes only `Standard` as raw mode for a deploymentStrategy (the
    legacy `RawDeployment` spelling, which nimop passes through as upstream does for ODH, is
    refused): the NIMService reads Failed with KServe's words instead of retrying forever."""
    apply(cluster, namespace, nimservice("legacy", inferencePlatform="kserve",
                                         annotations={MODE: "RawDeployment"}))  # fmt: skip
    svc = wait_state(cluster, "nimservice", "legacy", namespace, "Failed", timeout=90)
    failed = next(c for c in svc["status"]["conditions"] if c["type"] == "Failed")
    assert failed["reason"] == "ChildRejected"
    assert "only supported for raw deployment mode" in failed["message"]
    assert get(cluster, "inferenceservice", "legacy", namespace) is None


def test_a_spec_change_reaches_kserves_deployment_and_deletion_removes_it(
    cluster: Cluster, namespace: str, operator: OperatorProcess, kserve: KServe
) -> None:
    doc = nimservice("roll", inferencePlatform="kserve", annotations={MODE: "Standard"})
    apply(cluster, namespace, doc)
    wait_state(cluster, "nimservice", "roll", namespace, "Ready", timeout=150)

    doc["spec"]["image"]["tag"] = "1.13.0"
    apply(cluster, namespace, doc)
    eventually(lambda: _container(get(cluster, "deployment", "roll-predictor", namespace))
               ["image"] == f"{IMAGE}:1.13.0" or None,
               timeout=90, what="KServe rolled its Deployment to the new image")  # fmt: skip
    wait_state(cluster, "nimservice", "roll", namespace, "Ready", timeout=150)

    cluster.kubectl("delete", "nimservice", "roll", "-n", namespace, "--wait=true")
    eventually(lambda: get(cluster, "deployment", "roll-predictor", namespace) is None,
               timeout=90, what="KServe's Deployment collected with its InferenceService")
    assert get(cluster, "inferenceservice", "roll", namespace) is None
