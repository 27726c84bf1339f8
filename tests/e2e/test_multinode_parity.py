"""A multi-node NIMService on the real control plane gets what a standalone one gets: its
ServiceMonitor and endpoint picker (InferencePool) are accepted by the apiserver, the pool's
selector finds exactly the group leaders LWS created, and the group's containers start from
the image's entrypoint (no command), with upstream's start script mounted."""

from __future__ import annotations

from tests.cluster import Cluster
from tests.e2e.crs import nimservice, wait_state
from tests.operator_process import OperatorProcess
from tests.support import apply, get, items

PROFILE = {"name": "default", "plugins": [{"pluginRef": "queue-scorer"}]}
EPP = {"containerSpec": {"name": "epp", "image": {
           "repository": "registry.k8s.io/gateway-api-inference-extension/epp", "tag": "v1.3.0"}},
       "config": {"apiVersion": "inference.networking.x-k8s.io/v1alpha1",
                  "kind": "EndpointPickerConfig", "plugins": [{"type": "queue-scorer"}],
                  "schedulingProfiles": [PROFILE]}}  # fmt: skip


def test_multi_node_group_has_its_monitor_and_endpoint_picker_and_starts_from_the_image(
    cluster: Cluster, namespace: str, operator: OperatorProcess
) -> None:
    spec = {
        "storage": {"pvc": {"create": True, "size": "100Gi", "volumeAccessMode": "ReadWriteMany"}},
        "resources": {"limits": {"nvidia.com/gpu": 4}},
        "replicas": 2,
        "multiNode": {"backendType": "lws", "parallelism": {"pipeline": 2, "tensor": 4}},
        "metrics": {"enabled": True, "serviceMonitor": {"interval": "30s"}},
        "expose": {"service": {"port": 8000}, "router": {"eppConfig": EPP}},
    }
    apply(cluster, namespace, nimservice("grp", **spec))
    wait_state(cluster, "nimservice", "grp", namespace, "Ready", timeout=180)

    monitor = get(cluster, "servicemonitor", "grp", namespace)
    service = get(cluster, "service", "grp", namespace)
    assert monitor is not None and service is not None
    wanted = monitor["spec"]["selector"]["matchLabels"]
    assert wanted.items() <= service["metadata"]["labels"].items()

    pool = get(cluster, "inferencepool", "grp", namespace)
    assert pool is not None and get(cluster, "deployment", "grp-epp", namespace) is not None
    selector = ",".join(f"{k}={v}" for k, v in pool["spec"]["selector"]["matchLabels"].items())
    served = items(cluster, "pods", namespace, selector)
    group = items(cluster, "pods", namespace, "leaderworkerset.sigs.k8s.io/name=grp-lws")
    leaders = [p for p in group
               if p["metadata"]["labels"]["leaderworkerset.sigs.k8s.io/worker-index"] == "0"]
    assert len(group) == 4 and len(leaders) == 2
    assert sorted(p["metadata"]["name"] for p in served) == sorted(
        p["metadata"]["name"] for p in leaders)

    for pod in group:
        ctr = pod["spec"]["containers"][0]
        assert "command" not in ctr and "args" not in ctr, pod["metadata"]["name"]
        mounts = {m["mountPath"] for m in ctr["volumeMounts"]}
        assert "/opt/nim/start-mpi-cluster.sh" in mounts
    scripts = get(cluster, "configmap", "grp-mpi-start-script", namespace)
    assert scripts is not None
    assert sorted(scripts["data"]) == ["launch-mpi-group.sh", "start-mpi-cluster.sh"]
