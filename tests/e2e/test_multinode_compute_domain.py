"""ComputeDomain (`multiNode.computeDomain`) on the real control plane, whose apiserver serves
the ComputeDomain CRD (tests/cluster/compute_domain_crd.py).

NVIDIA's DRA driver for GPUs does not run here, so this test plays its two parts, as it would
on hardware: its kubelet plugins publish IMEX channel devices (driver
`compute-domain.nvidia.com`) in ResourceSlices, and its controller creates the channel
ResourceClaimTemplate a ComputeDomain names and reports the domain's status. Everything else
is real: nimop creates the ComputeDomain, kube-controller-manager turns the template into
ResourceClaims for the LeaderWorkerSet's pods, the scheduler allocates the channels, LWS and
kwok bring the group up.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.cluster import Cluster
from tests.cluster.seed import gpu_node_names
from tests.e2e.crs import nimservice, ready_condition, wait_state
from tests.operator_process import OperatorProcess
from tests.support import apply, eventually, get, items

CHANNEL_DRIVER = "compute-domain.nvidia.com"
CHANNEL_CLASS = "compute-domain-default-channel.nvidia.com"
CHANNEL_SELECTOR = (
    f"device.driver == '{CHANNEL_DRIVER}' && "
    f"device.attributes['{CHANNEL_DRIVER}'].type == 'channel'"
)
SPEC = {
    "storage": {"pvc": {"create": True, "size": "100Gi", "volumeAccessMode": "ReadWriteMany"}},
    "resources": {"limits": {"nvidia.com/gpu": 4}},
}


def multi_node(domain: dict[str, Any]) -> dict[str, Any]:
    return {"backendType": "lws", "parallelism": {"pipeline": 2, "tensor": 4},
            "computeDomain": domain}  # fmt: skip


def channel_slice(node: str) -> dict[str, Any]:
    return {
        "apiVersion": "resource.k8s.io/v1", "kind": "ResourceSlice",
        "metadata": {"name": f"{node}-{CHANNEL_DRIVER}"},
        "spec": {"driver": CHANNEL_DRIVER, "nodeName": node,
                 "pool": {"name": node, "generation": 1, "resourceSliceCount": 1},
                 "devices": [{"name": f"channel-{i}", "attributes": {
                     "type": {"string": "channel"}, "id": {"int": i}}} for i in range(4)]},
    }  # fmt: skip


@pytest.fixture
def channel_devices(cluster: Cluster) -> Iterator[None]:
    """The driver's kubelet plugins: IMEX channels on every GPU node, and their DeviceClass."""
    device_class = {
        "apiVersion": "resource.k8s.io/v1", "kind": "DeviceClass",
        "metadata": {"name": CHANNEL_CLASS},
        "spec": {"selectors": [{"cel": {"expression": CHANNEL_SELECTOR}}]},
    }
    slices = [channel_slice(node) for node in gpu_node_names()]
    apply(cluster, None, device_class, *slices)
    try:
        yield
    finally:
        names = [s["metadata"]["name"] for s in slices]
        cluster.kubectl("delete", "resourceslice", *names, "--ignore-not-found")
        cluster.kubectl("delete", "deviceclass", CHANNEL_CLASS, "--ignore-not-found")


def play_driver_controller(cluster: Cluster, namespace: str, domain: dict[str, Any]) -> str:
    """What the driver's controller does for a new ComputeDomain: create the channel template
    its spec names (in its namespace). Returns the template's name."""
    template = domain["spec"]["channel"]["resourceClaimTemplate"]["name"]
    apply(cluster, namespace, {
        "apiVersion": "resource.k8s.io/v1", "kind": "ResourceClaimTemplate",
        "metadata": {"name": template},
        "spec": {"spec": {"devices": {"requests": [
            {"name": "channel", "exactly": {"deviceClassName": CHANNEL_CLASS}}]}}},
    })  # fmt: skip
    return str(template)


def report_domain_status(cluster: Cluster, namespace: str, name: str, nodes: list[str]) -> None:
    status = {"status": "Ready", "nodes": [
        {"name": n, "ipAddress": f"10.0.0.{i}", "cliqueID": "clique-a", "index": i,
         "status": "Ready"} for i, n in enumerate(nodes)]}  # fmt: skip
    cluster.kubectl("patch", "computedomain", name, "-n", namespace, "--subresource=status",
                    "--type=merge", "-p", json.dumps({"status": status}))


