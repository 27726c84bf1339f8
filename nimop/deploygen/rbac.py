"""Which Roles and bindings an install gets, from the permission table (`nimop.permissions`):
the same three shapes for kustomize and Helm (OLM builds its own from the same selections).

- leader election: a Role in the operator's namespace (the Lease);
- watching all namespaces: one ClusterRole with the cluster and namespaced rules;
- watching a list: a smaller ClusterRole for the cluster-scoped reads, and a Role with the
  namespaced rules in each watched namespace.
"""

from __future__ import annotations

from typing import Any

from nimop.deploygen import objects as o
from nimop.permissions import METRICS_AUTH, PERMISSIONS, select


def leader(install: o.Install = o.DEFAULT) -> list[o.Manifest]:
    name = f"{install.name}-leader-election"
    return [o.role("Role", name, select("operator"), install.namespace, install),
            o.binding("RoleBinding", name, "Role", name, install.namespace, install)]


def cluster_wide(install: o.Install = o.DEFAULT) -> list[o.Manifest]:
    perms = [p for p in PERMISSIONS if p.scope in ("cluster", "namespaced")]
    return [o.role("ClusterRole", install.name, perms, install=install),
            o.binding("ClusterRoleBinding", install.name, "ClusterRole", install.name,
                      install=install)]


def cluster_reads(install: o.Install = o.DEFAULT) -> list[o.Manifest]:
    """The cluster-scoped part of a namespaced install."""
    name = f"{install.name}-cluster"
    return [o.role("ClusterRole", name, select("cluster"), install=install),
            o.binding("ClusterRoleBinding", name, "ClusterRole", name, install=install)]


def watched(namespace: Any, install: o.Install = o.DEFAULT) -> list[o.Manifest]:
    """The namespaced rules, granted in one watched namespace."""
    return [o.role("Role", install.name, select("namespaced"), namespace, install),
            o.binding("RoleBinding", install.name, "Role", install.name, namespace, install)]


def metrics_auth(install: o.Install = o.DEFAULT) -> list[o.Manifest]:
    """With `--metrics-secure`: the operator's TokenReview/SubjectAccessReview rights, and a
    `<name>-metrics-reader` ClusterRole to bind to whatever scrapes /metrics."""
    name = f"{install.name}-metrics-auth"
    reader = {"apiVersion": o.RBAC, "kind": "ClusterRole",
              "metadata": o.meta(f"{install.name}-metrics-reader", install=install),
              "rules": [{"nonResourceURLs": ["/metrics"], "verbs": ["get"]}]}
    return [o.role("ClusterRole", name, METRICS_AUTH, install=install),
            o.binding("ClusterRoleBinding", name, "ClusterRole", name, install=install), reader]
