"""The built-in resources the API twin serves unless told otherwise, with their server rules
(status subresource or not, immutable fields) as kube-apiserver 1.3x has them."""

from __future__ import annotations

from nimop.watch.objects import ResourceRef

from .state import Served

__all__ = ["BUILTIN", "CRDS", "served_from_crd"]

CRDS = ResourceRef(
    "apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", False
)


def _core(kind: str, plural: str, *, namespaced: bool = True, status: bool = True,
          immutable: tuple[str, ...] = ()) -> Served:  # fmt: skip
    return Served(ResourceRef("", "v1", kind, plural, namespaced), status, immutable)


BUILTIN: tuple[Served, ...] = (
    _core("Namespace", "namespaces", namespaced=False),
    _core("Node", "nodes", namespaced=False),
    _core("Pod", "pods", immutable=("spec.volumes", "spec.restartPolicy",
                                    "spec.serviceAccountName", "spec.nodeSelector")),
    _core("Service", "services"),
    _core("ConfigMap", "configmaps", status=False),
    _core("Secret", "secrets", status=False, immutable=("type",)),
    _core("ServiceAccount", "serviceaccounts", status=False),
    _core("PersistentVolumeClaim", "persistentvolumeclaims",
          immutable=("spec.accessModes", "spec.storageClassName", "spec.volumeMode")),
    _core("Event", "events", status=False),
    Served(ResourceRef("events.k8s.io", "v1", "Event", "events"), False),
    Served(ResourceRef("apps", "v1", "Deployment", "deployments"), True, ("spec.selector",)),
    Served(ResourceRef("batch", "v1", "Job", "jobs"), True,
           ("spec.selector", "spec.template", "spec.completions")),
    Served(ResourceRef("rbac.authorization.k8s.io", "v1", "Role", "roles"), False),
    Served(ResourceRef("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings"), False,
           ("roleRef",)),
    Served(ResourceRef("networking.k8s.io", "v1", "Ingress", "ingresses")),
    Served(ResourceRef("autoscaling", "v2", "HorizontalPodAutoscaler",
                       "horizontalpodautoscalers")),
    Served(ResourceRef("coordination.k8s.io", "v1", "Lease", "leases"), False),
    Served(CRDS),
)  # fmt: skip


def served_from_crd(crd: dict[str, object]) -> list[Served]:
    """What a CustomResourceDefinition makes the apiserver serve (its served versions)."""
    spec = crd.get("spec")
    if not isinstance(spec, dict):
        return []
    names = spec.get("names") or {}
    out = []
    for version in spec.get("versions") or ():
        if not version.get("served", True):
            continue
        ref = ResourceRef(str(spec.get("group")), str(version["name"]), str(names.get("kind")),
                          str(names.get("plural")), spec.get("scope") != "Cluster")  # fmt: skip
        out.append(Served(ref, "status" in (version.get("subresources") or {})))
    return out
