"""OpenShift detected at run time on the in-memory API: with the SecurityContextConstraints API
served (or, as upstream detects it, a node labelled `node.openshift.io/os_id`) a NIMService gets
the Role/RoleBinding granting its ServiceAccount the SCC its pod requests, and the pod the
`openshift.io/required-scc` annotation; on any other cluster neither."""

from __future__ import annotations

from typing import Any

from nimop.watch import ResourceRef
from tests.e2e.crs import nimservice
from tests.unit.controllers.harness import ALL_OPTIONAL, Operator, gpu_node, running

SCC = ResourceRef("security.openshift.io", "v1", "SecurityContextConstraints",
                  "securitycontextconstraints")  # fmt: skip


def pod_annotations(op: Operator, name: str) -> dict[str, Any]:
    template = op.must("Deployment", name)["spec"]["template"]
    return dict(template["metadata"].get("annotations") or {})


def assert_openshift(op: Operator, name: str, scc: str) -> None:
    assert pod_annotations(op, name)["openshift.io/required-scc"] == scc
    role = op.must("Role", name)
    assert role["rules"] == [{"apiGroups": ["security.openshift.io"],
                              "resources": ["securitycontextconstraints"],
                              "verbs": ["use"], "resourceNames": [scc]}]  # fmt: skip
    binding = op.must("RoleBinding", name)
    assert binding["subjects"][0]["name"] == name
    assert binding["roleRef"]["name"] == name


async def test_the_scc_api_makes_it_openshift() -> None:
    async with running((*ALL_OPTIONAL, SCC)) as op:
        await op.put(nimservice("llm"))
        assert_openshift(op, "llm", "nonroot")
        await op.put(nimservice("host", storage={"hostPath": "/models"}))
        assert_openshift(op, "host", "hostmount-anyuid")


async def test_upstreams_node_label_makes_it_openshift() -> None:
    node = gpu_node()
    node["metadata"]["labels"]["node.openshift.io/os_id"] = "rhcos"
    async with running(objects=[node]) as op:
        await op.put(nimservice("llm"))
        assert_openshift(op, "llm", "nonroot")


async def test_elsewhere_no_scc_role_and_no_annotation() -> None:
    async with running(objects=[gpu_node()]) as op:
        await op.put(nimservice("llm"))
        assert "openshift.io/required-scc" not in pod_annotations(op, "llm")
        assert op.get("Role", "llm") is None
        assert op.get("RoleBinding", "llm") is None