def test_created_domain_gives_the_group_its_channels_and_reports_their_status(
    cluster: Cluster, namespace: str, operator: OperatorProcess, channel_devices: None
) -> None:
    apply(cluster, namespace, nimservice("nvl", multiNode=multi_node({"create": True}), **SPEC))
    domain = eventually(lambda: get(cluster, "computedomain", "nvl", namespace),
                        what="ComputeDomain nvl")
    assert domain["spec"]["numNodes"] == 2
    assert domain["spec"]["channel"]["allocationMode"] == "Single"
    assert domain["metadata"]["ownerReferences"][0]["name"] == "nvl"
    template = play_driver_controller(cluster, namespace, domain)

    svc = wait_state(cluster, "nimservice", "nvl", namespace, "Ready", timeout=150)
    assert ready_condition(svc)["reason"] == "Ready"
    pods = items(cluster, "pods", namespace, "leaderworkerset.sigs.k8s.io/name=nvl-lws")
    assert len(pods) == 2
    for pod in pods:
        claims = pod["spec"]["resourceClaims"]
        assert [c["resourceClaimTemplateName"] for c in claims] == [template]
        assert pod["spec"]["containers"][0]["resources"]["claims"] == [{"name": claims[0]["name"]}]
    channels = [c for entry in svc["status"]["draResourceStatuses"]
                for c in entry["resourceClaimTemplateStatus"]["resourceClaimStatuses"]]  # fmt: skip
    assert len(channels) == 2 and all("allocated" in c["state"] for c in channels)
    assert {d["driver"] for c in channels for d in c["devices"]} == {CHANNEL_DRIVER}

    # One status entry per node, as the driver writes it: both pods may share a node.
    nodes = sorted({p["spec"]["nodeName"] for p in pods})
    report_domain_status(cluster, namespace, "nvl", nodes)

    def mirrored() -> dict[str, Any] | None:
        status = (get(cluster, "nimservice", "nvl", namespace) or {}).get("status") or {}
        return status.get("computeDomainStatus") if "nodes" in (
            status.get("computeDomainStatus") or {}) else None

    assert eventually(mirrored, what="computeDomainStatus") == {
        "name": "nvl", "status": "Ready",
        "nodes": [{"name": n, "cliqueID": "clique-a", "status": "Ready"} for n in nodes],
    }  # fmt: skip


def test_a_named_domain_is_waited_for_and_its_spec_stays_immutable(
    cluster: Cluster, namespace: str, operator: OperatorProcess
) -> None:
    apply(cluster, namespace, nimservice("big", multiNode=multi_node({"name": "shared"}), **SPEC))
    svc = wait_state(cluster, "nimservice", "big", namespace, "NotReady")
    assert ready_condition(svc)["reason"] == "ComputeDomainNotFound"
    assert get(cluster, "leaderworkerset", "big-lws", namespace) is None

    shared = {"apiVersion": "resource.nvidia.com/v1beta1", "kind": "ComputeDomain",
              "metadata": {"name": "shared"},
              "spec": {"numNodes": 2,
                       "channel": {"resourceClaimTemplate": {"name": "shared-ch"}}}}  # fmt: skip
    apply(cluster, namespace, shared)
    lws = eventually(lambda: get(cluster, "leaderworkerset", "big-lws", namespace),
                     what="LeaderWorkerSet big-lws")
    tmpl = lws["spec"]["leaderWorkerTemplate"]
    for role in ("leaderTemplate", "workerTemplate"):
        refs = [c["resourceClaimTemplateName"] for c in tmpl[role]["spec"]["resourceClaims"]]
        assert refs == ["shared-ch"]
    live = get(cluster, "computedomain", "shared", namespace) or {}
    assert "ownerReferences" not in live["metadata"], "a user's ComputeDomain is not adopted"
    edit = cluster.kubectl("patch", "computedomain", "shared", "-n", namespace, "--type=merge",
                           "-p", '{"spec": {"numNodes": 4}}', check=False)
    assert edit.returncode != 0 and "immutable" in edit.stderr
