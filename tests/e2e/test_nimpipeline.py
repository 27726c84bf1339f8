"""NIMPipeline end to end: its services created, updated (upstream never did) and removed."""

from __future__ import annotations

import json
from typing import Any

from tests.cluster import Cluster
from tests.e2e.crs import API, nimservice, wait_state
from tests.operator_process import OperatorProcess
from tests.support import apply, eventually, get


def pipeline(services: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "apiVersion": API,
        "kind": "NIMPipeline",
        "metadata": {"name": "rag"},
        "spec": {"services": services},
    }


def entry(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "enabled": True, "spec": nimservice(name)["spec"], **extra}


def env(cluster: Cluster, namespace: str, name: str) -> dict[str, str]:
    svc = get(cluster, "nimservice", name, namespace) or {}
    return {e["name"]: e.get("value", "") for e in svc.get("spec", {}).get("env", [])}


def test_pipeline_creates_updates_and_shrinks_its_services(
    cluster: Cluster, namespace: str, operator: OperatorProcess
) -> None:
    dep = {"name": "embedder", "port": 8000, "envName": "EMBEDDER_URL"}
    apply(cluster, namespace, pipeline([entry("llm", dependencies=[dep]), entry("embedder")]))
    rag = wait_state(cluster, "nimpipeline", "rag", namespace, "Ready")
    assert rag["status"]["states"] == {"llm": "Ready", "embedder": "Ready"}
    assert env(cluster, namespace, "llm")["EMBEDDER_URL"] == f"http://embedder.{namespace}.svc:8000"

    # an edit of a service's spec in the pipeline reaches the NIMService
    changed = entry("llm", dependencies=[dep])
    changed["spec"]["env"] = [{"name": "NIM_LOG_LEVEL", "value": "DEBUG"}]
    apply(cluster, namespace, pipeline([changed, entry("embedder")]))
    eventually(
        lambda: env(cluster, namespace, "llm").get("NIM_LOG_LEVEL") == "DEBUG", what="llm updated"
    )
    deployment_env = eventually(
        lambda: (
            {
                e["name"]: e.get("value")
                for e in (get(cluster, "deployment", "llm", namespace) or {})["spec"]["template"][
                    "spec"
                ]["containers"][0]["env"]
            }.get("NIM_LOG_LEVEL")
            == "DEBUG"
        ),
        what="Deployment updated",
    )
    assert deployment_env

    # a service removed from the pipeline is deleted; a disabled one too
    cluster.kubectl(
        "patch",
        "nimpipeline",
        "rag",
        "-n",
        namespace,
        "--type=json",
        "-p",
        json.dumps([{"op": "replace", "path": "/spec/services/1/enabled", "value": False}]),
    )
    eventually(
        lambda: get(cluster, "nimservice", "embedder", namespace) is None, what="embedder removed"
    )
    rag = wait_state(cluster, "nimpipeline", "rag", namespace, "Ready")
    assert rag["status"]["states"] == {"llm": "Ready"}


def test_pipeline_leaves_a_foreign_service_alone_and_says_so(
    cluster: Cluster, namespace: str, operator: OperatorProcess
) -> None:
    apply(cluster, namespace, nimservice("llm", env=[{"name": "OWNER", "value": "someone-else"}]))
    apply(cluster, namespace, pipeline([entry("llm")]))
    rag = wait_state(cluster, "nimpipeline", "rag", namespace, "Failed")
    ready = next(c for c in rag["status"]["conditions"] if c["type"] == "Ready")
    assert "already exists and has no controller owner" in ready["message"]
    assert "does not take over objects it did not create" in ready["message"]
    assert env(cluster, namespace, "llm") == {"OWNER": "someone-else"}
