"""NIMService beyond a single Deployment: multi-node (LWS), DRA claims, KServe."""

from __future__ import annotations

import json
from typing import Any

from tests.cluster import Cluster
from tests.cluster.seed import MIG_NODE
from tests.e2e.crs import nimservice, ready_condition, wait_state
from tests.operator_process import OperatorProcess
from tests.support import apply, eventually, get, items


def test_multi_node_service_runs_as_a_leader_worker_set(
    cluster: Cluster, namespace: str, operator: OperatorProcess
) -> None:
    spec = {
        "storage": {"pvc": {"create": True, "size": "100Gi", "volumeAccessMode": "ReadWriteMany"}},
        "resources": {"limits": {"nvidia.com/gpu": 4}},
        "multiNode": {"backendType": "lws", "parallelism": {"pipeline": 2, "tensor": 4}},
    }
    apply(cluster, namespace, nimservice("big", **spec))
    svc = wait_state(cluster, "nimservice", "big", namespace, "Ready", timeout=150)
    lws = get(cluster, "leaderworkerset", "big-lws", namespace)
    assert lws is not None
    assert (
        lws["spec"]["leaderWorkerTemplate"]["size"] == 2
    )  # pipeline 2 x tensor 4 / 4 GPUs per pod
    pods = items(cluster, "pods", namespace, "leaderworkerset.sigs.k8s.io/name=big-lws")
    assert len(pods) == 2
    assert {p["spec"]["nodeName"] for p in pods} <= {f"kwok-gpu-{i}" for i in range(4)}
    leader = next(
        p
        for p in pods
        if p["metadata"]["labels"]["leaderworkerset.sigs.k8s.io/worker-index"] == "0"
    )
    env = {e["name"]: e.get("value") for e in leader["spec"]["containers"][0].get("env", [])}
    assert env.get("NIM_MULTI_NODE") == "1"
    assert "LWS_LEADER_ADDRESS" in env  # injected by the LWS webhook into every group pod
    assert ready_condition(svc)["reason"] == "Ready"


def claim_template_statuses(svc: dict[str, Any]) -> list[dict[str, Any]]:
    entries = svc["status"].get("draResourceStatuses") or []
    return [
        c
        for e in entries
        for c in (e.get("resourceClaimTemplateStatus") or {}).get("resourceClaimStatuses") or []
    ]


def test_dra_service_with_a_generated_template_reports_the_allocated_devices(
    cluster: Cluster, namespace: str, operator: OperatorProcess
) -> None:
    device = {
        "name": "gpu",
        "count": 1,
        "attributeSelectors": [
            {
                "key": "productName",
                "op": "Equal",
                "value": {"stringValue": "NVIDIA H100 80GB HBM3"},
            },
            {
                "key": "driverVersion",
                "op": "GreaterThanOrEqual",
                "value": {"versionValue": "550.54.15"},
            },
        ],
        "capacitySelectors": [{"key": "memory", "op": "GreaterThanOrEqual", "value": "40Gi"}],
    }
    apply(
        cluster,
        namespace,
        nimservice("dra", draResources=[{"claimCreationSpec": {"devices": [device]}}]),
    )
    svc = wait_state(cluster, "nimservice", "dra", namespace, "Ready")
    claims = claim_template_statuses(svc)
    assert len(claims) == 1 and "allocated" in claims[0]["state"]
    allocated = claims[0]["devices"][0]
    assert allocated["driver"] == "gpu.nvidia.com" and allocated["device"].startswith("gpu-")
    templates = items(cluster, "resourceclaimtemplates", namespace)
    assert [t["metadata"]["ownerReferences"][0]["name"] for t in templates] == ["dra"]


def test_one_user_claim_is_shared_by_two_services(
    cluster: Cluster, namespace: str, operator: OperatorProcess
) -> None:
    claim = {
        "apiVersion": "resource.k8s.io/v1",
        "kind": "ResourceClaim",
        "metadata": {"name": "shared-gpu"},
        "spec": {
            "devices": {
                "requests": [{"name": "gpu", "exactly": {"deviceClassName": "gpu.nvidia.com"}}]
            }
        },
    }
    apply(cluster, namespace, claim)
    for name in ("a", "b"):
        apply(
            cluster, namespace, nimservice(name, draResources=[{"resourceClaimName": "shared-gpu"}])
        )
    svcs = [wait_state(cluster, "nimservice", n, namespace, "Ready") for n in ("a", "b")]
    devices = [
        s["status"]["draResourceStatuses"][0]["resourceClaimStatus"]["devices"] for s in svcs
    ]
    assert devices[0] == devices[1] and len(devices[0]) == 1
    live = get(cluster, "resourceclaim", "shared-gpu", namespace)
    assert live is not None and len(live["status"]["reservedFor"]) == 2


