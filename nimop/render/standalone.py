"""Standalone NIMService (§2.4, §4.1): a Deployment `<name>` behind its Service,
with RBAC, storage, DRA, Ingress, routes, HPA, ServiceMonitor and the endpoint picker."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nimop.api import kinds
from nimop.api.workload import WorkloadSpec
from nimop.render import dra, exposure
from nimop.render.epp import render_epp
from nimop.render.facts import ClusterFacts
from nimop.render.names import child_name, label_value
from nimop.render.objects import manifest, merge_maps, metadata, standard_labels
from nimop.render.owners import Owner, ServiceOwner
from nimop.render.prepare import PART_OF, parts_for, prepare, probes, service_labels
from nimop.render.rbac import rbac
from nimop.render.result import Child, Collector
from nimop.render.workload import main_container, pod_spec, required_scc


def render_standalone(owner: ServiceOwner, facts: ClusterFacts, out: Collector) -> None:
    """§2.4 order: RBAC, storage, DRA, Service, Ingress, routes, HPA, ServiceMonitor, Deployment."""
    labels = service_labels(owner)
    out.workload = Child(kinds.DEPLOYMENT, child_name(owner.name))
    out.add(*rbac(owner, labels, facts, scc=required_scc(owner.spec)))
    p = prepare(owner, facts, out)
    select = selector(owner)
    exposure.add_service(owner, labels, p.ports, select, out)
    out.expose(exposure.ingress(owner, labels))
    out.expose(*exposure.routes(owner, labels, p.ports, facts, out))
    out.add(exposure.hpa(owner, labels))
    out.add(exposure.service_monitor(owner, labels, standard_labels(owner, PART_OF), p.ports,
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
    out.add(deployment(owner, labels, pod_labels, p.pod_annotations, pod))


def selector(owner: Owner[object]) -> dict[str, str]:
    """The pod selector (C12: always `app: <name>`), kept for compatibility with upstream."""
    return {"app": label_value(owner.name)}


def deployment(owner: Owner[WorkloadSpec], labels: Mapping[str, str],
               pod_labels: Mapping[str, str], pod_annotations: Mapping[str, str],
               pod: dict[str, Any], select: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Deployment `<name>` (§4.1). `replicas` is omitted when autoscaling is on so the HPA owns
    it (upstream copies the live value back to avoid a fight, §2.4); otherwise `spec.replicas`.
    `select` is the pod selector (NIMService: `app: <name>`; each NeMo kind has its own)."""
    spec: dict[str, Any] = {}
    if not exposure.autoscaled(owner.spec) and owner.spec.replicas is not None:
        spec["replicas"] = owner.spec.replicas
    template: dict[str, Any] = {"labels": dict(pod_labels)}
    if pod_annotations:
        template["annotations"] = dict(pod_annotations)
    spec |= {
        "selector": {"matchLabels": dict(select) if select else selector(owner)},
        "strategy": {"type": "RollingUpdate",
                     "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": 0}},
        "template": {"metadata": template, "spec": pod},
    }
    meta = metadata(owner, child_name(owner.name), labels, owner.spec.annotations)
    return manifest("apps/v1", "Deployment", meta, spec=spec)
