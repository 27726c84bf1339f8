"""NIMService on KServe: an InferenceService `<name>` (`serving.kserve.io/v1beta1`) in Standard
(RawDeployment) or Knative (Serverless) mode (§2.5, §4.5; kserve/kserve `pkg/apis/serving/v1beta1`).

The mode of an existing InferenceService is never changed (KServe rejects it): the live mode
from the facts wins over the annotation, which wins over KServe's configured default.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nimop.api import kinds
from nimop.render import dra, exposure
from nimop.render.facts import KSERVE_KNATIVE_MODES, KSERVE_MODES, ClusterFacts
from nimop.render.names import child_name, label_value
from nimop.render.objects import manifest, merge_maps, metadata
from nimop.render.owners import ServiceOwner
from nimop.render.pod import default_probe, probe, probe_config
from nimop.render.prepare import Prepared, parts_for, prepare, probes, service_labels
from nimop.render.rbac import rbac
from nimop.render.result import Child, Collector
from nimop.render.wire import wire
from nimop.render.workload import main_container, pod_spec, required_scc

ISVC_API = "serving.kserve.io/v1beta1"
MODE_KEY = "serving.kserve.io/deploymentMode"
VISIBILITY = "networking.kserve.io/visibility"


def resolve_mode(owner: ServiceOwner, facts: ClusterFacts, out: Collector) -> str | None:
    """status.deploymentMode > annotation (minus disallowed keys) > KServe default > Standard.
    Spellings pass through unchanged (ODH accepts only the legacy ones)."""
    live = facts.inference_service_mode(owner.namespace, owner.name)
    if live:
        return live
    ann = {k: v for k, v in (owner.spec.annotations or {}).items()
           if k not in facts.kserve_disallowed_annotations}
    for source, mode in ((f"annotation {MODE_KEY}", ann.get(MODE_KEY)),
                         ("KServe's defaultDeploymentMode", facts.kserve_default_mode)):
        if mode:
            if mode not in KSERVE_MODES:
                out.problem("InvalidDeploymentMode", f"{source}: {mode!r} is not one of "
                            f"{sorted(KSERVE_MODES)}", failed=True)
                return None
            return str(mode)
    return "Standard"


def knative_conflicts(owner: ServiceOwner) -> list[str]:
    """Fields KServe's Knative mode cannot honour (upstream webhook rules, §4.5)."""
    spec = owner.spec
    legacy, router = exposure.expose_of(spec).ingress, exposure.router_of(spec)
    checks = [("spec.scale.enabled", exposure.autoscaled(spec)),
              ("spec.expose.ingress.enabled", legacy is not None and legacy.enabled),
              ("spec.expose.router.ingress", router.ingress is not None),
              ("spec.expose.router.gateway", router.gateway is not None),
              ("spec.metrics.enabled", spec.metrics is not None and spec.metrics.enabled)]
    return [name for name, value in checks if value]


def render_kserve(owner: ServiceOwner, facts: ClusterFacts, out: Collector) -> None:
    labels = service_labels(owner)
    out.workload = Child(kinds.ISVC, child_name(owner.name))
    if owner.spec.multi_node is not None:
        out.problem("UnsupportedOnKServe", "spec.multiNode is not supported with "
                    "inferencePlatform: kserve", failed=True)
        return
    if not facts.kserve:
        out.problem("InferenceServiceAPIMissing", "inferencePlatform: kserve needs the KServe "
                    "InferenceService API (serving.kserve.io/v1beta1); install KServe", failed=True)
        return
    mode = resolve_mode(owner, facts, out)
    if mode is None:
        return
    knative = mode in KSERVE_KNATIVE_MODES
    bad = knative_conflicts(owner) if knative else []
    if bad:
        out.problem("UnsupportedOnKServe", f"KServe {mode} mode does not support "
                    f"{', '.join(bad)}", failed=True)
        return
    out.add(*rbac(owner, labels, facts, scc=required_scc(owner.spec)))
    p = prepare(owner, facts, out)
    if not knative:
        out.add(exposure.service_monitor(owner, labels, labels, p.ports, facts, out))
    if p.storage.volume is not None:
        out.add(inference_service(p, labels, mode, knative, out))


def isvc_labels(owner: ServiceOwner, labels: Mapping[str, str]) -> dict[str, str]:
    """`networking.kserve.io/visibility: cluster-local` unless the user chose, or an ingress is
    enabled (§4.5)."""
    out = dict(labels)
    legacy = exposure.expose_of(owner.spec).ingress
    ingress = (legacy is not None and legacy.enabled) or exposure.router_of(owner.spec).ingress
    if VISIBILITY not in out and not ingress:
        out[VISIBILITY] = "cluster-local"
    return out


