"""`deploy/base` and `deploy/overlays/*`: plain kustomize. The base uses only the two knobs
kustomize users reach for: `namespace:` (every namespaced object, the bindings' subjects and the
Namespace move together; the ServiceMonitor selects in its own namespace) and `images:`.

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
from nimop.deploygen import rbac
from nimop.deploygen.render import crd_files, dump

#: The namespace the namespaced overlay watches (`kustomize edit` or a patch changes it).
WATCHED_NAMESPACE = "nim-workloads"
KUSTOMIZE = "kustomize.config.k8s.io/v1beta1"
#: The base Deployment names the image without a tag; `images:` pins it, so `kustomize edit set
#: image ghcr.io/nimop/nimop=REGISTRY/nimop@sha256:...` in an overlay is all a mirror needs.
IMAGES = [{"name": o.IMAGE_REPOSITORY, "newTag": o.IMAGE_TAG}]


def _kustomization(resources: list[str], **extra: Any) -> dict[str, Any]:
    return {"apiVersion": KUSTOMIZE, "kind": "Kustomization", "resources": resources, **extra}


def base_files(root: Path) -> dict[Path, str]:
    crds = crd_files(root / "crds")
    objects = [o.service_account(), *rbac.cluster_wide(), *rbac.leader()]
    files = {
        root / "namespace.yaml": dump([o.namespace()]),
        **crds,
        root / "rbac.yaml": dump(objects),
        root / "deployment.yaml": dump([o.deployment(o.DEFAULT.with_(image=o.IMAGE_REPOSITORY))]),
        root / "service.yaml": dump([o.metrics_service()]),
        root / "servicemonitor" / "servicemonitor.yaml": dump([o.service_monitor()]),
        root / "servicemonitor" / "kustomization.yaml": dump([{
            "apiVersion": "kustomize.config.k8s.io/v1alpha1", "kind": "Component",
            "resources": ["servicemonitor.yaml"]}]),
    }
    resources = ["namespace.yaml", *(f"crds/{p.name}" for p in sorted(crds)), "rbac.yaml",
                 "deployment.yaml", "service.yaml"]
    files[root / "kustomization.yaml"] = dump([_kustomization(
        resources, namespace=o.NAMESPACE, images=IMAGES)])
    return files


def _delete(kind: str, name: str) -> dict[str, str]:
    patch = f"$patch: delete\napiVersion: {o.RBAC}\nkind: {kind}\nmetadata:\n  name: {name}\n"
    return {"patch": patch}


def namespaced_rbac(watched: str) -> list[o.Manifest]:
    return [*rbac.cluster_reads(), *rbac.watched(watched)]


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
