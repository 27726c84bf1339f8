"""NeMo services on the real control plane: what a spec names must exist (a missing Secret and
a missing `create: false` PVC are conditions naming field, object and fix, with no write while
they stay missing, and the CR recovers by itself once they appear — nimop watches neither, it
looks them up by name), and the shared exposure children — HTTPRoute, Ingress, HPA,
ServiceMonitor — for a NeMo kind, created, switched and removed with the spec."""

from __future__ import annotations

import json
from typing import Any

from tests.cluster import Cluster
from tests.e2e.crs import ready_condition, wait_state
from tests.e2e.nemo_prereqs import PASSWORD, secret
from tests.e2e.test_hostile import idle_writes
from tests.operator_process import OperatorProcess
from tests.support import apply, condition, eventually, get

IMAGE = {"repository": "nvcr.io/nvidia/nemo-microservices/guardrails", "tag": "25.10"}


def reason(cluster: Cluster, kind: str, name: str, namespace: str) -> str | None:
    obj = get(cluster, kind, name, namespace) or {}
    return (condition(obj, "Ready") or {}).get("reason")


def test_missing_secret_and_existing_pvc_are_conditions_until_they_appear(
    cluster: Cluster, namespace: str, operator: OperatorProcess
) -> None:
    rails = {
        "apiVersion": "apps.nvidia.com/v1alpha1", "kind": "NemoGuardrail",
        "metadata": {"name": "rails"},
        "spec": {"image": IMAGE,
                 "nimEndpoint": {"baseURL": "https://integrate.api.nvidia.com/v1",
                                 "apiKeySecret": "nim-key"},
                 "configStore": {"pvc": {"name": "rails-config", "create": False}}},
    }  # fmt: skip
    apply(cluster, namespace, rails)
    obj = wait_state(cluster, "nemoguardrail", "rails", namespace, "NotReady")
    eventually(lambda: reason(cluster, "nemoguardrail", "rails", namespace) == "SecretNotFound",
               what="SecretNotFound")
    cond = ready_condition(get(cluster, "nemoguardrail", "rails", namespace) or obj)
    assert "Secret nim-key (spec.nimEndpoint.apiKeySecret) not found" in cond["message"]
    assert f"kubectl create secret generic nim-key -n {namespace}" in cond["message"]
    assert get(cluster, "deployment", "rails", namespace) is not None  # applied anyway
    # waiting writes nothing (it only reads the Secret by name on its backoff)
    assert [w for w in idle_writes(cluster, operator.agent) if "rails" in w] == []

    apply(cluster, namespace, secret("nim-key", {"NIM_ENDPOINT_API_KEY": "k"}))
    eventually(lambda: reason(cluster, "nemoguardrail", "rails", namespace) == "PVCNotFound",
               what="the Secret found, the PVC next", timeout=90)
    cond = ready_condition(get(cluster, "nemoguardrail", "rails", namespace) or obj)
    assert cond["message"].startswith("PersistentVolumeClaim rails-config "
                                      "(spec.configStore.pvc.name) not found")
    apply(cluster, namespace, {
        "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "rails-config"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
    })  # fmt: skip
    wait_state(cluster, "nemoguardrail", "rails", namespace, "Ready", timeout=90)


def _entitystore(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps.nvidia.com/v1alpha1", "kind": "NemoEntitystore",
        "metadata": {"name": "es"},
        "spec": {"image": {"repository": "nvcr.io/nvidia/nemo-microservices/entity-store",
                           "tag": "25.08"},
                 "databaseConfig": {"host": "pg", "databaseName": "es",
                                    "credentials": {"user": "u", "secretName": "es-pg"}},
                 **spec},
    }  # fmt: skip


HPA = {"enabled": True, "hpa": {"minReplicas": 1, "maxReplicas": 3, "metrics": [
    {"type": "Resource", "resource": {"name": "cpu", "target": {
        "type": "Utilization", "averageUtilization": 80}}}]}}  # fmt: skip


def test_routes_hpa_and_service_monitor_of_a_nemo_service(
    cluster: Cluster, namespace: str, operator: OperatorProcess
) -> None:
    gateway = {"hostDomainName": "example.com",
               "gateway": {"namespace": "gateway-system", "name": "gw", "httpRoutesEnabled": True}}
    apply(cluster, namespace, secret("es-pg", PASSWORD), _entitystore(
        expose={"service": {"port": 8000}, "router": gateway}, scale=HPA,
        metrics={"enabled": True, "serviceMonitor": {"interval": "30s"}}))
    wait_state(cluster, "nemoentitystore", "es", namespace, "Ready")
    route = get(cluster, "httproute", "es", namespace) or {}
    assert route["spec"]["parentRefs"][0]["name"] == "gw"
    backend = route["spec"]["rules"][0]["backendRefs"][0]
    assert (backend["name"], backend["port"]) == ("es", 8000)
    assert route["spec"]["hostnames"] == [f"es.{namespace}.example.com"]
    hpa = get(cluster, "hpa", "es", namespace) or {}
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                             "name": "es"}
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (1, 3)
    monitor = get(cluster, "servicemonitor", "es", namespace) or {}
    assert monitor["spec"]["endpoints"][0]["interval"] == "30s"
    assert monitor["spec"]["endpoints"][0]["port"] == "api"
    svc = get(cluster, "service", "es", namespace) or {}
    labels = svc["metadata"]["labels"]
    assert all(labels.get(k) == v for k, v in monitor["spec"]["selector"]["matchLabels"].items())
    for child in (route, hpa, monitor):
        assert child["metadata"]["ownerReferences"][0]["kind"] == "NemoEntitystore"
    # steady state with every exposure child: nothing written
    assert [w for w in idle_writes(cluster, operator.agent) if " es" in w] == []

    # switch the route to an Ingress, autoscaling and metrics off
    change = {"spec": {"expose": {"router": {"gateway": None,
                                             "ingress": {"ingressClass": "nginx"}}},
                       "scale": {"enabled": False}, "metrics": {"enabled": False}}}  # fmt: skip
    cluster.kubectl("patch", "nemoentitystore", "es", "-n", namespace, "--type=merge",
                    "-p", json.dumps(change))
    ing = eventually(lambda: get(cluster, "ingress", "es", namespace), what="Ingress created")
    assert ing["spec"]["ingressClassName"] == "nginx"
    path = ing["spec"]["rules"][0]["http"]["paths"][0]
    assert path["backend"]["service"] == {"name": "es", "port": {"name": "api"}}
    for kind in ("httproute", "hpa", "servicemonitor"):
        eventually(lambda k=kind: get(cluster, k, "es", namespace) is None,  # type: ignore[misc]
                   what=f"{kind} deleted")
    wait_state(cluster, "nemoentitystore", "es", namespace, "Ready")

