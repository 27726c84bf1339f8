"""How a NIMService is reached: its Service, and optionally an Ingress or Gateway API routes
(plus the Gateway API Inference Extension endpoint picker).

Upstream: ``Expose``/``Service``/``Router``/``EPPConfig`` in ``common_types.go`` (§1.1,
§4.6, §4.7). The webhook's router rules (host domain required, gRPC routes need a gRPC port)
are CEL on these types.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field

from nimop.api.base import Byte, Int32, K8sModel, Schema
from nimop.api.cel import Rule, at_most_one, is_true, present, rules
from nimop.api.common import NIMContainerSpec
from nimop.api.core import core_v1, networking_v1

Port = Annotated[Int32, Schema({"minimum": 1, "maximum": 65535})]
HOST_DOMAIN = r"^(([a-z0-9][a-z0-9\-]*[a-z0-9])|[a-z0-9]+\.)*([a-z]+|xn\-\-[a-z0-9]+)\.?$"


class ExposeService(K8sModel):
    """The Kubernetes Service in front of the NIM pods."""

    annotations: dict[str, str] | None = None
    """Annotations of the Service."""
    grpc_port: Port | None = Field(None, alias="grpcPort")
    """gRPC port, for NIMs running a Triton gRPC server (e.g. 8001)."""
    labels: dict[str, str] | None = None
    """Extra labels of the Service (the standard labels win)."""
    metrics_port: Port | None = Field(None, alias="metricsPort")
    """Separate metrics port, for NIMs running Triton metrics (e.g. 8002)."""
    name: str | None = None
    """Ignored upstream; the Service is named like the NIMService."""
    port: Port = 8000
    """Main HTTP API port."""
    type: str | None = None
    """Service type: ClusterIP (default), NodePort or LoadBalancer."""


class LegacyIngress(K8sModel):
    """Deprecated: use `spec.expose.router`. A raw Ingress spec used verbatim when enabled."""

    annotations: dict[str, str] | None = None
    """Annotations of the Ingress."""
    enabled: bool | None = None
    """Create the Ingress."""
    spec: networking_v1.IngressSpec | None = None
    """The Ingress spec (networking.k8s.io/v1)."""


class RouterIngress(K8sModel):
    """An Ingress for `<name>.<namespace>.<hostDomainName>`."""

    ingress_class: Annotated[str, Schema({"minLength": 1})] = Field(alias="ingressClass")
    """IngressClass to use, e.g. `nginx`."""
    tls_secret_name: str | None = Field(None, alias="tlsSecretName")
    """Secret with the TLS certificate and key."""


class BackendRef(K8sModel):
    """Gateway API BackendRef (gateway.networking.k8s.io/v1): where routes send traffic."""

    group: Annotated[
        str,
        Schema(
            {
                "maxLength": 253,
                "pattern": r"^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$",
            }
        ),
    ] = ""
    """API group of the referent; empty is the core group."""
    kind: Annotated[
        str,
        Schema(
            {"minLength": 1, "maxLength": 63, "pattern": r"^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$"}
        ),
    ] = "Service"
    """Kind of the referent, e.g. Service or InferencePool."""
    name: Annotated[str, Schema({"minLength": 1, "maxLength": 253})]
    """Name of the referent."""
    namespace: (
        Annotated[
            str,
            Schema(
                {"minLength": 1, "maxLength": 63, "pattern": r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"}
            ),
        ]
        | None
    ) = None
    """Namespace of the referent; the route's when unset."""
    port: Port | None = None
    """Port of the referent; required for a Service."""
    weight: Annotated[Int32, Schema({"minimum": 0, "maximum": 1000000})] = 1
    """Share of traffic among backends."""

    model_config = rules(
        Rule(
            "(size(self.group) == 0 && self.kind == 'Service') ? has(self.port) : true",
            "gateway.backendRef.port is required when the backend is a Service",
            field_path=".port",
            reason="FieldValueRequired",
        )
    )


class Gateway(K8sModel):
    """Gateway API routes attached to an existing Gateway."""

    backend_ref: BackendRef | None = Field(None, alias="backendRef")
    """Backend of the routes; the NIMService's Service by default."""
    grpc_routes_enabled: bool = Field(False, alias="grpcRoutesEnabled")
    """Create a GRPCRoute (needs `spec.expose.service.grpcPort`)."""
    http_routes_enabled: bool = Field(True, alias="httpRoutesEnabled")
    """Create an HTTPRoute."""
    name: Annotated[str, Schema({"minLength": 1})]
    """Name of the Gateway."""
    namespace: Annotated[str, Schema({"minLength": 1})]
    """Namespace of the Gateway."""


class PluginSpec(K8sModel):
    """An endpoint-picker plugin instance."""

    name: str | None = None
    """Instance name; the type when unset."""
    parameters: Byte | None = None
    """Plugin parameters (raw JSON)."""
    type: str
    """Plugin type."""


class SchedulingPlugin(K8sModel):
    """A plugin used by a scheduling profile."""

    plugin_ref: str = Field(alias="pluginRef")
    """Name of the plugin instance."""
    weight: int | None = None
    """Weight of a scorer plugin."""


