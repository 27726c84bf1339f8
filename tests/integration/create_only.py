"""The apiserver behaviour nimop's no-adoption rule stands on (nimop.watch.sync.create_only):
a server-side apply whose configuration carries ``metadata.resourceVersion: "1"`` creates an
absent object — owned by our manager's Apply entry, as a plain apply — and is refused with 409
by one that exists, which keeps what it had. Checked for every kind nimop creates that the
apiserver under test serves; shared by the current control plane's test and the oldest
supported apiserver's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nimop.watch import ConflictError, ResourceRef
from nimop.watch.sync import create_only

from .watchkit import open_client

_POD = {"spec": {"containers": [{"name": "c", "image": "registry.example/nim:1"}]}}
_SELECTOR = {"matchLabels": {"app": "x"}}
_TEMPLATE = {"metadata": {"labels": {"app": "x"}}, **_POD}

#: (where the kind is served, the body of one valid object of it)
BUILT_IN: list[tuple[ResourceRef, dict[str, Any]]] = [
    (ResourceRef("", "v1", "ConfigMap", "configmaps"), {"data": {"k": "v"}}),
    (ResourceRef("", "v1", "Service", "services"), {"spec": {"ports": [{"port": 8000}]}}),
    (ResourceRef("", "v1", "ServiceAccount", "serviceaccounts"),
     {"automountServiceAccountToken": False}),
    (ResourceRef("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims"),
     {"spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}),
    (ResourceRef("apps", "v1", "Deployment", "deployments"),
     {"spec": {"selector": _SELECTOR, "template": _TEMPLATE}}),
    (ResourceRef("batch", "v1", "Job", "jobs"),
     {"spec": {"template": {"spec": {"restartPolicy": "Never", **_POD["spec"]}}}}),
    (ResourceRef("rbac.authorization.k8s.io", "v1", "Role", "roles"), {"rules": []}),
    (ResourceRef("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers"),
     {"spec": {"maxReplicas": 2, "scaleTargetRef": {"apiVersion": "apps/v1",
                                                      "kind": "Deployment", "name": "x"}}}),
    (ResourceRef("networking.k8s.io", "v1", "Ingress", "ingresses"),
     {"spec": {"defaultBackend": {"service": {"name": "x", "port": {"number": 8000}}}}}),
]  # fmt: skip

LWS: tuple[ResourceRef, dict[str, Any]] = (
    ResourceRef("leaderworkerset.x-k8s.io", "v1", "LeaderWorkerSet", "leaderworkersets"),
    {"spec": {"leaderWorkerTemplate": {"size": 2, "workerTemplate": _POD}}},
)


def _object(res: ResourceRef, namespace: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": res.api_version, "kind": res.kind,
            "metadata": {"name": "create-only", "namespace": namespace}, **body}  # fmt: skip


async def verdicts(
    kubeconfig: Path, namespace: str, kinds: list[tuple[ResourceRef, dict[str, Any]]]
) -> dict[str, Any]:
    """Per kind: (created with an Apply entry of ours?, refused on the second try?, unchanged
    after the refusal?) — (True, True, True) is the behaviour the sync relies on."""
    out: dict[str, Any] = {}
    async with open_client(kubeconfig) as client:
        for res, body in kinds:
            obj = _object(res, namespace, body)
            created = await client.apply(res, create_only(obj))
            ours = any(m.get("manager") == client.config.field_manager
                       and m.get("operation") == "Apply"
                       for m in created["metadata"].get("managedFields") or [])  # fmt: skip
            changed = {**obj, "metadata": {**obj["metadata"], "labels": {"taken": "over"}}}
            try:
                await client.apply(res, create_only(changed))
                refused = False
            except ConflictError:
                refused = True
            live = await client.get(res, namespace, "create-only")
            kept = "taken" not in (live["metadata"].get("labels") or {})
            out[res.kind] = (ours, refused, kept)
    return out
