"""Never adopt a stranger, on the real control plane: a user's own Service and PVC that happen
to carry the names a NIMService's children would have survive its create, update and delete
untouched, and the NIMService says why it cannot run (`Failed`/`ChildConflict`)."""

from __future__ import annotations

from typing import Any

from tests.cluster import Cluster
from tests.e2e.crs import nimservice, wait_state
from tests.operator_process import OperatorProcess
from tests.support import apply, condition, eventually, get


def users_service(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "labels": {"team": "data"}},
        "spec": {"selector": {"app": "my-own-app"}, "ports": [{"name": "web", "port": 9999}]},
    }


def users_pvc(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": name, "labels": {"team": "data"}},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
    }


def fingerprint(obj: dict[str, Any] | None) -> tuple[Any, ...]:
    """What nimop must never change on a stranger: its spec, labels, owners, managers."""
    assert obj is not None, "the user's object is gone"
    md = obj["metadata"]
    managers = sorted(f["manager"] for f in md.get("managedFields") or ())
    spec = {k: v for k, v in obj["spec"].items() if k != "volumeName"}
    return (md["uid"], md.get("labels"), md.get("ownerReferences"), managers, spec)


def test_users_service_and_pvc_survive_create_update_and_delete_of_a_nimservice(
    cluster: Cluster, namespace: str, operator: OperatorProcess
) -> None:
    apply(cluster, namespace, users_service("llm"), users_pvc("llm-pvc"))
    before = {
        "service": fingerprint(get(cluster, "service", "llm", namespace)),
        "pvc": fingerprint(get(cluster, "pvc", "llm-pvc", namespace)),
    }
    storage = {"pvc": {"create": True, "size": "10Gi"}}
    apply(cluster, namespace, nimservice("llm", storage=storage))
    svc = wait_state(cluster, "nimservice", "llm", namespace, "Failed")
    cond = condition(svc, "Failed")  # Ready=False/Failed, Failed=True/<reason> (upstream pair)
    assert cond is not None and cond["reason"] == "ChildConflict", svc["status"]
    assert f"Service {namespace}/llm already exists and has no controller owner" in cond["message"]
    assert f"PersistentVolumeClaim {namespace}/llm-pvc" in cond["message"]
    assert "Fix: delete or rename" in cond["message"]
    # The children whose names are free are created (and only those).
    deployment = get(cluster, "deployment", "llm", namespace)
    assert deployment is not None and get(cluster, "serviceaccount", "llm", namespace) is not None

    # An update of the NIMService: still nothing written to the strangers.
    apply(cluster, namespace, nimservice("llm", storage=storage, replicas=2))
    eventually(
        lambda: (get(cluster, "deployment", "llm", namespace) or {})["spec"]["replicas"] == 2,
        what="the update reached the Deployment",
    )
    assert fingerprint(get(cluster, "service", "llm", namespace)) == before["service"]
    assert fingerprint(get(cluster, "pvc", "llm-pvc", namespace)) == before["pvc"]

    # Delete: garbage collection takes the NIMService's own children, never the user's objects.
    cluster.kubectl("delete", "nimservice", "llm", "-n", namespace, "--wait=true")
    eventually(
        lambda: get(cluster, "deployment", "llm", namespace) is None,
        what="the NIMService's Deployment garbage-collected",
    )
    assert fingerprint(get(cluster, "service", "llm", namespace)) == before["service"]
    assert fingerprint(get(cluster, "pvc", "llm-pvc", namespace)) == before["pvc"]


def test_a_freed_name_is_taken_once_the_stranger_is_gone(
    cluster: Cluster, namespace: str, operator: OperatorProcess
) -> None:
    apply(cluster, namespace, users_service("llm"))
    apply(cluster, namespace, nimservice("llm"))
    wait_state(cluster, "nimservice", "llm", namespace, "Failed")
    cluster.kubectl("delete", "service", "llm", "-n", namespace, "--wait=true")
    # No event reaches nimop (the user's Service was never cached): the re-check finds it gone.
    wait_state(cluster, "nimservice", "llm", namespace, "Ready", timeout=60)
    created = get(cluster, "service", "llm", namespace)
    assert created is not None
    assert created["metadata"]["ownerReferences"][0]["kind"] == "NIMService"
