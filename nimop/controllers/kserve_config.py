"""KServe's cluster defaults, from its `inferenceservice-config` ConfigMap.

Upstream resolves a NIMService's KServe deployment mode from (in order) the live
InferenceService, the `serving.kserve.io/deploymentMode` annotation (after dropping the keys in
`serviceAnnotationDisallowedList`), then `deploy.defaultDeploymentMode` of this ConfigMap, and
finds KServe's namespace from the `KSERVE_NAMESPACE` variable or else as the namespace of the
one Deployment labelled `control-plane=kserve-controller-manager`. nimop does the same, except
that the ConfigMap comes from an informer on KServe's namespace (re-read whenever it changes,
no read on the reconcile path) and the namespace is resolved once per operator lifetime —
which restarts when the InferenceService API appears, i.e. when KServe is installed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import structlog

from nimop.api import kinds
from nimop.controllers.runtime import Runtime
from nimop.watch.client import KubeClient
from nimop.watch.errors import KubeError
from nimop.watch.objects import Obj, ResourceRef

log = structlog.get_logger("nimop.kserve")

CONFIG_NAME = "inferenceservice-config"
NAMESPACE_ENV = "KSERVE_NAMESPACE"
CONTROLLER_SELECTOR = "control-plane=kserve-controller-manager"
DEPLOYMENTS = ResourceRef("apps", "v1", "Deployment", "deployments")


def namespace_from(deployments: Iterable[Obj]) -> str | None:
    """The namespace of the one KServe controller Deployment (none or several: unknown)."""
    found = {str(d.get("metadata", {}).get("namespace")) for d in deployments}
    if len(found) != 1:
        if found:
            log.warning(
                "several KServe controllers; set KSERVE_NAMESPACE", namespaces=sorted(found)
            )
        return None
    return found.pop()


async def find_namespace(
    client: KubeClient, watched: Sequence[str] = (), env: Mapping[str, str] = os.environ
) -> str | None:
    """`KSERVE_NAMESPACE`, else the KServe controller's namespace (one list at start): searched
    cluster-wide, or only in the watched namespaces when the operator is namespaced — its RBAC
    grants no cluster-scope read of Deployments there, and a refused list is a 403 an auditor
    would rightly flag."""
    if env.get(NAMESPACE_ENV):
        return env[NAMESPACE_ENV]
    found: list[Obj] = []
    try:
        for namespace in watched or (None,):
            page, _ = await client.list(DEPLOYMENTS, namespace, label_selector=CONTROLLER_SELECTOR)
            found.extend(page)
    except KubeError as exc:  # no read of Deployments: the default mode is Standard
        log.warning("cannot look for the KServe controller; set KSERVE_NAMESPACE", error=str(exc))
        return None
    return namespace_from(found)


def _json(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    try:
        parsed = json.loads(str(data.get(key) or "{}"))
    except ValueError:
        return {}
    return parsed if isinstance(parsed, Mapping) else {}


def defaults(config: Obj | None) -> tuple[str | None, tuple[str, ...]]:
    """`deploy.defaultDeploymentMode` and `inferenceService.serviceAnnotationDisallowedList`.

    A key that is missing or not valid JSON counts as unset; an unknown mode is passed on, so
    the NIMService gets an `InvalidDeploymentMode` condition naming where it came from.
    """
    data = (config or {}).get("data") or {}
    mode = _json(data, "deploy").get("defaultDeploymentMode")
    disallowed = _json(data, "inferenceService").get("serviceAnnotationDisallowedList") or []
    return (str(mode) if mode else None,
            tuple(str(a) for a in disallowed if isinstance(a, str)))  # fmt: skip


def kserve_defaults(rt: Runtime) -> tuple[str | None, tuple[str, ...]]:
    """The defaults from the cached ConfigMap (nothing cached: none)."""
    if rt.kserve_namespace is None or not rt.served(kinds.KSERVE_CONFIG):
        return None, ()
    return defaults(rt.get(kinds.KSERVE_CONFIG, rt.kserve_namespace, CONFIG_NAME))
