"""NIMService standalone end to end: from `kubectl apply` to Ready, asserting on real children."""

from __future__ import annotations

import json
from typing import Any

from tests.cluster import Cluster
from tests.e2e.crs import nimcache, nimservice, ready_condition, state, wait_state
from tests.operator_process import OperatorProcess
from tests.support import apply, eventually, get, items


def env_of(deployment: dict[str, Any]) -> dict[str, str]:
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    return {e["name"]: e.get("value", "") for e in container.get("env", [])}


def test_service_on_a_cache_becomes_ready_with_its_children(
    cluster: Cluster, namespace: str, operator: OperatorProcess
) -> None:
    apply(cluster, namespace, nimcache("llama"))
    spec = {
        "storage": {"nimCache": {"name": "llama"}},
        "resources": {"limits": {"nvidia.com/gpu": 1}},
    }
    apply(cluster, namespace, nimservice("llm", **spec))
    svc = wait_state(cluster, "nimservice", "llm", namespace, "Ready")
    assert svc["status"]["availableReplicas"] == 1
    assert svc["status"]["model"]["clusterEndpoint"] == f"llm.{namespace}.svc:8000"
    deployment = get(cluster, "deployment", "llm", namespace)
    assert deployment is not None
    volumes = deployment["spec"]["template"]["spec"]["volumes"]
    claims = [
        v["persistentVolumeClaim"]["claimName"] for v in volumes if "persistentVolumeClaim" in v
    ]
    assert claims == ["llama-pvc"]
    owner = deployment["metadata"]["ownerReferences"][0]
    assert (owner["kind"], owner["name"], owner["controller"]) == ("NIMService", "llm", True)
    assert deployment["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "nimop"
    assert get(cluster, "service", "llm", namespace) is not None
    assert get(cluster, "serviceaccount", "llm", namespace) is not None


def test_service_waits_for_a_missing_cache_and_wakes_when_it_is_ready(
    cluster: Cluster, namespace: str, operator: OperatorProcess
) -> None:
    apply(cluster, namespace, nimservice("llm", storage={"nimCache": {"name": "later"}}))

    def waiting() -> dict[str, Any] | None:
        obj = get(cluster, "nimservice", "llm", namespace) or {}
        return obj if (obj.get("status") or {}).get("state") == "NotReady" else None

    reason = ready_condition(eventually(waiting, what="NIMService waiting for its cache"))["reason"]
    assert reason == "NIMCacheNotFound"
    assert get(cluster, "deployment", "llm", namespace) is None
    apply(cluster, namespace, nimcache("later"))
    svc = wait_state(cluster, "nimservice", "llm", namespace, "Ready")
    assert ready_condition(svc)["reason"] == "Ready"


def test_drift_in_an_owned_field_is_reverted_and_foreign_fields_are_kept(
    cluster: Cluster, namespace: str, operator: OperatorProcess
) -> None:
    apply(cluster, namespace, nimservice("llm"))
    wait_state(cluster, "nimservice", "llm", namespace, "Ready")
    patch = {
        "spec": {
            "template": {"spec": {"containers": [{"name": "llm-ctr", "image": "evil:latest"}]}}
        }
    }
    cluster.kubectl(
        "patch", "deployment", "llm", "-n", namespace, "--type=strategic", "-p", json.dumps(patch)
    )
    cluster.kubectl("annotate", "deployment", "llm", "-n", namespace, "team.example.com/owner=ml")

    def reverted() -> dict[str, Any] | None:
        dep = get(cluster, "deployment", "llm", namespace) or {}
        image = dep["spec"]["template"]["spec"]["containers"][0]["image"]
        return dep if image == "nvcr.io/nim/meta/llama-3.2-1b-instruct:1.12.0" else None

    dep = eventually(reverted, what="image reverted")
    assert dep["metadata"]["annotations"]["team.example.com/owner"] == "ml"


def test_autoscaling_leaves_replicas_to_the_hpa_and_removing_it_deletes_the_hpa(
    cluster: Cluster, namespace: str, operator: OperatorProcess
) -> None:
    scale = {
        "enabled": True,
        "hpa": {
            "minReplicas": 1,
            "maxReplicas": 3,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": 80},
                    },
                }
            ],
        },
    }
    apply(cluster, namespace, nimservice("llm", scale=scale))
    wait_state(cluster, "nimservice", "llm", namespace, "Ready")
    hpa = get(cluster, "hpa", "llm", namespace)
    assert hpa is not None and hpa["spec"]["scaleTargetRef"]["name"] == "llm"
    # the autoscaler (another field manager) scales the Deployment: nimop must not fight it
    cluster.kubectl("scale", "deployment", "llm", "-n", namespace, "--replicas=2")
    eventually(
        lambda: (
            state(cluster, "nimservice", "llm", namespace) == "Ready"
            and (get(cluster, "deployment", "llm", namespace) or {})["status"].get(
                "availableReplicas"
            )
            == 2
        ),
        what="2 replicas available",
    )
    assert get(cluster, "deployment", "llm", namespace)["spec"]["replicas"] == 2  # type: ignore[index]
    # autoscaling off: the HPA goes away and spec.replicas (default 1) applies again
    cluster.kubectl(
        "patch",
        "nimservice",
        "llm",
        "-n",
        namespace,
        "--type=merge",
        "-p",
        json.dumps({"spec": {"scale": {"enabled": False}, "replicas": 1}}),
    )
    eventually(lambda: get(cluster, "hpa", "llm", namespace) is None, what="HPA deleted")
    eventually(
        lambda: (get(cluster, "deployment", "llm", namespace) or {})["spec"]["replicas"] == 1,
        what="replicas back to 1",
    )


