"""The shared NeMo layer of the renderers: everything the five NeMo kinds render the same way
(§2.8), written once.

A kind's renderer describes what differs — a :class:`NemoKind` (part-of label, container port,
probes, pod selector, the API access its pod needs) and a function that adds its own children
(PVCs, ConfigMaps) and returns its part of the pod (:class:`NemoPod`: env, init containers,
volumes) — and calls :func:`render_nemo`, which renders in upstream's order: ServiceAccount,
Role/RoleBinding (only where the pod needs API access, or the SCC on OpenShift), Service,
Ingress, HTTPRoute, HPA, ServiceMonitor, the kind's own children, Deployment.

The Service, Ingress, routes, HPA, ServiceMonitor, Deployment and pod pieces are NIMService's
(`standalone`, `workload`, `pod`), so both families render them alike. Kind code reads the typed
models (`nimop.api.nemo_*`); the shared pieces read the same models through
`nimop.api.workload.WorkloadSpec`.

Helpers for what several kinds put in their pods: the database env (password by Secret
reference; URIs assembled by Kubernetes from `$(VAR)` so no Secret holds a copy of the password,
§9 item 46), the `wait-for-postgres` init container and the OpenTelemetry env.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from nimop.api import kinds
from nimop.api.expose import ExposeService
from nimop.api.nemo_common import DatabaseConfig, NemoSpec, OTelSpec
from nimop.render import exposure, standalone
from nimop.render.env import env_var, field_env, merge_env, secret_env
from nimop.render.facts import ClusterFacts
from nimop.render.names import child_name, label_value, service_name
from nimop.render.objects import manifest, merge_maps, metadata, standard_labels
from nimop.render.owners import Owner, Resource
from nimop.render.pod import CONTAINER_SECURITY, placement
from nimop.render.rbac import rbac
from nimop.render.result import Child, Collector, Manifest, Rendered
from nimop.render.wire import image_ref, spec_hash, wire
from nimop.render.workload import PodParts, Ports, main_container, pod_annotations, pod_spec

CHILD_KINDS = kinds.keys(kinds.NEMO_CHILDREN)

#: Pinned (upstream pulls an unpinned `busybox`, which changes under you, §9 item 40).
WAIT_IMAGE = "docker.io/library/busybox:1.37.0"
#: Pod selector label sets upstream uses (§2.8), by name.
SELECT_APP = ("app", "app.kubernetes.io/name", "app.kubernetes.io/instance")
SELECT_NAME_INSTANCE = ("app.kubernetes.io/name", "app.kubernetes.io/instance")
SELECT_NAME = ("app.kubernetes.io/name",)
#: The OpenShift SCC a NeMo pod requests (no host paths, no root CA step: NIMService's
#: reasons for a wider one do not apply).
NEMO_SCC = "nonroot"

NemoOwner = Owner[NemoSpec]


class NemoResource(Resource, Protocol):
    """A NeMo custom resource model (`nimop.api.nemo_*`)."""

    @property
    def spec(self) -> NemoSpec: ...


def http_probe(path: str, delay: int, timeout: int, period: int, success: int,
               failures: int) -> dict[str, Any]:
    """An HTTP probe on the `api` port, in upstream's (delay/timeout/period/success/failure)
    notation of §2.8."""
    return {"httpGet": {"path": path, "port": "api"}, "initialDelaySeconds": delay,
            "timeoutSeconds": timeout, "periodSeconds": period, "successThreshold": success,
            "failureThreshold": failures}


#: The probes upstream gives the Data Store and the Guardrail service alike (`/v1/health`).
V1_HEALTH_PROBES: dict[str, dict[str, Any]] = {
    "livenessProbe": http_probe("/v1/health", 15, 1, 10, 1, 3),
    "readinessProbe": http_probe("/v1/health", 15, 1, 10, 1, 3),
    "startupProbe": http_probe("/v1/health", 30, 1, 10, 1, 30),
}


@dataclass(frozen=True)
class NemoKind:
    """What differs between NeMo kinds in the shared children."""

    part_of: str
    """`app.kubernetes.io/part-of` value, e.g. `nemo-entitystore-service`."""
    port: int
    """The container's `api` port (the Service port is `spec.expose.service.port`)."""
    probes: Mapping[str, dict[str, Any]]
    """`livenessProbe`/`readinessProbe`/`startupProbe` of the main container."""
    select: Sequence[str] = SELECT_NAME_INSTANCE
    """Labels selecting the pods (`app` is `<name>`, the others the standard labels)."""
    rules: Sequence[Mapping[str, Any]] = ()
    """RBAC rules the pod needs; none means no Role and no ServiceAccount token in the pod."""
    extra_ports: Sequence[tuple[str, int]] = ()
    """More named container and Service ports (e.g. the customizer's `internal` 9009)."""


