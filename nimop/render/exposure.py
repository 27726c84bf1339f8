"""How a NIMService is reached and scaled (§4.6, §4.8): its Service, Ingress,
Gateway API routes, HPA and ServiceMonitor. Shared by every workload mode (and by the NeMo
services, which are exposed the same way).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nimop.api import kinds
from nimop.render.common import (
    Owner,
    child_name,
    get,
    manifest,
    merge_maps,
    metadata,
    service_name,
)
from nimop.render.facts import ClusterFacts
from nimop.render.result import Child, Collector
from nimop.render.workload import Ports

GATEWAY = "gateway.networking.k8s.io/v1"


def service(owner: Owner, labels: Mapping[str, str], ports: Ports,
            pod_selector: Mapping[str, str]) -> dict[str, Any]:
    """Service `<name>` (§4.6): service-specific labels/annotations merge under/over the CR's."""
    svc = get(owner.spec, "expose.service") or {}
    lbl = merge_maps(svc.get("labels"), labels)
    ann = merge_maps(owner.spec.get("annotations"), svc.get("annotations"))
    port_list = [{"name": n, "port": p, "targetPort": n, "protocol": "TCP"}
                 for n, p in (("api", ports.api), ("grpc", ports.grpc), ("metrics", ports.metrics))
                 if p]
    return manifest("v1", "Service", metadata(owner, service_name(owner.name), lbl, ann),
                    spec={"type": svc.get("type") or "ClusterIP",
                          "selector": dict(pod_selector), "ports": port_list})


def add_service(owner: Owner, labels: Mapping[str, str], ports: Ports,
                pod_selector: Mapping[str, str], out: Collector) -> None:
    """Render the Service and name it as the workload's Service in the result."""
    obj = service(owner, labels, ports, pod_selector)
    out.add(obj)
    out.service = Child(kinds.SERVICE, obj["metadata"]["name"])


def host(owner: Owner) -> str:
    return f"{owner.name}.{owner.namespace}.{get(owner.spec, 'expose.router.hostDomainName')}"


def ingress(owner: Owner, labels: Mapping[str, str]) -> dict[str, Any] | None:
    """Ingress `<name>`: the legacy verbatim spec, or one host rule from `router.ingress` (§4.6)."""
    legacy = get(owner.spec, "expose.ingress") or {}
    router = get(owner.spec, "expose.router") or {}
    base_ann = owner.spec.get("annotations")
    if legacy.get("enabled"):
        meta = metadata(owner, child_name(owner.name), labels,
                        merge_maps(base_ann, legacy.get("annotations")))
        return manifest("networking.k8s.io/v1", "Ingress", meta, spec=legacy.get("spec") or {})
    cls = get(router, "ingress.ingressClass")
    if not cls:
        return None
    backend = {"service": {"name": service_name(owner.name), "port": {"name": "api"}}}
    spec: dict[str, Any] = {"ingressClassName": cls, "rules": [{"host": host(owner), "http": {
        "paths": [{"path": "/", "pathType": "Prefix", "backend": backend}]}}]}
    if get(router, "ingress.tlsSecretName"):
        spec["tls"] = [{"hosts": [host(owner)], "secretName": router["ingress"]["tlsSecretName"]}]
    meta = metadata(owner, child_name(owner.name), labels,
                    merge_maps(base_ann, router.get("annotations")))
    return manifest("networking.k8s.io/v1", "Ingress", meta, spec=spec)


def routes(owner: Owner, labels: Mapping[str, str], ports: Ports, facts: ClusterFacts,
           out: Collector) -> list[dict[str, Any]]:
    """HTTPRoute/GRPCRoute `<name>` to `router.gateway` (§4.6)."""
    gw = get(owner.spec, "expose.router.gateway")
    if not gw:
        return []
    http, grpc = gw.get("httpRoutesEnabled", True), gw.get("grpcRoutesEnabled", False)
    if not (http or grpc):
        return []
    if not facts.gateway_api:
        out.problem("GatewayAPIMissing", "spec.expose.router.gateway needs the Gateway API "
                    "(gateway.networking.k8s.io/v1), which this cluster does not serve",
                    failed=True)
        return []
    common = {"parentRefs": [{"name": gw["name"], "namespace": gw["namespace"]}],
              "hostnames": [host(owner)]}
    ann = merge_maps(owner.spec.get("annotations"), get(owner.spec, "expose.router.annotations"))
    meta = metadata(owner, child_name(owner.name), labels, ann)
    svc = service_name(owner.name)
    objs = []
    if http:
        backend = dict(gw["backendRef"]) if gw.get("backendRef") else {"name": svc,
                                                                       "port": ports.api}
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


def hpa(owner: Owner, labels: Mapping[str, str], target_kind: str = "Deployment",
        target_api: str = "apps/v1", target_name: str | None = None) -> dict[str, Any] | None:
    """HPA `<name>` (§4.8); metrics sorted by type as upstream does."""
    scale = owner.spec.get("scale") or {}
    if not scale.get("enabled"):
        return None
    cfg = scale.get("hpa") or {}
    spec: dict[str, Any] = {
        "scaleTargetRef": {"apiVersion": target_api, "kind": target_kind,
                           "name": target_name or child_name(owner.name)},
        "minReplicas": cfg.get("minReplicas", 1), "maxReplicas": cfg.get("maxReplicas"),
    }
    if cfg.get("metrics"):
        spec["metrics"] = sorted(cfg["metrics"], key=lambda m: str(m.get("type", "")))
    if cfg.get("behavior"):
        spec["behavior"] = cfg["behavior"]
    ann = merge_maps(owner.spec.get("annotations"), scale.get("annotations"))
    return manifest("autoscaling/v2", "HorizontalPodAutoscaler",
                    metadata(owner, child_name(owner.name), labels, ann), spec=spec)


def service_monitor(owner: Owner, labels: Mapping[str, str], select: Mapping[str, str],
                    ports: Ports, facts: ClusterFacts, out: Collector,
                    path: str = "/v1/metrics") -> dict[str, Any] | None:
    """ServiceMonitor `<name>` when `metrics.enabled` (§4.8); desired-set based, so turning
    metrics off removes it (upstream never deletes it, §9 item 30). `path` is the API port's
    metrics path (NIMs serve `/v1/metrics`, NeMo services `/metrics`, §2.8)."""
    metrics = owner.spec.get("metrics") or {}
    if not metrics.get("enabled"):
        return None
    if not facts.service_monitor:
        out.problem("ServiceMonitorAPIMissing", "spec.metrics.enabled needs the ServiceMonitor "
                    "API (monitoring.coreos.com/v1), which this cluster does not serve",
                    failed=True)
        return None
    sm = metrics.get("serviceMonitor") or {}
    endpoint: dict[str, Any] = {"path": path, "port": "api"}
    for key in ("interval", "scrapeTimeout"):
        if sm.get(key):
            endpoint[key] = sm[key]
    endpoints = [endpoint] + ([{"path": "/metrics", "port": "metrics"}] if ports.metrics else [])
    meta = metadata(owner, child_name(owner.name), merge_maps(sm.get("additionalLabels"), labels),
                    merge_maps(owner.spec.get("annotations"), sm.get("annotations")))
    return manifest("monitoring.coreos.com/v1", "ServiceMonitor", meta, spec={
        "namespaceSelector": {"matchNames": [owner.namespace]},
        "selector": {"matchLabels": dict(select)}, "endpoints": endpoints,
    })
