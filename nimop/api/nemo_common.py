"""What the five NeMo kinds share: the spec skeleton, database, OpenTelemetry, service endpoints,
the (deprecated) `ExposeV1` and the status.

Mirrors `nemo_common_types.go` and the common fields of the `nemo_*_types.go` files upstream
(§1.6): same field names, types, enums and defaults. Each kind's module adds its own
fields to :class:`NemoSpec` and registers the kind. Upstream had no admission webhook for NeMo;
its CEL rules are kept, reworded to name the field and the fix.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from nimop.api.base import Int32, Int64, K8sModel, Schema
from nimop.api.cel import Rule, is_true, present, rules
from nimop.api.common import Autoscaling, Image, Metrics
from nimop.api.core import core_v1, meta_v1
from nimop.api.expose import ExposeService, Port, Router

#: ``^http`` with a minimum length: upstream's pattern for every service endpoint URL.
HttpEndpoint = Annotated[str, Schema({"minLength": 1, "pattern": "^http"})]
LOG_LEVELS = Literal["INFO", "DEBUG"]
EXPORTERS = Literal["otlp", "console", "none"]


class ServiceEndpoint(K8sModel):
    """The URL of a service this one talks to (data store, entity store, vector DB, MLflow)."""

    endpoint: HttpEndpoint
    """Base URL, e.g. `http://nemodatastore-sample.nemo.svc:8000`."""


class ArgoWorkflows(K8sModel):
    """The Argo Workflows server evaluation jobs run on."""

    endpoint: HttpEndpoint
    """Argo server URL, e.g. `https://argo-workflows-server.nemo.svc:2746`."""
    service_account: str = Field(alias="serviceAccount")
    """ServiceAccount the workflows run as."""


class DatabaseCredentials(K8sModel):
    """Who the service connects to its PostgreSQL database as."""

    user: Annotated[str, Schema({"minLength": 1})]
    """Database user (not a superuser)."""
    secret_name: Annotated[str, Schema({"minLength": 1})] = Field(alias="secretName")
    """Secret holding the user's password."""
    password_key: str = Field("password", alias="passwordKey")
    """Key of the password in that Secret."""


class DatabaseConfig(K8sModel):
    """An external PostgreSQL database."""

    host: Annotated[str, Schema({"minLength": 1})]
    """Host name of the database, e.g. `postgres.nemo.svc`."""
    port: Port = 5432
    """Port of the database."""
    database_name: Annotated[str, Schema({"minLength": 1})] = Field(alias="databaseName")
    """Database of this service."""
    credentials: DatabaseCredentials
    """User and password Secret."""


class ExporterConfig(K8sModel):
    """Which OpenTelemetry exporter each signal uses."""

    traces_exporter: EXPORTERS = Field("otlp", alias="tracesExporter")
    """Traces exporter: otlp, console or none."""
    metrics_exporter: EXPORTERS = Field("otlp", alias="metricsExporter")
    """Metrics exporter: otlp, console or none."""
    logs_exporter: EXPORTERS = Field("otlp", alias="logsExporter")
    """Logs exporter: otlp, console or none."""


class OTelSpec(K8sModel):
    """OpenTelemetry settings of the service (as `OTEL_*` environment variables)."""

    enabled: bool | None = None
    """Turn tracing, metrics and logs export on; off sets `OTEL_SDK_DISABLED=true`."""
    exporter_otlp_endpoint: str | None = Field(None, alias="exporterOtlpEndpoint")
    """OTLP collector endpoint, e.g. `http://otel-collector.observability.svc:4317`."""
    disable_logging: bool | None = Field(None, alias="disableLogging")
    """Turn off Python logging auto-instrumentation."""
    exporter_config: ExporterConfig | None = Field(None, alias="exporterConfig")
    """Exporters per signal."""
    excluded_urls: list[str] = Field(["health"], alias="excludedUrls")
    """URLs not traced."""
    log_level: LOG_LEVELS = Field("INFO", alias="logLevel")
    """OpenTelemetry log level: INFO or DEBUG."""


class ConfigMapRef(K8sModel):
    """A ConfigMap in the CR's namespace."""

    name: Annotated[str, Schema({"minLength": 1})]
    """Name of the ConfigMap."""


class IngressPath(K8sModel):
    """A path of the deprecated NeMo Ingress."""

    path: str = "/"
    """URL path."""
    path_type: str = Field("Prefix", alias="pathType")
    """Exact, Prefix or ImplementationSpecific."""