@dataclass
class NemoPod:
    """A kind's part of its pod, merged into the shared one."""

    env: list[dict[str, Any]]
    """The operator's env; the user's `spec.env` overrides it by name."""
    init: list[dict[str, Any]] = field(default_factory=list)
    volumes: list[dict[str, Any]] = field(default_factory=list)
    mounts: list[dict[str, Any]] = field(default_factory=list)
    security: dict[str, Any] | None = None
    """Replaces the pod security context derived from `userID`/`groupID`."""
    annotations: dict[str, str] = field(default_factory=dict)
    """Extra pod annotations (e.g. a config hash that rolls the pods)."""


@dataclass(frozen=True)
class NemoContext:
    """What a kind's pod function gets: the owner view, the labels and the facts."""

    owner: NemoOwner
    labels: dict[str, str]
    facts: ClusterFacts

    @property
    def name(self) -> str:
        return self.owner.name

    @property
    def namespace(self) -> str:
        return self.owner.namespace

    def child(self, api_version: str, kind: str, name: str, **body: Any) -> Manifest:
        """A child with the standard labels and the ownerReference."""
        return manifest(api_version, kind, metadata(self.owner, name, self.labels), **body)


#: A kind's part: adds its own children to the collector, returns its pod part, or None when
#: the Deployment cannot be rendered yet (a problem says why).
PodBuilder = Callable[[NemoContext, Collector], NemoPod | None]


def selector(owner: NemoOwner, kind: NemoKind) -> dict[str, str]:
    values = {"app": label_value(owner.name), "app.kubernetes.io/name": label_value(owner.name),
              "app.kubernetes.io/instance": label_value(owner.name)}
    return {key: values[key] for key in kind.select}


def render_nemo(cr: NemoResource, kind: NemoKind, build: PodBuilder,
                facts: ClusterFacts | None = None) -> Rendered:
    """Desired children of a NeMo CR, in upstream's order (module docstring)."""
    facts = facts or ClusterFacts()
    owner = Owner.of(cr, cr.spec)
    out = Collector()
    std = standard_labels(owner, kind.part_of)
    labels = merge_maps(cr.spec.labels, std)
    select = selector(owner, kind)
    ports = Ports.of(owner.spec)
    out.workload = Child(kinds.DEPLOYMENT, child_name(owner.name))
    out.add(*rbac(owner, labels, facts, scc=NEMO_SCC, rules=kind.rules))
    svc = service(owner, labels, ports, select, kind)
    out.add(svc)
    out.service = Child(kinds.SERVICE, svc["metadata"]["name"])
    out.expose(ingress(owner, cr.spec, labels))
    out.expose(*exposure.routes(owner, labels, ports, facts, out))
    out.add(exposure.hpa(owner, labels))
    # the ServiceMonitor selects the Service, by the labels the Service carries
    out.add(exposure.service_monitor(owner, labels, svc["metadata"]["labels"], ports, facts,
                                     out, "/metrics"))
    ctx = NemoContext(owner, labels, facts)
    part = build(ctx, out)
    if part is not None:
        out.add(deployment(owner, cr.spec, labels, select, kind, part, facts))
    return out.result(spec_hash(wire(owner.spec)))


def service(owner: NemoOwner, labels: Mapping[str, str], ports: Ports, select: Mapping[str, str],
            kind: NemoKind) -> Manifest:
    """NIMService's Service, plus the kind's extra ports."""
    svc = exposure.service(owner, labels, ports, select)
    svc["spec"]["ports"] += [{"name": n, "port": p, "targetPort": n, "protocol": "TCP"}
                             for n, p in kind.extra_ports]
    return svc


def ingress(owner: NemoOwner, spec: NemoSpec, labels: Mapping[str, str]) -> Manifest | None:
    """The deprecated NeMo Ingress (`IngressV1`: host, class, paths to the `api` port) when
    enabled; otherwise NIMService's (`router.ingress`)."""
    legacy = spec.expose.ingress if spec.expose else None
    if not (legacy and legacy.enabled and legacy.spec):
        return exposure.router_ingress(owner, labels)
    backend = {"service": {"name": service_name(owner.name), "port": {"name": "api"}}}
    paths = [{"path": p.path, "pathType": p.path_type, "backend": backend}
             for p in legacy.spec.paths or []] or [
        {"path": "/", "pathType": "Prefix", "backend": backend}]
    rule: dict[str, Any] = {"http": {"paths": paths}}
    if legacy.spec.host:
        rule["host"] = legacy.spec.host
    meta = metadata(owner, child_name(owner.name), labels,
                    merge_maps(spec.annotations, legacy.annotations))
    return manifest("networking.k8s.io/v1", "Ingress", meta, spec={
        "ingressClassName": legacy.spec.ingress_class_name, "rules": [rule]})


