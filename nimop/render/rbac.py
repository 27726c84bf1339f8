"""The workload's identity: ServiceAccount `<name>` and the Role and RoleBinding granting it
what its pod needs — the SCC it requests on OpenShift (§2.4 step 2), the API access a
NeMo service needs (§2.8)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from nimop.render.facts import ClusterFacts
from nimop.render.names import child_name
from nimop.render.objects import manifest, metadata
from nimop.render.owners import Owner

RBAC = "rbac.authorization.k8s.io/v1"


def rbac(owner: Owner[object], labels: Mapping[str, str], facts: ClusterFacts, *, scc: str,
         rules: Sequence[Mapping[str, Any]] = ()) -> list[dict[str, Any]]:
    """ServiceAccount `<name>`, and a Role `<name>` with its RoleBinding when the pod needs API
    access (`rules`, e.g. a NeMo service launching jobs) or, on OpenShift, the SCC `scc` the pod
    requests (§2.4 step 2; gated on OpenShift as upstream PR #914 does)."""
    name = child_name(owner.name)
    objs = [manifest("v1", "ServiceAccount", metadata(owner, name, labels))]
    granted = [dict(r) for r in rules]
    if facts.openshift:
        granted.append({"apiGroups": ["security.openshift.io"],
                        "resources": ["securitycontextconstraints"], "verbs": ["use"],
                        "resourceNames": [scc]})
    if granted:
        objs.append(manifest(RBAC, "Role", metadata(owner, name, labels), rules=granted))
        objs.append(manifest(
            RBAC, "RoleBinding", metadata(owner, name, labels),
            roleRef={"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
            subjects=[{"kind": "ServiceAccount", "name": name, "namespace": owner.namespace}]))
    return objs
