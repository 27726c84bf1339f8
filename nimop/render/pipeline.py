"""NIMPipeline → the NIMServices it manages, with dependency env (§5).

The pipeline renders NIMService *objects*; their own children come from the NIMService
controller. Desired-state rendering plus apply fixes upstream's never-updated services (§9 bug 1).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nimop.api import kinds
from nimop.api.nimpipeline import NIMPipeline, NIMServicePipelineSpec, ServiceDependency
from nimop.api.resource import API_VERSION
from nimop.render.env import env_var, merge_env
from nimop.render.facts import ClusterFacts
from nimop.render.names import service_name
from nimop.render.objects import merge_maps, metadata, standard_labels
from nimop.render.owners import Owner, parsed
from nimop.render.result import Collector, Rendered
from nimop.render.wire import spec_hash, wire, wires

PART_OF = "nim-pipeline"
#: The kinds this renderer may emit: the kind table's NIMPIPELINE children.
CHILD_KINDS = kinds.keys(kinds.NIMPIPELINE_CHILDREN)


def dependency_env(dep: ServiceDependency, namespace: str) -> dict[str, Any] | None:
    """`envName=envValue` as upstream. With `envName` but no `envValue` we fill in the dependency's
    endpoint `http://<service>.<namespace>.svc:<port>` (upstream ignores such entries; §9.5)."""
    if not dep.env_name:
        return None
    value = dep.env_value or f"http://{service_name(dep.name)}.{namespace}.svc:{dep.port}"
    return env_var(dep.env_name, value)


def service_spec(entry: NIMServicePipelineSpec, namespace: str) -> dict[str, Any]:
    """The NIMService spec of an entry (as the camelCase dict the child carries), with the
    dependency env merged over its own."""
    spec = wire(entry.spec)
    deps = [e for e in (dependency_env(d, namespace) for d in entry.dependencies or []) if e]
    if deps:
        spec["env"] = merge_env(wires(entry.spec.env if entry.spec else None), deps)
    return spec


def render_nimpipeline(pipeline: NIMPipeline | Mapping[str, Any],
                       facts: ClusterFacts | None = None) -> Rendered:
    """Desired NIMServices: one per entry with `enabled: true` (unset means disabled, as
    upstream). Problems: `DuplicateServiceName`."""
    model = parsed(NIMPipeline, pipeline)
    owner = Owner.of(model, model.spec)
    out = Collector()
    seen: set[str] = set()
    for entry in owner.spec.services or []:
        name = entry.name or ""
        if name in seen:
            out.problem("DuplicateServiceName", f"spec.services: {name!r} is listed twice",
                        failed=True)
            continue
        seen.add(name)
        if entry.enabled is not True:
            continue
        labels = merge_maps(standard_labels(owner, PART_OF),
                            {"apps.nvidia.com/pipeline": owner.name})
        meta = metadata(owner, name, labels)
        out.add({"apiVersion": API_VERSION, "kind": "NIMService", "metadata": meta,
                 "spec": service_spec(entry, owner.namespace)})
    return out.result(spec_hash(wire(owner.spec)))