def deployment(owner: NemoOwner, spec: NemoSpec, labels: Mapping[str, str],
               select: Mapping[str, str], kind: NemoKind, part: NemoPod,
               facts: ClusterFacts) -> Manifest:
    """Deployment `<name>`: container `<name>-ctr` on the `api` port with the kind's env (the
    user's `spec.env` wins), init containers, volumes and probes; NIMService's pod pieces."""
    env = merge_env(part.env, [e.to_dict() for e in spec.env or []])
    resources = spec.resources.to_dict() if spec.resources else None
    parts = PodParts(env, part.volumes, part.mounts, part.init, [], resources,
                     placement(spec, spec.runtime_class))
    ports = [{"name": "api", "containerPort": kind.port, "protocol": "TCP"}]
    ports += [{"name": n, "containerPort": p, "protocol": "TCP"} for n, p in kind.extra_ports]
    main = main_container(owner, parts, child_name(owner.name, "-ctr"), ports, kind.probes)
    pod = pod_spec(owner, [main], parts, security=part.security, automount_token=bool(kind.rules))
    annotations = merge_maps(pod_annotations(spec, facts, NEMO_SCC), part.annotations)
    return standalone.deployment(owner, labels, merge_maps(labels, select), annotations, pod,
                                 select)


def init_container(name: str, image: str, pull_policy: str | None = None,
                   **fields: Any) -> dict[str, Any]:
    """An init container with the restricted security context every nimop container has."""
    ctr: dict[str, Any] = {"name": name, "image": image}
    if pull_policy:
        ctr["imagePullPolicy"] = pull_policy
    ctr.update({k: v for k, v in fields.items() if v})
    ctr["securityContext"] = copy.deepcopy(CONTAINER_SECURITY)
    return ctr


def wait_for_postgres(db: DatabaseConfig) -> dict[str, Any]:
    """`wait-for-postgres`: blocks the migration until the database port answers (§2.8)."""
    script = (f"until nc -z {db.host} {db.port}; do echo waiting for postgres at "
              f"{db.host}:{db.port}; sleep 5; done")
    return init_container("wait-for-postgres", WAIT_IMAGE, "IfNotPresent",
                          command=["sh", "-c", script])


def password_env(name: str, db: DatabaseConfig) -> dict[str, Any]:
    """The database password, by reference to the user's Secret."""
    return secret_env(name, db.credentials.secret_name, db.credentials.password_key)


def postgres_uri(db: DatabaseConfig, password_var: str) -> str:
    """`postgresql://user:$(PASSWORD)@host:port/db`: Kubernetes substitutes the password from
    the env variable `password_var` (which must come earlier in the env), so no Secret of ours
    holds a copy of it (upstream writes the plaintext URI into a Secret it owns, §9 item 46)."""
    return (f"postgresql://{db.credentials.user}:$({password_var})@{db.host}:{db.port}/"
            f"{db.database_name}")


def namespace_env() -> dict[str, Any]:
    return field_env("NAMESPACE", "metadata.namespace")


def otel_env(otel: OTelSpec | None) -> list[dict[str, Any]]:
    """The OpenTelemetry env (§2.8 "OTEL env"): disabled ⇒ `OTEL_SDK_DISABLED`."""
    if otel is None or not otel.enabled:
        return [env_var("OTEL_SDK_DISABLED", "true")]
    exporters = otel.exporter_config
    env = [
        env_var("OTEL_EXPORTER_OTLP_ENDPOINT", otel.exporter_otlp_endpoint or ""),
        env_var("OTEL_TRACES_EXPORTER", exporters.traces_exporter if exporters else "otlp"),
        env_var("OTEL_METRICS_EXPORTER", exporters.metrics_exporter if exporters else "otlp"),
        env_var("OTEL_LOGS_EXPORTER", exporters.logs_exporter if exporters else "otlp"),
        env_var("OTEL_LOG_LEVEL", otel.log_level),
    ]
    if otel.excluded_urls:
        env.append(env_var("OTEL_PYTHON_EXCLUDED_URLS", ",".join(otel.excluded_urls)))
    env.append(env_var("OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED",
                       "false" if otel.disable_logging else "true"))
    return env


def main_image(spec: NemoSpec) -> str:
    return image_ref(spec.image)


def endpoint(name: str, namespace: str, spec: NemoSpec | None) -> str:
    """The in-cluster URL of the service API (what `status.endpoint` reports); the model's
    default port when the spec did not parse."""
    port = exposure.service_of(spec).port if spec is not None else ExposeService().port
    return f"http://{service_name(name)}.{namespace}.svc:{port}"


__all__ = [
    "CHILD_KINDS", "SELECT_APP", "SELECT_NAME", "SELECT_NAME_INSTANCE", "NemoContext",
    "NemoKind", "NemoPod", "NemoResource", "PodBuilder", "endpoint", "http_probe",
    "init_container", "main_image", "namespace_env", "otel_env", "password_env",
    "postgres_uri", "render_nemo", "wait_for_postgres",
]