def isvc_annotations(owner: ServiceOwner, mode: str, knative: bool) -> dict[str, str]:
    ann = merge_maps(owner.spec.annotations, {
        "serving.kserve.io/enable-metric-aggregation": "true",
        "serving.kserve.io/enable-prometheus-scraping": "true",
    })
    ann[MODE_KEY] = mode
    if not knative and exposure.autoscaled(owner.spec):
        ann["serving.kserve.io/autoscalerClass"] = "hpa"
    return ann


def scaling(owner: ServiceOwner) -> dict[str, Any]:
    """Standard mode replica and scale fields (§4.5, §7.2 KServe checklist)."""
    spec = owner.spec
    if not exposure.autoscaled(spec):
        replicas = spec.replicas
        return {} if replicas is None else {"minReplicas": replicas, "maxReplicas": replicas}
    hpa = spec.scale.hpa if spec.scale else None
    out: dict[str, Any] = {"minReplicas": hpa.min_replicas if hpa else 1,
                           "maxReplicas": hpa.max_replicas if hpa else None}
    for metric in (hpa.metrics if hpa else None) or []:
        res = metric.resource
        if metric.type != "Resource" or res is None or res.name not in ("cpu", "memory"):
            continue
        target = res.target
        out["scaleMetric"] = res.name
        out["scaleMetricType"] = target.type
        value = target.average_utilization or target.average_value or target.value
        if value is not None and str(value).isdigit():
            out["scaleTarget"] = int(str(value))
        break
    return {k: v for k, v in out.items() if v is not None}


def knative_probes(owner: ServiceOwner, grpc_port: int | None, api_port: int) -> dict[str, Any]:
    """Knative variant (§4.1.1): numeric port, gRPC probe when a gRPC port exists, startup
    failureThreshold 30."""
    result: dict[str, Any] = {}
    for kind in ("livenessProbe", "readinessProbe", "startupProbe"):
        cfg = probe_config(owner.spec, kind)
        user = probe(cfg, kind, api_port)
        if user is None or (cfg is not None and cfg.probe is not None and wire(cfg.probe)):
            result[kind] = user
            continue
        prb = default_probe(kind, api_port)
        if grpc_port:
            prb.pop("httpGet")
            prb["grpc"] = {"port": grpc_port}
        if kind == "startupProbe":
            prb["failureThreshold"] = 30
        result[kind] = prb
    return result


#: Pod-level fields Knative Serving also accepts per container (its webhook refuses a pod
#: securityContext unless the `kubernetes.podspec-securitycontext` feature is on, PR #547/#619).
_PER_CONTAINER = ("runAsNonRoot", "runAsUser", "runAsGroup", "seccompProfile")


def _container_level_security(pod: dict[str, Any]) -> None:
    """Knative mode: move the pod securityContext onto every container, so the pod still
    passes Pod Security `restricted`. `fsGroup` has no per-container form and is dropped:
    volume group ownership then comes from the image (documented in docs/security.md)."""
    pod_sc = pod.pop("securityContext", None) or {}
    moved = {k: pod_sc[k] for k in _PER_CONTAINER if k in pod_sc}
    for group in ("initContainers", "containers"):
        for ctr in pod.get(group) or ():
            ctr["securityContext"] = {**moved, **(ctr.get("securityContext") or {})}


#: The name KServe's defaulting webhook gives a custom predictor's only container (and the one its
#: controller looks for among several): rendered as is, so the stored InferenceService matches
#: what nimop applies and no sync fights the webhook over the name (KServe v0.16
#: `CustomPredictor.Default`, found with KServe's own controller in the local cluster).
PREDICTOR_CONTAINER = "kserve-container"


def inference_service(p: Prepared, labels: Mapping[str, str], mode: str, knative: bool,
                      out: Collector) -> dict[str, Any]:
    """Command/args are rendered (upstream drops them, §9 bug 16); init/sidecar containers get
    the NIM env, not the multi-node one (§9 bug 15). Knative allows a single container port."""
    owner = p.owner
    parts = parts_for(p, out)
    if knative:
        ports = [{"containerPort": p.ports.api, "protocol": "TCP"}]
        prb = knative_probes(owner, p.ports.grpc, p.ports.api)
    else:
        ports, prb = p.ports.container_ports(), probes(owner)
    main = main_container(owner, parts, PREDICTOR_CONTAINER, ports, prb)
    pod = pod_spec(owner, [main], parts, p.claims.pod)
    dra.add_container_claims(pod["containers"], p.claims)
    predictor: dict[str, Any] = {}
    if knative:
        _container_level_security(pod)
    else:
        predictor |= scaling(owner)
        predictor["deploymentStrategy"] = {
            "type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": 0}}
    predictor["labels"] = {"app": label_value(owner.name)}
    if p.pod_annotations:
        predictor["annotations"] = dict(p.pod_annotations)
    predictor |= pod
    meta = metadata(owner, child_name(owner.name), isvc_labels(owner, labels),
                    isvc_annotations(owner, mode, knative))
    return manifest(ISVC_API, "InferenceService", meta, spec={"predictor": predictor})
