"""The local control plane does what every other e2e test relies on, on real objects:
scheduling onto simulated GPU nodes, DRA allocation by the real scheduler, LWS groups,
Jobs completing, pods failing on purpose, PVCs binding."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cluster import Cluster
from tests.cluster.controlplane import cri_log, kwok_logs
from tests.cluster.seed import FAIL_LABEL, GPU_PRODUCT, MIG_NODE
from tests.support import apply, condition, eventually, get, items

IMAGE = "nvcr.io/nim/meta/llama-3.1-8b-instruct:1.3.3"
#: Every test namespace enforces Pod Security `restricted` (tests/conftest.py), so the plain
#: pods of these checks carry the container fields that profile requires.
MAIN = {
    "name": "main",
    "image": IMAGE,
    "securityContext": {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "runAsNonRoot": True,
        "runAsUser": 1000,
        "seccompProfile": {"type": "RuntimeDefault"},
    },
}


def pod(name: str, **spec: Any) -> dict[str, Any]:
    labels = spec.pop("labels", {})
    container = MAIN | spec.pop("container", {})
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": labels},
        "spec": {"containers": [container], **spec},
    }


def pod_ready(cluster: Cluster, namespace: str, name: str) -> dict[str, Any] | None:
    obj = get(cluster, "pod", name, namespace)
    ready = condition(obj, "Ready")
    return obj if ready and ready["status"] == "True" else None


def test_gpu_pod_is_scheduled_on_a_gpu_node_and_becomes_ready(
    cluster: Cluster, namespace: str
) -> None:
    limits = {"nvidia.com/gpu": "1"}
    apply(cluster, namespace, pod("gpu", container={"resources": {"limits": limits}}))
    running = eventually(lambda: pod_ready(cluster, namespace, "gpu"), what="GPU pod Ready")
    node = get(cluster, "node", running["spec"]["nodeName"])
    assert node is not None
    assert node["metadata"]["labels"]["nvidia.com/gpu.product"] == GPU_PRODUCT
    assert node["metadata"]["labels"]["feature.node.kubernetes.io/pci-10de.present"] == "true"


def test_gpu_pod_beyond_node_capacity_stays_pending(cluster: Cluster, namespace: str) -> None:
    apply(
        cluster,
        namespace,
        pod("greedy", container={"resources": {"limits": {"nvidia.com/gpu": "9"}}}),
    )

    def unschedulable() -> bool:
        obj = get(cluster, "pod", "greedy", namespace)
        scheduled = condition(obj, "PodScheduled")
        return bool(scheduled and scheduled.get("reason") == "Unschedulable")

    eventually(unschedulable, what="PodScheduled=False/Unschedulable")


def claim_template(
    name: str, device_class: str, selectors: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    exactly: dict[str, Any] = {"deviceClassName": device_class}
    if selectors:
        exactly["selectors"] = selectors
    return {
        "apiVersion": "resource.k8s.io/v1",
        "kind": "ResourceClaimTemplate",
        "metadata": {"name": name},
        "spec": {"spec": {"devices": {"requests": [{"name": "gpu", "exactly": exactly}]}}},
    }


def claim_pod(name: str, template: str) -> dict[str, Any]:
    return pod(
        name,
        container={"resources": {"claims": [{"name": "gpu"}]}},
        resourceClaims=[{"name": "gpu", "resourceClaimTemplateName": template}],
    )


def allocated_devices(cluster: Cluster, namespace: str, pod_name: str) -> list[dict[str, Any]]:
    obj = get(cluster, "pod", pod_name, namespace) or {}
    statuses = obj.get("status", {}).get("resourceClaimStatuses", [])
    if not statuses:
        return []
    claim = get(cluster, "resourceclaim", statuses[0]["resourceClaimName"], namespace) or {}
    results: list[dict[str, Any]] = (
        claim.get("status", {}).get("allocation", {}).get("devices", {}).get("results", [])
    )
    return results


def test_resource_claim_from_template_is_allocated_and_its_pod_runs(
    cluster: Cluster, namespace: str
) -> None:
    memory = "device.capacity['gpu.nvidia.com'].memory.compareTo(quantity('40Gi')) >= 0"
    apply(
        cluster,
        namespace,
        claim_template("one-gpu", "gpu.nvidia.com", [{"cel": {"expression": memory}}]),
    )
    apply(cluster, namespace, claim_pod("dra", "one-gpu"))
    running = eventually(lambda: pod_ready(cluster, namespace, "dra"), what="DRA pod Ready")
    results = eventually(
        lambda: allocated_devices(cluster, namespace, "dra"), what="claim allocation"
    )
    assert results[0]["driver"] == "gpu.nvidia.com"
    assert results[0]["pool"] == running["spec"]["nodeName"]
    assert "mig" not in results[0]["device"]


def test_mig_claim_gets_a_mig_device(cluster: Cluster, namespace: str) -> None:
    profile = "device.attributes['gpu.nvidia.com'].profile == '1g.10gb'"
    apply(
        cluster,
        namespace,
        claim_template("one-mig", "mig.nvidia.com", [{"cel": {"expression": profile}}]),
    )
    apply(cluster, namespace, claim_pod("mig", "one-mig"))
    running = eventually(lambda: pod_ready(cluster, namespace, "mig"), what="MIG pod Ready")
    results = eventually(
        lambda: allocated_devices(cluster, namespace, "mig"), what="MIG allocation"
    )
    assert running["spec"]["nodeName"] == MIG_NODE
    assert "-mig-1g10gb-" in results[0]["device"]


def test_leaderworkerset_of_size_two_gets_leader_and_worker_and_becomes_available(
    cluster: Cluster, namespace: str
) -> None:
    template = {"spec": {"containers": [MAIN]}}
    lws = {
        "apiVersion": "leaderworkerset.x-k8s.io/v1",
        "kind": "LeaderWorkerSet",
        "metadata": {"name": "group"},
        "spec": {"replicas": 1, "leaderWorkerTemplate": {"size": 2, "workerTemplate": template}},
    }
    apply(cluster, namespace, lws)

    def available() -> dict[str, Any] | None:
        obj = get(cluster, "leaderworkerset", "group", namespace)
        cond = condition(obj, "Available")
        return obj if cond and cond["status"] == "True" else None

    eventually(available, timeout=120, what="LWS Available")
    pods = items(cluster, "pods", namespace, "leaderworkerset.sigs.k8s.io/name=group")
    worker_index = sorted(
        p["metadata"]["labels"]["leaderworkerset.sigs.k8s.io/worker-index"] for p in pods
    )
    assert worker_index == ["0", "1"]
    assert all(
        p["metadata"]["labels"]["leaderworkerset.sigs.k8s.io/group-index"] == "0" for p in pods
    )


def job(name: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    template = {
        "metadata": {"labels": labels or {}},
        "spec": {"restartPolicy": "Never", "containers": [MAIN]},
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name},
        "spec": {"backoffLimit": 0, "template": template},
    }


def test_job_completes(cluster: Cluster, namespace: str) -> None:
    apply(cluster, namespace, job("cache"))

    def complete() -> bool:
        cond = condition(get(cluster, "job", "cache", namespace), "Complete")
        return bool(cond and cond["status"] == "True")

    eventually(complete, what="Job Complete")


def test_pod_labelled_to_fail_fails(cluster: Cluster, namespace: str) -> None:
    apply(cluster, namespace, pod("doomed", labels={FAIL_LABEL: "true"}))

    def failed() -> dict[str, Any] | None:
        obj = get(cluster, "pod", "doomed", namespace)
        return obj if obj and obj["status"].get("phase") == "Failed" else None

    obj = eventually(failed, what="pod Failed")
    assert obj["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 1


def test_job_whose_pod_fails_is_marked_failed(cluster: Cluster, namespace: str) -> None:
    apply(cluster, namespace, job("broken", {FAIL_LABEL: "true"}))

    def failed() -> bool:
        cond = condition(get(cluster, "job", "broken", namespace), "Failed")
        return bool(cond and cond["status"] == "True")

    eventually(failed, what="Job Failed")


def pvc(name: str, mode: str, storage_class: str | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"accessModes": [mode], "resources": {"requests": {"storage": "50Gi"}}}
    if storage_class:
        spec["storageClassName"] = storage_class
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": name},
        "spec": spec,
    }


def bound(cluster: Cluster, namespace: str, name: str) -> dict[str, Any] | None:
    obj = get(cluster, "pvc", name, namespace)
    return obj if obj and obj["status"].get("phase") == "Bound" else None


def test_pvc_binds_through_the_default_storage_class(cluster: Cluster, namespace: str) -> None:
    apply(cluster, namespace, pvc("model-store", "ReadWriteMany"))
    obj = eventually(lambda: bound(cluster, namespace, "model-store"), what="PVC Bound")
    assert obj["spec"]["storageClassName"] == "standard"


def test_pvc_binds_to_a_pooled_volume(cluster: Cluster, namespace: str) -> None:
    apply(cluster, namespace, pvc("pooled", "ReadWriteOnce", "pool"))
    obj = eventually(lambda: bound(cluster, namespace, "pooled"), what="PVC Bound")
    assert obj["spec"]["volumeName"].startswith("pool-rwo-")


def test_probe_container_logs_the_model_manifest_through_the_apiserver(
    cluster: Cluster, namespace: str
) -> None:
    apply(cluster, namespace, pod("probe", container={"name": "nim-cache-ctr"}))
    eventually(lambda: pod_ready(cluster, namespace, "probe"), what="probe pod Ready")
    logs = cluster.kubectl("logs", "-n", namespace, "probe").stdout
    assert "llm_engine: tensorrt_llm" in logs and "meta/llama-3.2-1b-instruct" in logs


def test_a_pod_can_be_given_its_own_logs(cluster: Cluster, namespace: str, tmp_path: Path) -> None:
    log = tmp_path / "not-found.log"
    log.write_text(cri_log("model_manifest.yaml not found"))
    cluster.apply([kwok_logs("Logs", "hf-probe", namespace, "nim-cache-ctr", log)])
    apply(cluster, namespace, pod("hf-probe", container={"name": "nim-cache-ctr"}))
    eventually(lambda: pod_ready(cluster, namespace, "hf-probe"), what="probe pod Ready")
    logs = eventually(
        lambda: cluster.kubectl("logs", "-n", namespace, "hf-probe").stdout.strip() or None,
        what="pod logs",
    )
    assert logs == "model_manifest.yaml not found"


@pytest.mark.disruptive
def test_node_reinitialized_after_not_ready_keeps_its_addresses(cluster: Cluster) -> None:
    """As after an apiserver outage: the node is marked NotReady and kwok re-initializes it;
    its addresses (what the apiserver dials for pods/log) must survive."""
    node = "kwok-cpu-0"
    patch = {"status": {"conditions": [{"type": "Ready", "status": "Unknown", "reason": "Test"}]}}
    cluster.kubectl(
        "patch", "node", node, "--subresource=status", "--type=strategic", "-p", json.dumps(patch)
    )

    def reinitialized() -> dict[str, Any] | None:
        obj = get(cluster, "node", node)
        ready = condition(obj, "Ready")
        return obj if ready and ready["status"] == "True" else None

    obj = eventually(reinitialized, what="node Ready again")
    types = sorted(a["type"] for a in obj["status"]["addresses"])
    assert types == ["Hostname", "InternalIP"]
