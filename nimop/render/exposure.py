"""How a NIMService is reached and scaled (§4.6, §4.8): its Service, Ingress,
Gateway API routes, HPA and ServiceMonitor. Shared by every workload mode (and by the NeMo
services, which are exposed the same way).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nimop.api import kinds
from nimop.api.common import HPA_MIN_REPLICAS
from nimop.api.expose import Expose, ExposeService, Router
from nimop.api.nimservice import NIMServiceSpec
from nimop.api.workload import WorkloadSpec
from nimop.render.facts import ClusterFacts
from nimop.render.names import child_name, service_name
from nimop.render.objects import manifest, merge_maps, metadata
from nimop.render.owners import Owner, ServiceOwner
from nimop.render.result import Child, Collector
from nimop.render.wire import wire
from nimop.render.workload import Ports

GATEWAY = "gateway.networking.k8s.io/v1"


def expose_of(spec: NIMServiceSpec) -> Expose:
    """A NIMService's `spec.expose` (the legacy Ingress is NIMService's alone)."""
    return spec.expose or Expose()


def service_of(spec: WorkloadSpec) -> ExposeService:
    """`spec.expose.service`, with the model's defaults when unset."""
    return (spec.expose.service if spec.expose else None) or ExposeService()


def router_of(spec: WorkloadSpec) -> Router:
    return (spec.expose.router if spec.expose else None) or Router()


def autoscaled(spec: WorkloadSpec) -> bool:
    """`spec.scale.enabled`: the HPA (or KServe's autoscaler) owns the replica count."""
    return spec.scale is not None and bool(spec.scale.enabled)


def service(owner: Owner[WorkloadSpec], labels: Mapping[str, str], ports: Ports,
            pod_selector: Mapping[str, str]) -> dict[str, Any]:
    """Service `<name>` (§4.6): service-specific labels/annotations merge under/over the CR's."""
    svc = service_of(owner.spec)
    lbl = merge_maps(svc.labels, labels)
    ann = merge_maps(owner.spec.annotations, svc.annotations)
    port_list = [{"name": n, "port": p, "targetPort": n, "protocol": "TCP"}
                 for n, p in (("api", ports.api), ("grpc", ports.grpc), ("metrics", ports.metrics))
                 if p]
    return manifest("v1", "Service", metadata(owner, service_name(owner.name), lbl, ann),
                    spec={"type": svc.type or "ClusterIP",
                          "selector": dict(pod_selector), "ports": port_list})


def add_service(owner: ServiceOwner, labels: Mapping[str, str], ports: Ports,
                pod_selector: Mapping[str, str], out: Collector) -> None:
    """Render the Service and name it as the workload's Service in the result."""
    obj = service(owner, labels, ports, pod_selector)
    out.add(obj)
    out.service = Child(kinds.SERVICE, obj["metadata"]["name"])


def host(owner: Owner[WorkloadSpec]) -> str:
    return f"{owner.name}.{owner.namespace}.{router_of(owner.spec).host_domain_name}"


def ingress(owner: ServiceOwner, labels: Mapping[str, str]) -> dict[str, Any] | None:
    """Ingress `<name>`: the legacy verbatim spec, or one host rule from `router.ingress` (§4.6)."""
    legacy = expose_of(owner.spec).ingress
    if legacy is not None and legacy.enabled:
        meta = metadata(owner, child_name(owner.name), labels,
                        merge_maps(owner.spec.annotations, legacy.annotations))
        return manifest("networking.k8s.io/v1", "Ingress", meta, spec=wire(legacy.spec))
    return router_ingress(owner, labels)


def router_ingress(owner: Owner[WorkloadSpec], labels: Mapping[str, str]
                   ) -> dict[str, Any] | None:
    """Ingress `<name>` with one host rule from `router.ingress` (§4.6), when set."""
    router = router_of(owner.spec)
    base_ann = owner.spec.annotations
    if router.ingress is None or not router.ingress.ingress_class:
        return None
    backend = {"service": {"name": service_name(owner.name), "port": {"name": "api"}}}
    spec: dict[str, Any] = {"ingressClassName": router.ingress.ingress_class, "rules": [{
        "host": host(owner),
        "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": backend}]}}]}
    if router.ingress.tls_secret_name:
        spec["tls"] = [{"hosts": [host(owner)], "secretName": router.ingress.tls_secret_name}]
    meta = metadata(owner, child_name(owner.name), labels,
                    merge_maps(base_ann, router.annotations))
    return manifest("networking.k8s.io/v1", "Ingress", meta, spec=spec)


