"""The workload's identity: ServiceAccount `<name>` and, on OpenShift, the Role and RoleBinding
granting it the SCC its pod requests (inventory §2.4 step 2)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nimop.render.common import Owner, child_name, manifest, metadata
from nimop.render.facts import ClusterFacts
from nimop.render.workload import required_scc

RBAC = "rbac.authorization.k8s.io/v1"


def rbac(owner: Owner, labels: Mapping[str, str], facts: ClusterFacts) -> list[dict[str, Any]]:
    """ServiceAccount `<name>`; on OpenShift a Role granting the SCC the pod requests and its
    RoleBinding (§2.4 step 2; gated on OpenShift as upstream PR #914 does)."""
    name = child_name(owner.name)
    objs = [manifest("v1", "ServiceAccount", metadata(owner, name, labels))]
    if facts.openshift:
        rule = {"apiGroups": ["security.openshift.io"], "resources": ["securitycontextconstraints"],
                "verbs": ["use"], "resourceNames": [required_scc(owner.spec)]}
        objs.append(manifest(RBAC, "Role", metadata(owner, name, labels), rules=[rule]))
        objs.append(manifest(
            RBAC, "RoleBinding", metadata(owner, name, labels),
            roleRef={"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
            subjects=[{"kind": "ServiceAccount", "name": name, "namespace": owner.namespace}]))
    return objs