def test_routes_are_created_and_removed_with_the_spec(
    cluster: Cluster, namespace: str, operator: OperatorProcess
) -> None:
    ingress = {"hostDomainName": "example.com", "ingress": {"ingressClass": "nginx"}}
    gateway = {
        "hostDomainName": "example.com",
        "gateway": {"namespace": "gateway-system", "name": "gw", "httpRoutesEnabled": True},
    }
    apply(
        cluster, namespace, nimservice("web", expose={"service": {"port": 8000}, "router": ingress})
    )
    apply(
        cluster, namespace, nimservice("gw", expose={"service": {"port": 8000}, "router": gateway})
    )
    web = wait_state(cluster, "nimservice", "web", namespace, "Ready")
    wait_state(cluster, "nimservice", "gw", namespace, "Ready")
    ing = get(cluster, "ingress", "web", namespace)
    route = get(cluster, "httproute", "gw", namespace)
    assert ing is not None and ing["spec"]["ingressClassName"] == "nginx"
    assert route is not None and route["spec"]["parentRefs"][0]["name"] == "gw"
    assert web["status"]["model"]["externalEndpoint"] == f"web.{namespace}.example.com"
    plain = [{"op": "replace", "path": "/spec/expose", "value": {"service": {"port": 8000}}}]
    for name in ("web", "gw"):
        cluster.kubectl(
            "patch", "nimservice", name, "-n", namespace, "--type=json", "-p", json.dumps(plain)
        )
    eventually(lambda: get(cluster, "ingress", "web", namespace) is None, what="Ingress deleted")
    eventually(lambda: get(cluster, "httproute", "gw", namespace) is None, what="HTTPRoute deleted")


def test_metrics_enabled_creates_a_service_monitor(
    cluster: Cluster, namespace: str, operator: OperatorProcess
) -> None:
    apply(
        cluster,
        namespace,
        nimservice("llm", metrics={"enabled": True, "serviceMonitor": {"interval": "30s"}}),
    )
    wait_state(cluster, "nimservice", "llm", namespace, "Ready")
    monitor = eventually(
        lambda: get(cluster, "servicemonitor", "llm", namespace), what="ServiceMonitor"
    )
    assert monitor["spec"]["endpoints"][0]["interval"] == "30s"


def test_foreground_deletion_removes_children_and_recreates_nothing(
    cluster: Cluster, namespace: str, operator: OperatorProcess
) -> None:
    apply(cluster, namespace, nimservice("llm"))
    wait_state(cluster, "nimservice", "llm", namespace, "Ready")
    uid = get(cluster, "deployment", "llm", namespace)["metadata"]["uid"]  # type: ignore[index]
    cluster.kubectl(
        "delete",
        "nimservice",
        "llm",
        "-n",
        namespace,
        "--cascade=foreground",
        "--wait=true",
        timeout=120,
    )
    assert get(cluster, "nimservice", "llm", namespace) is None
    assert get(cluster, "deployment", "llm", namespace) is None
    leftovers = items(
        cluster,
        "deployments,services,serviceaccounts",
        namespace,
        "app.kubernetes.io/managed-by=nimop",
    )
    assert leftovers == [], [o["metadata"]["name"] for o in leftovers]
    assert uid