def routes(owner: Owner[WorkloadSpec], labels: Mapping[str, str], ports: Ports, facts: ClusterFacts,
           out: Collector) -> list[dict[str, Any]]:
    """HTTPRoute/GRPCRoute `<name>` to `router.gateway` (§4.6)."""
    router = router_of(owner.spec)
    gw = router.gateway
    if gw is None:
        return []
    http, grpc = gw.http_routes_enabled, gw.grpc_routes_enabled
    if not (http or grpc):
        return []
    if not facts.gateway_api:
        out.problem("GatewayAPIMissing", "spec.expose.router.gateway needs the Gateway API "
                    "(gateway.networking.k8s.io/v1), which this cluster does not serve",
                    failed=True)
        return []
    common = {"parentRefs": [{"name": gw.name, "namespace": gw.namespace}],
              "hostnames": [host(owner)]}
    ann = merge_maps(owner.spec.annotations, router.annotations)
    meta = metadata(owner, child_name(owner.name), labels, ann)
    svc = service_name(owner.name)
    objs = []
    if http:
        backend = wire(gw.backend_ref) if gw.backend_ref else {"name": svc, "port": ports.api}
        rule = {"matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                "backendRefs": [backend]}
        objs.append(manifest(GATEWAY, "HTTPRoute", meta, spec={**common, "rules": [rule]}))
    if grpc:
        if not ports.grpc:
            out.problem("InvalidRouter", "grpcRoutesEnabled needs spec.expose.service.grpcPort",
                        failed=True)
        else:
            rule = {"backendRefs": [{"name": svc, "port": ports.grpc}]}
            objs.append(manifest(GATEWAY, "GRPCRoute", dict(meta), spec={**common,
                                                                        "rules": [rule]}))
    return objs


def hpa(owner: Owner[WorkloadSpec], labels: Mapping[str, str], target_kind: str = "Deployment",
        target_api: str = "apps/v1", target_name: str | None = None) -> dict[str, Any] | None:
    """HPA `<name>` (§4.8); metrics sorted by type as upstream does."""
    scale = owner.spec.scale
    if scale is None or not autoscaled(owner.spec):
        return None
    cfg = scale.hpa
    spec: dict[str, Any] = {
        "scaleTargetRef": {"apiVersion": target_api, "kind": target_kind,
                           "name": target_name or child_name(owner.name)},
        "minReplicas": cfg.min_replicas if cfg else HPA_MIN_REPLICAS,
        "maxReplicas": cfg.max_replicas if cfg else None,
    }
    if cfg and cfg.metrics:
        spec["metrics"] = sorted((wire(m) for m in cfg.metrics),
                                 key=lambda m: str(m.get("type", "")))
    if cfg and cfg.behavior:
        spec["behavior"] = wire(cfg.behavior)
    ann = merge_maps(owner.spec.annotations, scale.annotations)
    return manifest("autoscaling/v2", "HorizontalPodAutoscaler",
                    metadata(owner, child_name(owner.name), labels, ann), spec=spec)


def service_monitor(owner: Owner[WorkloadSpec], labels: Mapping[str, str],
                    select: Mapping[str, str], ports: Ports, facts: ClusterFacts,
                    out: Collector, path: str = "/v1/metrics") -> dict[str, Any] | None:
    """ServiceMonitor `<name>` when `metrics.enabled` (§4.8); desired-set based, so turning
    metrics off removes it (upstream never deletes it, §9 item 30). `path` is the API port's
    metrics path (NIMs serve `/v1/metrics`, NeMo services `/metrics`, §2.8)."""
    metrics = owner.spec.metrics
    if metrics is None or not metrics.enabled:
        return None
    if not facts.service_monitor:
        out.problem("ServiceMonitorAPIMissing", "spec.metrics.enabled needs the ServiceMonitor "
                    "API (monitoring.coreos.com/v1), which this cluster does not serve",
                    failed=True)
        return None
    sm = metrics.service_monitor
    endpoint: dict[str, Any] = {"path": path, "port": "api"}
    if sm and sm.interval:
        endpoint["interval"] = sm.interval
    if sm and sm.scrape_timeout:
        endpoint["scrapeTimeout"] = sm.scrape_timeout
    endpoints = [endpoint] + ([{"path": "/metrics", "port": "metrics"}] if ports.metrics else [])
    meta = metadata(owner, child_name(owner.name),
                    merge_maps(sm.additional_labels if sm else None, labels),
                    merge_maps(owner.spec.annotations, sm.annotations if sm else None))
    return manifest("monitoring.coreos.com/v1", "ServiceMonitor", meta, spec={
        "namespaceSelector": {"matchNames": [owner.namespace]},
        "selector": {"matchLabels": dict(select)}, "endpoints": endpoints,
    })