class IngressSpecV1(K8sModel):
    """The deprecated NeMo Ingress: one host, an IngressClass and paths to the service."""

    host: str | None = None
    """Host name; all hosts when unset."""
    ingress_class_name: Annotated[
        str, Schema({"pattern": r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"})
    ] = Field(alias="ingressClassName")
    """IngressClass, e.g. `nginx`."""
    paths: list[IngressPath] | None = None
    """Paths sent to the service's `api` port."""


class IngressV1(K8sModel):
    """Deprecated: use `spec.expose.router.ingress`. An Ingress to the service."""

    annotations: dict[str, str] | None = None
    """Annotations of the Ingress."""
    enabled: bool | None = None
    """Create the Ingress (needs `spec`)."""
    spec: IngressSpecV1 | None = None
    """Host, class and paths."""

    model_config = rules(
        Rule(
            f"!{is_true('self.enabled')} || has(self.spec)",
            "spec.expose.ingress.spec is required when spec.expose.ingress.enabled is true: "
            "set at least ingressClassName (or use spec.expose.router.ingress)",
            field_path=".spec",
            reason="FieldValueRequired",
        ),
    )


class NemoExpose(K8sModel):
    """How a NeMo service is reached: its Service and an Ingress or HTTP routes."""

    ingress: IngressV1 | None = None
    """Deprecated: use `router.ingress`."""
    router: Router | None = None
    """An Ingress or Gateway API HTTP routes."""
    service: ExposeService | None = None
    """The Service (only `port`, `type`, `labels`, `annotations` apply)."""

    model_config = rules(
        Rule(
            f"!{present('self.service.grpcPort')}",
            "spec.expose.service.grpcPort is not supported by NeMo services: remove it",
            reason="FieldValueForbidden",
        ),
        Rule(
            f"!{present('self.service.metricsPort')}",
            "spec.expose.service.metricsPort is not supported by NeMo services: metrics are "
            "served on the api port; remove it",
            reason="FieldValueForbidden",
        ),
        Rule(
            f"!{is_true('self.router.gateway.grpcRoutesEnabled')}",
            "spec.expose.router.gateway.grpcRoutesEnabled is not supported by NeMo services: "
            "remove it (HTTP routes are created)",
            reason="FieldValueForbidden",
        ),
        Rule(
            f"!{present('self.router.eppConfig')}",
            "spec.expose.router.eppConfig is only supported by NIMService: remove it",
            reason="FieldValueForbidden",
        ),
    )


NEMO_SPEC_RULES = (
    Rule(
        f"!({is_true('self.expose.ingress.enabled')} && {present('self.expose.router.ingress')})",
        "spec.expose.ingress is deprecated and cannot be combined with "
        "spec.expose.router.ingress: remove spec.expose.ingress",
    ),
    Rule(
        f"!({is_true('self.scale.enabled')} && has(self.replicas))",
        "spec.scale.enabled and spec.replicas are mutually exclusive: remove spec.replicas "
        "when autoscaling is on",
        field_path=".replicas",
        reason="FieldValueForbidden",
    ),
)


class NemoSpec(K8sModel):
    """The spec fields every NeMo kind has (§1.6)."""

    affinity: core_v1.Affinity | None = None
    """Pod affinity and anti-affinity."""
    annotations: dict[str, str] | None = None
    """Annotations of the children and pods."""
    args: list[str] | None = None
    """Arguments to the container entrypoint."""
    command: list[str] | None = None
    """Entrypoint of the container; the image's when unset."""
    env: list[core_v1.EnvVar] | None = None
    """Environment variables (they override the operator's)."""
    expose: NemoExpose | None = None
    """Service, Ingress and HTTP routes."""
    group_id: Int64 | None = Field(None, alias="groupID")
    """Group ID of the container (default 2000)."""
    image: Image
    """The service image."""
    labels: dict[str, str] | None = None
    """Labels of the children and pods (the standard labels win)."""
    metrics: Metrics | None = None
    """Prometheus ServiceMonitor."""
    node_selector: dict[str, str] | None = Field(None, alias="nodeSelector")
    """Node selector of the pods."""
    pod_affinity: core_v1.PodAffinity | None = Field(None, alias="podAffinity")
    """Deprecated and ignored: use `affinity.podAffinity`."""
    replicas: Annotated[Int32, Schema({"minimum": 1})] | None = None
    """Number of replicas (default 1); unset with autoscaling."""
    resources: core_v1.ResourceRequirements | None = None
    """Resources of the container."""
    runtime_class: str | None = Field(None, alias="runtimeClass")
    """Runtime class of the pods (note: upstream's name, not `runtimeClassName`)."""
    scale: Autoscaling | None = None
    """Autoscaling with an HPA."""
    tolerations: list[core_v1.Toleration] | None = None
    """Tolerations of the pods."""
    user_id: Int64 | None = Field(None, alias="userID")
    """User ID of the container (default 1000)."""


class NemoStatus(K8sModel):
    """Observed state of a NeMo service."""

    available_replicas: Int32 | None = Field(None, alias="availableReplicas")
    """Replicas ready to serve."""
    conditions: list[meta_v1.Condition] | None = None
    """Conditions: `Ready` and `Failed`."""
    endpoint: str | None = None
    """In-cluster URL of the service API, e.g. `http://nemoentitystore-sample.nemo.svc:8000`
    (what other NeMo services' `endpoint` fields take)."""
    state: str | None = None
    """Ready, NotReady or Failed (upstream values, kept for existing tooling)."""


__all__ = [
    "NEMO_SPEC_RULES",
    "ArgoWorkflows",
    "ConfigMapRef",
    "DatabaseConfig",
    "DatabaseCredentials",
    "ExporterConfig",
    "HttpEndpoint",
    "IngressV1",
    "NemoExpose",
    "NemoSpec",
    "NemoStatus",
    "OTelSpec",
    "ServiceEndpoint",
]