def test_mig_claim_runs_on_the_mig_node(
    cluster: Cluster, namespace: str, operator: OperatorProcess
) -> None:
    device = {
        "name": "mig",
        "deviceClassName": "mig.nvidia.com",
        "celExpressions": ["device.attributes['gpu.nvidia.com'].profile == '1g.10gb'"],
    }
    apply(
        cluster,
        namespace,
        nimservice("mig", draResources=[{"claimCreationSpec": {"devices": [device]}}]),
    )
    svc = wait_state(cluster, "nimservice", "mig", namespace, "Ready")
    allocated = claim_template_statuses(svc)[0]["devices"][0]
    assert allocated["pool"] == MIG_NODE and "-mig-1g10gb-" in allocated["device"]


def test_a_claim_that_cannot_be_allocated_keeps_the_service_not_ready_and_says_why(
    cluster: Cluster, namespace: str, operator: OperatorProcess
) -> None:
    device = {
        "name": "gpu",
        "count": 1,
        "capacitySelectors": [{"key": "memory", "op": "GreaterThan", "value": "1Ti"}],
    }
    apply(
        cluster,
        namespace,
        nimservice("huge", draResources=[{"claimCreationSpec": {"devices": [device]}}]),
    )

    def explained() -> dict[str, Any] | None:
        obj = get(cluster, "nimservice", "huge", namespace) or {}
        cond = ready_condition(obj) if obj.get("status") else {}
        return (
            cond
            if "cannot allocate" in cond.get("message", "") or "pending" in cond.get("message", "")
            else None
        )

    cond = eventually(explained, timeout=90, what="NotReady with the scheduler's reason")
    svc = get(cluster, "nimservice", "huge", namespace)
    assert svc is not None and svc["status"]["state"] == "NotReady"
    assert cond["status"] == "False"


def set_isvc_status(cluster: Cluster, namespace: str, name: str, ready: bool) -> None:
    """What KServe's controller would write for a Knative-mode InferenceService: Knative is not
    run here, so KServe cannot serve that mode (tests/e2e/test_kserve_controller.py runs KServe's
    own controller for Standard mode, with nothing played)."""
    status = {
        "conditions": [
            {"type": "PredictorReady", "status": "True" if ready else "False"},
            {"type": "Ready", "status": "True" if ready else "False"},
        ],
        "address": {"url": f"http://{name}-predictor.{namespace}.svc.cluster.local"},
        "url": f"http://{name}.{namespace}.example.com",
    }
    cluster.kubectl(
        "patch",
        "inferenceservice",
        name,
        "-n",
        namespace,
        "--subresource=status",
        "--type=merge",
        "-p",
        json.dumps({"status": status}),
    )


def test_serverless_kserve_service_follows_its_inference_service(
    cluster: Cluster, namespace: str, operator: OperatorProcess
) -> None:
    """Knative mode with KServe's part played (no Knative here): the status nimop follows."""
    mode = "Serverless"
    annotations = {"serving.kserve.io/deploymentMode": mode}
    apply(
        cluster, namespace, nimservice("kllm", inferencePlatform="kserve", annotations=annotations)
    )
    isvc = eventually(
        lambda: get(cluster, "inferenceservice", "kllm", namespace), what="InferenceService"
    )
    assert isvc["metadata"]["annotations"]["serving.kserve.io/deploymentMode"] == mode
    assert get(cluster, "deployment", "kllm", namespace) is None  # KServe, not nimop, runs pods
    svc = get(cluster, "nimservice", "kllm", namespace)
    assert svc is not None and svc["status"]["state"] == "NotReady"
    set_isvc_status(cluster, namespace, "kllm", ready=True)
    svc = wait_state(cluster, "nimservice", "kllm", namespace, "Ready")
    assert (
        svc["status"]["model"]["clusterEndpoint"]
        == f"http://kllm-predictor.{namespace}.svc.cluster.local"
    )
    assert svc["status"]["model"]["externalEndpoint"] == f"http://kllm.{namespace}.example.com"
    set_isvc_status(cluster, namespace, "kllm", ready=False)
    wait_state(cluster, "nimservice", "kllm", namespace, "NotReady")
