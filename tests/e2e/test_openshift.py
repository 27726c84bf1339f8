"""OpenShift detected at run time on the real control plane: a NIMService applied before the
SecurityContextConstraints API exists gets no SCC Role and no `openshift.io/required-scc`; once
that API is served (a minimal CRD of OpenShift's `security.openshift.io/v1` group, installed by
this test), the running operator notices without a restart and adds both; removing the API
removes them again."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.cluster import Cluster
from tests.e2e.crs import nimservice, wait_state
from tests.operator_process import OperatorProcess
from tests.support import apply, eventually, get

SCC_CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "securitycontextconstraints.security.openshift.io"},
    "spec": {
        "group": "security.openshift.io",
        "scope": "Cluster",
        "names": {"kind": "SecurityContextConstraints", "plural": "securitycontextconstraints",
                  "singular": "securitycontextconstraints", "listKind":
                  "SecurityContextConstraintsList"},
        "versions": [{"name": "v1", "served": True, "storage": True, "schema": {
            "openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}],
    },
}  # fmt: skip


@pytest.fixture
def scc_api(cluster: Cluster) -> Iterator[None]:
    """Serve the SCC API for one test; always removed afterwards (other tests are not OpenShift)."""
    apply(cluster, None, SCC_CRD)
    cluster.kubectl("wait", "--for=condition=Established", "crd", SCC_CRD["metadata"]["name"])
    try:
        yield
    finally:
        cluster.kubectl("delete", "crd", SCC_CRD["metadata"]["name"], "--ignore-not-found")


def required_scc(cluster: Cluster, namespace: str, name: str) -> str | None:
    deployment = get(cluster, "deployment", name, namespace) or {}
    template = deployment.get("spec", {}).get("template", {})
    return (template.get("metadata", {}).get("annotations") or {}).get("openshift.io/required-scc")


def test_scc_role_and_annotation_follow_the_openshift_api(
    cluster: Cluster, namespace: str, operator: OperatorProcess, request: pytest.FixtureRequest
) -> None:
    apply(cluster, namespace, nimservice("llm"))
    wait_state(cluster, "nimservice", "llm", namespace, "Ready")
    assert required_scc(cluster, namespace, "llm") is None
    assert get(cluster, "role", "llm", namespace) is None

    request.getfixturevalue("scc_api")
    eventually(lambda: required_scc(cluster, namespace, "llm") == "nonroot", timeout=90,
               what="openshift.io/required-scc after the SCC API appeared")  # fmt: skip
    role = eventually(lambda: get(cluster, "role", "llm", namespace), what="SCC Role")
    assert role["rules"][0]["resourceNames"] == ["nonroot"]
    binding = eventually(lambda: get(cluster, "rolebinding", "llm", namespace), what="binding")
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "llm",
                                    "namespace": namespace}]  # fmt: skip
    wait_state(cluster, "nimservice", "llm", namespace, "Ready")

    cluster.kubectl("delete", "crd", SCC_CRD["metadata"]["name"], "--ignore-not-found")
    eventually(lambda: get(cluster, "role", "llm", namespace) is None, timeout=90,
               what="SCC Role removed with the SCC API")  # fmt: skip
    assert required_scc(cluster, namespace, "llm") is None
