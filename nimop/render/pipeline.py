"""NIMPipeline → the NIMServices it manages, with dependency env (§5).

The pipeline renders NIMService *objects*; their own children come from the NIMService
controller. Desired-state rendering plus apply fixes upstream's never-updated services (§9 bug 1).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nimop.api import kinds
from nimop.api.resource import API_VERSION
from nimop.render.common import (
    CRInput,
    Owner,
    as_object,
    env_var,
    merge_env,
    merge_maps,
    metadata,
    service_name,
    spec_hash,
    standard_labels,
)
from nimop.render.facts import ClusterFacts
from nimop.render.result import Collector, Rendered

PART_OF = "nim-pipeline"
#: The kinds this renderer may emit: the kind table's NIMPIPELINE children.
CHILD_KINDS = kinds.keys(kinds.NIMPIPELINE_CHILDREN)


def dependency_env(dep: Mapping[str, Any], namespace: str) -> dict[str, Any] | None:
    """`envName=envValue` as upstream. With `envName` but no `envValue` we fill in the dependency's
    endpoint `http://<service>.<namespace>.svc:<port>` (upstream ignores such entries; §9.5)."""
    name = dep.get("envName")
    if not name:
        return None
    value = dep.get("envValue")
    if not value:
        value = f"http://{service_name(str(dep['name']))}.{namespace}.svc:{dep.get('port', 8000)}"
    return env_var(str(name), str(value))


def service_spec(entry: Mapping[str, Any], namespace: str) -> dict[str, Any]:
    spec = dict(entry.get("spec") or {})
    deps = [e for e in (dependency_env(d, namespace) for d in entry.get("dependencies") or [])
            if e]
    if deps:
        spec["env"] = merge_env(spec.get("env") or [], deps)
    return spec


def render_nimpipeline(pipeline: CRInput, facts: ClusterFacts | None = None) -> Rendered:
    """Desired NIMServices: one per entry with `enabled: true` (unset means disabled, as
    upstream). Problems: `DuplicateServiceName`."""
    obj = as_object(pipeline)
    owner = Owner.of(obj, "NIMPipeline")
    out = Collector()
    seen: set[str] = set()
    for entry in owner.spec.get("services") or []:
        name = str(entry.get("name") or "")
        if name in seen:
            out.problem("DuplicateServiceName", f"spec.services: {name!r} is listed twice",
                        failed=True)
            continue
        seen.add(name)
        if entry.get("enabled") is not True:
            continue
        labels = merge_maps(standard_labels(owner, PART_OF),
                            {"apps.nvidia.com/pipeline": owner.name})
        meta = metadata(owner, name, labels)
        out.add({"apiVersion": API_VERSION, "kind": "NIMService", "metadata": meta,
                 "spec": service_spec(entry, owner.namespace)})
    return out.result(spec_hash(owner.spec))
