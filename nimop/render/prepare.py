"""What every NIMService mode needs before it renders its workload, computed once: labels,
storage (and the PVC the service creates), DRA claims, ports, GPU sizing and pod parts.

The standalone (`standalone`), multi-node (`multinode`) and KServe (`kserve`) renderers all
start here; `nimservice` only chooses between them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nimop.render import dra
from nimop.render.facts import ClusterFacts
from nimop.render.objects import merge_maps, standard_labels
from nimop.render.owners import ServiceOwner
from nimop.render.pod import probe, probe_config
from nimop.render.result import Collector
from nimop.render.storage import Storage, gpu_resources, resolve
from nimop.render.workload import PodParts, Ports, pod_annotations, pod_parts, required_scc

PART_OF = "nim-service"
PROBES = ("livenessProbe", "readinessProbe", "startupProbe")


@dataclass(frozen=True)
class Prepared:
    """What every NIMService mode needs, computed once."""

    owner: ServiceOwner
    facts: ClusterFacts
    labels: dict[str, str]
    ports: Ports
    storage: Storage
    claims: dra.Claims
    pod_annotations: dict[str, str]


def service_labels(owner: ServiceOwner) -> dict[str, str]:
    """C2: the user's `spec.labels` under the standard labels (standard keys win)."""
    return merge_maps(owner.spec.labels, standard_labels(owner, PART_OF))


def prepare(owner: ServiceOwner, facts: ClusterFacts, out: Collector) -> Prepared:
    """Storage (and the PVC the service creates), DRA templates: added to `out` in apply order."""
    labels = service_labels(owner)
    storage = resolve(owner, labels, facts, out)
    out.add(storage.pvc)
    claim_ann = dict(owner.spec.annotations or {})
    claims = dra.render_claims(owner, facts, labels, claim_ann, out)
    out.add(*claims.templates)
    return Prepared(owner, facts, labels, Ports.of(owner.spec), storage, claims,
                    pod_annotations(owner.spec, facts, required_scc(owner.spec)))


def parts_for(p: Prepared, out: Collector, tensor: int | None = None) -> PodParts:
    return pod_parts(p.owner, p.storage, p.ports, gpu_resources(p.owner, p.storage, out, tensor))


def probes(owner: ServiceOwner, port: int | str = "api") -> dict[str, Any]:
    return {kind: probe(probe_config(owner.spec, kind), kind, port) for kind in PROBES}
