"""KServe's cluster defaults on the real control plane: KServe's namespace found as upstream
finds it (the one Deployment labelled `control-plane=kserve-controller-manager`), its
`inferenceservice-config` read, and an upstream-style Knative NIMService without a mode
annotation rendered Serverless; an edit of the ConfigMap applies to what renders next.

There is no KServe controller here: the Deployment is a stand-in with no replicas (only its
namespace matters), and nobody writes the InferenceService status (Serverless cannot run
without Knative anyway)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.cluster import Cluster
from tests.e2e.crs import nimservice
from tests.operator_process import OperatorProcess
from tests.support import apply, eventually, get

KSERVE_NS = "kserve-e2e"
MODE = "serving.kserve.io/deploymentMode"
IMAGE = "kserve/kserve-controller:v0.16.0"
DISALLOWED = "serviceAnnotationDisallowedList"


def controller() -> dict[str, Any]:
    labels = {"control-plane": "kserve-controller-manager"}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "kserve-controller-manager", "labels": labels},
            "spec": {"replicas": 0, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": {"containers": [
                         {"name": "manager", "image": IMAGE}]}}}}  # fmt: skip


def config(mode: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "inferenceservice-config"},
            "data": {"deploy": json.dumps({"defaultDeploymentMode": mode}),
                     "inferenceService": json.dumps({DISALLOWED: []})}}  # fmt: skip


@pytest.fixture
def kserve_installed(cluster: Cluster, operator: OperatorProcess) -> Iterator[None]:
    """KServe's controller Deployment and config, then the operator restarted to find them (it
    looks once per lifetime, as it does when the InferenceService API appears); undone after."""
    cluster.kubectl("create", "namespace", KSERVE_NS, check=False)
    apply(cluster, KSERVE_NS, controller(), config("Serverless"))
    operator.stop()
    operator.start()
    try:
        yield
    finally:
        cluster.kubectl("delete", "namespace", KSERVE_NS, "--wait=false", check=False)
        operator.stop()
        operator.start()


def knative_sample(name: str) -> dict[str, Any]:
    """Upstream's Knative samples: `inferencePlatform: kserve`, Knative annotations, no mode."""
    obj = nimservice(name, inferencePlatform="kserve", replicas=1,
                     annotations={"autoscaling.knative.dev/target": "10"})  # fmt: skip
    obj["spec"].pop("expose", None)
    return obj


def isvc(cluster: Cluster, namespace: str, name: str) -> dict[str, Any]:
    found = eventually(lambda: get(cluster, "inferenceservice", name, namespace),
                       what=f"InferenceService {name}")  # fmt: skip
    return found


def test_serverless_default_renders_serverless(
    cluster: Cluster, namespace: str, kserve_installed: None
) -> None:
    apply(cluster, namespace, knative_sample("knative"))
    obj = isvc(cluster, namespace, "knative")
    assert obj["metadata"]["annotations"][MODE] == "Serverless"
    assert "minReplicas" not in obj["spec"]["predictor"], "no Standard replica fields"

    apply(cluster, KSERVE_NS, config("Standard"))
    apply(cluster, namespace, knative_sample("later"))
    obj = isvc(cluster, namespace, "later")
    assert obj["metadata"]["annotations"][MODE] == "Standard", "the edited default applies"
    assert obj["spec"]["predictor"]["minReplicas"] == 1
