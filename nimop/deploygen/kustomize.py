"""`deploy/base` and `deploy/overlays/*`: plain kustomize, no transformers, so what a file says
is what gets applied.

- base: everything for a cluster-wide install (CRDs, RBAC, the Deployment, metrics Service);
  `base/servicemonitor` is an optional Component for clusters running the Prometheus Operator.
- overlays/cluster-wide: the base as is.
- overlays/namespaced: watches one namespace; the namespaced rules move from the ClusterRole to a
  Role in that namespace, only cluster-scoped reads stay in a (smaller) ClusterRole.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nimop.deploygen import objects as o
from nimop.deploygen.render import crd_files, dump
from nimop.permissions import PERMISSIONS, select

#: The namespace the namespaced overlay watches (`kustomize edit` or a patch changes it).
WATCHED_NAMESPACE = "nim-workloads"
LEADER_ROLE = f"{o.NAME}-leader-election"
KUSTOMIZE = "kustomize.config.k8s.io/v1beta1"


def _kustomization(resources: list[str], **extra: Any) -> dict[str, Any]:
    return {"apiVersion": KUSTOMIZE, "kind": "Kustomization", "resources": resources, **extra}


def leader_rbac() -> list[o.Manifest]:
    perms = select("operator")
    return [o.role("Role", LEADER_ROLE, perms, o.NAMESPACE),
            o.binding("RoleBinding", LEADER_ROLE, "Role", LEADER_ROLE, o.NAMESPACE)]


def base_files(root: Path) -> dict[Path, str]:
    crds = crd_files(root / "crds")
    cluster_wide = [p for p in PERMISSIONS if p.scope in ("cluster", "namespaced")]
    rbac = [o.service_account(), o.role("ClusterRole", o.NAME, cluster_wide),
            o.binding("ClusterRoleBinding", o.NAME, "ClusterRole", o.NAME), *leader_rbac()]
    files = {
        root / "namespace.yaml": dump([o.namespace()]),
        **crds,
        root / "rbac.yaml": dump(rbac),
        root / "deployment.yaml": dump([o.deployment({"value": ""})]),
        root / "service.yaml": dump([o.metrics_service()]),
        root / "servicemonitor" / "servicemonitor.yaml": dump([o.service_monitor()]),
        root / "servicemonitor" / "kustomization.yaml": dump([{
            "apiVersion": "kustomize.config.k8s.io/v1alpha1", "kind": "Component",
            "resources": ["servicemonitor.yaml"]}]),
    }
    resources = ["namespace.yaml", *(f"crds/{p.name}" for p in sorted(crds)), "rbac.yaml",
                 "deployment.yaml", "service.yaml"]
    files[root / "kustomization.yaml"] = dump([_kustomization(resources)])
    return files


def _delete(kind: str, name: str) -> dict[str, str]:
    patch = f"$patch: delete\napiVersion: {o.RBAC}\nkind: {kind}\nmetadata:\n  name: {name}\n"
    return {"patch": patch}


def namespaced_rbac(watched: str) -> list[o.Manifest]:
    name = f"{o.NAME}-cluster"
    return [
        o.role("ClusterRole", name, select("cluster")),
        o.binding("ClusterRoleBinding", name, "ClusterRole", name),
        o.role("Role", o.NAME, select("namespaced"), watched),
        o.binding("RoleBinding", o.NAME, "Role", o.NAME, watched),
    ]


def overlay_files(root: Path) -> dict[Path, str]:
    wide = root / "cluster-wide"
    ns = root / "namespaced"
    env_patch = {"apiVersion": "apps/v1", "kind": "Deployment",
                 "metadata": {"name": o.NAME, "namespace": o.NAMESPACE},
                 "spec": {"template": {"spec": {"containers": [{"name": "manager", "env": [
                     {"name": o.WATCH_ENV, "value": WATCHED_NAMESPACE}]}]}}}}
    return {
        wide / "kustomization.yaml": dump([_kustomization(["../../base"])]),
        ns / "rbac.yaml": dump(namespaced_rbac(WATCHED_NAMESPACE)),
        ns / "deployment-patch.yaml": dump([env_patch]),
        ns / "kustomization.yaml": dump([_kustomization(
            ["../../base", "rbac.yaml"],
            patches=[_delete("ClusterRole", o.NAME), _delete("ClusterRoleBinding", o.NAME),
                     {"path": "deployment-patch.yaml"}])]),
    }