class SchedulingProfile(K8sModel):
    """A named set of filter/scorer/picker plugins."""

    name: str
    """Profile name."""
    plugins: list[SchedulingPlugin]
    """Plugins of the profile."""


class SaturationDetector(K8sModel):
    """Thresholds above which the pool is considered saturated."""

    kv_cache_util_threshold: float | None = Field(None, alias="kvCacheUtilThreshold")
    """KV-cache utilisation threshold (0 to 1)."""
    metrics_staleness_threshold: str | None = Field(None, alias="metricsStalenessThreshold")
    """Maximum age of metrics, a duration."""
    queue_depth_threshold: int | None = Field(None, alias="queueDepthThreshold")
    """Queue depth threshold."""


class DataExtractor(K8sModel):
    """An extractor of a data source."""

    plugin_ref: str = Field(alias="pluginRef")
    """Extractor plugin instance."""


class DataSource(K8sModel):
    """A data source plugin with its extractors."""

    extractors: list[DataExtractor]
    """Extractors reading this source."""
    plugin_ref: str = Field(alias="pluginRef")
    """Source plugin instance."""


class DataLayerConfig(K8sModel):
    """Data layer of the endpoint picker."""

    sources: list[DataSource]
    """Data sources."""


class EndpointPickerConfig(K8sModel):
    """Gateway API Inference Extension EndpointPickerConfig; unknown fields are kept as-is."""

    api_version: str | None = Field(None, alias="apiVersion")
    """API version of the config."""
    data: DataLayerConfig | None = None
    """Data layer."""
    feature_gates: list[str] | None = Field(None, alias="featureGates")
    """Feature gates of the endpoint picker."""
    kind: str | None = None
    """Kind of the config (EndpointPickerConfig)."""
    plugins: list[PluginSpec]
    """Plugin instances."""
    saturation_detector: SaturationDetector | None = Field(None, alias="saturationDetector")
    """Saturation detection."""
    scheduling_profiles: list[SchedulingProfile] = Field(alias="schedulingProfiles")
    """Scheduling profiles."""

    model_config = ConfigDict(json_schema_extra={"x-kubernetes-preserve-unknown-fields": True})


class EPPConfig(K8sModel):
    """Endpoint picker (Gateway API Inference Extension) in front of a standalone NIMService."""

    config: EndpointPickerConfig | None = None
    """The picker configuration, written to a ConfigMap by the operator."""
    config_map_ref: core_v1.ConfigMapKeySelector | None = Field(None, alias="configMapRef")
    """Your ConfigMap key holding the configuration YAML."""
    container_spec: NIMContainerSpec = Field(alias="containerSpec")
    """The endpoint-picker container."""
    liveness_probe: core_v1.Probe | None = Field(None, alias="livenessProbe")
    """Liveness probe of the picker."""
    ports: list[core_v1.ContainerPort] | None = None
    """Ports of the picker container."""
    readiness_probe: core_v1.Probe | None = Field(None, alias="readinessProbe")
    """Readiness probe of the picker."""
    startup_probe: core_v1.Probe | None = Field(None, alias="startupProbe")
    """Startup probe of the picker."""

    model_config = rules(
        Rule(
            "(has(self.configMapRef) ? 1 : 0) + (has(self.config) ? 1 : 0) == 1",
            "set exactly one of spec.expose.router.eppConfig.config and "
            "spec.expose.router.eppConfig.configMapRef",
        )
    )


class Router(K8sModel):
    """Routes to the service from outside: an Ingress or Gateway API routes (not both)."""

    annotations: dict[str, str] | None = None
    """Annotations of the Ingress or routes."""
    epp_config: EPPConfig | None = Field(None, alias="eppConfig")
    """Endpoint picker; standalone platform only."""
    gateway: Gateway | None = None
    """Gateway API routes."""
    host_domain_name: (
        Annotated[str, Schema({"minLength": 1, "maxLength": 63, "pattern": HOST_DOMAIN})] | None
    ) = Field(None, alias="hostDomainName")
    """Domain of the host name `<name>.<namespace>.<hostDomainName>`; required with ingress or
    gateway."""
    ingress: RouterIngress | None = None
    """An Ingress."""

    model_config = rules(
        at_most_one(
            "spec.expose.router",
            ["ingress", "gateway"],
            ": choose an Ingress or Gateway API routes",
        ),
        Rule(
            "!(has(self.ingress) || has(self.gateway)) || has(self.hostDomainName)",
            "spec.expose.router.hostDomainName is required with router.ingress or "
            "router.gateway, e.g. hostDomainName: example.com",
            field_path=".hostDomainName",
            reason="FieldValueRequired",
        ),
    )


class Expose(K8sModel):
    """How the NIM is exposed: a Service, and optionally a router or legacy Ingress."""

    ingress: LegacyIngress | None = None
    """Deprecated: use `router.ingress`."""
    router: Router | None = None
    """Ingress or Gateway API routes."""
    service: ExposeService | None = None
    """The Service."""

    model_config = rules(
        Rule(
            f"!{is_true('self.router.gateway.grpcRoutesEnabled')} || "
            f"{present('self.service.grpcPort')}",
            "spec.expose.service.grpcPort is required when "
            "spec.expose.router.gateway.grpcRoutesEnabled is true",
            reason="FieldValueRequired",
        ),
    )
