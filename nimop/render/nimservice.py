"""`render_nimservice`: one entry point for every NIMService mode (inventory §2.3 dispatch).

The shared preparation (labels, storage, DRA, GPU sizing, pod parts) happens once here; the
standalone Deployment path lives here too, multi-node in `multinode`, KServe in `kserve`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nimop.render import dra, standalone
from nimop.render.common import (
    CRInput,
    Owner,
    as_object,
    child_name,
    merge_maps,
    spec_hash,
    standard_labels,
)
from nimop.render.epp import render_epp
from nimop.render.facts import ClusterFacts
from nimop.render.pod import probe
from nimop.render.result import Collector, Rendered
from nimop.render.storage import Storage, gpu_resources, resolve
from nimop.render.workload import (
    PodParts,
    Ports,
    main_container,
    pod_annotations,
    pod_parts,
    pod_spec,
)

PART_OF = "nim-service"
PROBES = ("livenessProbe", "readinessProbe", "startupProbe")

CHILD_KINDS = frozenset({
    ("v1", "ServiceAccount"), ("rbac.authorization.k8s.io/v1", "Role"),
    ("rbac.authorization.k8s.io/v1", "RoleBinding"), ("v1", "Service"),
    ("v1", "PersistentVolumeClaim"), ("v1", "ConfigMap"), ("apps/v1", "Deployment"),
    ("networking.k8s.io/v1", "Ingress"), ("autoscaling/v2", "HorizontalPodAutoscaler"),
    ("gateway.networking.k8s.io/v1", "HTTPRoute"), ("gateway.networking.k8s.io/v1", "GRPCRoute"),
    ("monitoring.coreos.com/v1", "ServiceMonitor"),
    ("leaderworkerset.x-k8s.io/v1", "LeaderWorkerSet"),
    ("serving.kserve.io/v1beta1", "InferenceService"),
    ("inference.networking.k8s.io/v1", "InferencePool"),
    ("resource.k8s.io/v1", "ResourceClaimTemplate"),
    ("resource.k8s.io/v1beta2", "ResourceClaimTemplate"),
})


@dataclass(frozen=True)
class Prepared:
    """What every NIMService mode needs, computed once."""

    owner: Owner
    facts: ClusterFacts
    labels: dict[str, str]
    ports: Ports
    storage: Storage
    claims: dra.Claims
    pod_annotations: dict[str, str]


def service_labels(owner: Owner) -> dict[str, str]:
    """C2: the user's `spec.labels` under the standard labels (standard keys win)."""
    return merge_maps(owner.spec.get("labels"), standard_labels(owner, PART_OF))


def prepare(owner: Owner, facts: ClusterFacts, out: Collector) -> Prepared:
    """Storage (and the PVC the service creates), DRA templates: added to `out` in apply order."""
    labels = service_labels(owner)
    storage = resolve(owner, labels, facts, out)
    out.add(storage.pvc)
    claim_ann = {str(k): str(v) for k, v in (owner.spec.get("annotations") or {}).items()}
    claims = dra.render_claims(owner, facts, labels, claim_ann, out)
    out.add(*claims.templates)
    return Prepared(owner, facts, labels, Ports.of(owner.spec), storage, claims,
                    pod_annotations(owner.spec, facts))


def parts_for(p: Prepared, out: Collector, tensor: int | None = None) -> PodParts:
    return pod_parts(p.owner, p.storage, p.ports, gpu_resources(p.owner, p.storage, out, tensor))


def probes(owner: Owner, port: int | str = "api") -> dict[str, Any]:
    return {kind: probe(owner.spec, kind, port) for kind in PROBES}


def render_nimservice(svc: CRInput, facts: ClusterFacts | None = None) -> Rendered:
    """Desired children of a NIMService on `facts`' cluster.

    Problems (reasons): NIMCacheNotFound/NotReady/Failed, InvalidStorage, InvalidPVCSpec,
    InvalidProfile, DRAResourcesUnsupported, GatewayAPIMissing, InvalidRouter,
    ServiceMonitorAPIMissing, LeaderWorkerSetAPIMissing, InvalidParallelism,
    InferenceServiceAPIMissing, InvalidDeploymentMode, UnsupportedOnKServe,
    InferencePoolAPIMissing, InvalidEPPConfig.
    """
    facts = facts or ClusterFacts()
    obj = as_object(svc)
    owner = Owner.of(obj, "NIMService")
    out = Collector()
    if owner.spec.get("inferencePlatform") == "kserve":
        from nimop.render.kserve import render_kserve

        render_kserve(owner, facts, out)
    elif owner.spec.get("multiNode"):
        from nimop.render.multinode import render_multinode

        render_multinode(owner, facts, out)
    else:
        render_standalone(owner, facts, out)
    return out.result(spec_hash(owner.spec))


def render_standalone(owner: Owner, facts: ClusterFacts, out: Collector) -> None:
    """§2.4 order: RBAC, storage, DRA, Service, Ingress, routes, HPA, ServiceMonitor, Deployment."""
    labels = service_labels(owner)
    out.add(*standalone.rbac(owner, labels, facts))
    p = prepare(owner, facts, out)
    select = standalone.selector(owner)
    out.add(standalone.service(owner, labels, p.ports, select))
    out.add(standalone.ingress(owner, labels))
    out.add(*standalone.routes(owner, labels, p.ports, facts, out))
    out.add(standalone.hpa(owner, labels))
    out.add(standalone.service_monitor(owner, labels, standard_labels(owner, PART_OF), p.ports,
                                       facts, out))
    render_epp(owner, labels, p.ports, facts, out)
    if p.storage.volume is None:
        return
    parts = parts_for(p, out)
    main = main_container(owner, parts, child_name(owner.name, "-ctr"),
                          p.ports.container_ports(), probes(owner))
    pod = pod_spec(owner, [main], parts, p.claims.pod)
    dra.add_container_claims(pod["containers"], p.claims)
    pod_labels = merge_maps(labels, select)
    out.add(standalone.deployment(owner, labels, pod_labels, p.pod_annotations, pod))
