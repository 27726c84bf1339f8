"""Types shared by several kinds: image, storage, proxy, containers, probes, metrics, scaling.

Mirrors `api/apps/v1alpha1/common_types.go` upstream (field names, types, defaults); the CEL
rules add what the upstream admission webhook checked, so no webhook is needed.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from nimop.api.base import Int32, K8sModel, Schema
from nimop.api.cel import Rule, is_true, one_of_values, rules, validations
from nimop.api.core import autoscaling_v2, core_v1
from nimop.api.gozero import is_set

#: Bounds that keep CEL cost estimates under the apiserver budget; generous for real input.
MAX_NAME = 253
MAX_URL = 2048
MAX_LIST = 64

DURATION_PATTERN = (
    r"^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$"
)
ACCESS_MODES = ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"]
# One noProxy entry: a host name (optionally ".suffix" or "*.suffix"), IPv4[:port],
# [IPv6][:port] or a CIDR — the forms the upstream webhook accepted.
NO_PROXY_TOKEN = (
    r"^(\*|\*?\.?[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?(:[0-9]{1,5})?"
    r"|[0-9]{1,3}(\.[0-9]{1,3}){3}(:[0-9]{1,5}|/[0-9]{1,2})?"
    r"|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(/[0-9]{1,3})?)$"
)


def _proxy_url_rule(path: str) -> Schema:
    """http(s) scheme required on proxy URLs, as the upstream webhook demanded."""
    return validations(
        Rule(
            "isURL(self) && url(self).getScheme() in ['http', 'https']",
            f"{path} must be an http:// or https:// URL, e.g. http://proxy.example.com:3128",
        )
    )


class Image(K8sModel):
    """The container image of a NIM or helper container: `repository:tag`."""

    repository: Annotated[str, Schema({"minLength": 1})]
    """Image repository, e.g. `nvcr.io/nim/meta/llama-3.1-8b-instruct`."""
    tag: Annotated[str, Schema({"minLength": 1})]
    """Image tag, e.g. `1.12.0`. Quote numeric-looking tags in YAML."""
    pull_policy: str | None = Field(None, alias="pullPolicy")
    """Kubernetes image pull policy: Always, IfNotPresent or Never."""
    pull_secrets: list[str] | None = Field(None, alias="pullSecrets")
    """Names of image pull secrets (e.g. an `nvcr.io` docker-registry secret)."""

    @property
    def image(self) -> str:
        """The image reference as a Pod expects it."""
        return f"{self.repository}:{self.tag}"


HttpProxy = Annotated[str, Schema({"maxLength": MAX_URL}), _proxy_url_rule("spec.proxy.httpProxy")]
HttpsProxy = Annotated[
    str, Schema({"maxLength": MAX_URL}), _proxy_url_rule("spec.proxy.httpsProxy")
]


class ProxySpec(K8sModel):
    """Outbound HTTP(S) proxy and custom CA certificates for pods that download models."""

    cert_config_map: str | None = Field(None, alias="certConfigMap")
    """ConfigMap with custom CA certificates (PEM) to trust; mounted and installed in pods."""
    http_proxy: HttpProxy | None = Field(None, alias="httpProxy")
    """Proxy for http:// requests (`HTTP_PROXY`), e.g. `http://proxy.example.com:3128`."""
    https_proxy: HttpsProxy | None = Field(None, alias="httpsProxy")
    """Proxy for https:// requests (`HTTPS_PROXY`)."""
    no_proxy: Annotated[str, Schema({"maxLength": MAX_URL})] | None = Field(None, alias="noProxy")
    """Comma-separated hosts, domains (`.example.com`), IPs and CIDRs that bypass the proxy."""


class CertConfig(K8sModel):
    """Deprecated custom CA configuration of NIMCache; use `spec.proxy.certConfigMap`."""

    name: str
    """ConfigMap holding the certificates."""
    mount_path: str = Field(alias="mountPath")
    """Where the certificates are mounted."""


class PersistentVolumeClaim(K8sModel):
    """A PVC to hold model files: created by the operator (`create: true`) or existing."""

    annotations: dict[str, str] | None = None
    """Annotations for a created PVC."""
    create: bool | None = None
    """Create the PVC (named `name`, default `<cr-name>-pvc`). If false, `name` must
    reference an existing PVC."""
    name: str | None = None
    """Name of the PVC. Required when `create` is not true."""
    size: (
        Annotated[
            str,
            Schema({"maxLength": 64}),
            validations(
                Rule(
                    "isQuantity(self)",
                    "storage.pvc.size must be a Kubernetes quantity such as 50Gi",
                )
            ),
        ]
        | None
    ) = None
    """Size of a created PVC, as a quantity (e.g. `50Gi`). Required when `create` is true."""
    storage_class: str | None = Field(None, alias="storageClass")
    """StorageClass of a created PVC; empty uses the cluster default."""
    sub_path: str | None = Field(None, alias="subPath")
    """Path inside the PVC to mount."""
    volume_access_mode: (
        Annotated[
            str,
            validations(one_of_values("storage.pvc.volumeAccessMode", ACCESS_MODES)),
        ]
        | None
    ) = Field(None, alias="volumeAccessMode")
    """Access mode of a created PVC: ReadWriteOnce, ReadOnlyMany, ReadWriteMany or
    ReadWriteOncePod. Use ReadWriteMany to share a cache between nodes."""

    model_config = rules(
        Rule(
            "!(has(self.create) && self.create) || has(self.size)",
            "storage.pvc.size is required when storage.pvc.create is true, e.g. size: 50Gi",
            field_path=".size",
            reason="FieldValueRequired",
        ),
    )


class NIMContainerSpec(K8sModel):
    """An extra container (init, sidecar or endpoint picker) run next to the NIM."""

    name: str
    """Container name, unique in the pod."""
    image: Image
    """Container image."""
    command: list[str] | None = None
    """Entrypoint; the image's when unset."""
    args: list[str] | None = None
    """Arguments to the entrypoint."""
    env: list[core_v1.EnvVar] | None = None
    """Environment variables."""
    working_dir: str | None = Field(None, alias="workingDir")
    """Working directory of the container."""


class Probe(K8sModel):
    """A health probe of the NIM container: the operator's default unless `probe` is set."""

    enabled: bool | None = None
    """Set false to remove this probe; unset or true keeps it."""
    probe: core_v1.Probe | None = None
    """A custom probe replacing the default one."""


class ServiceMonitor(K8sModel):
    """Prometheus Operator ServiceMonitor settings for the NIM's metrics endpoint."""

    additional_labels: dict[str, str] | None = Field(None, alias="additionalLabels")
    """Extra labels for the ServiceMonitor (e.g. the one your Prometheus selects on)."""
    annotations: dict[str, str] | None = None
    """Annotations for the ServiceMonitor."""
    interval: Annotated[str, Schema({"pattern": DURATION_PATTERN})] | None = None
    """Scrape interval, a Prometheus duration such as `30s`."""
    scrape_timeout: Annotated[str, Schema({"pattern": DURATION_PATTERN})] | None = Field(
        None, alias="scrapeTimeout"
    )
    """Scrape timeout, a Prometheus duration such as `10s`."""


class Metrics(K8sModel):
    """Metrics collection through a Prometheus Operator ServiceMonitor."""

    enabled: bool | None = None
    """Create a ServiceMonitor for the service."""
    service_monitor: ServiceMonitor | None = Field(None, alias="serviceMonitor")
    """ServiceMonitor settings; required when `enabled` is true."""

    model_config = rules(
        Rule(
            f"!{is_true('self.enabled')} || {is_set('self.serviceMonitor', ServiceMonitor)}",
            "metrics.serviceMonitor is required when metrics.enabled is true: set e.g. "
            "serviceMonitor: {interval: 30s}",
            field_path=".serviceMonitor",
            reason="FieldValueRequired",
        ),
    )


#: The pod identity when `spec.userID` / `spec.groupID` are unset (upstream's defaults; the
#: fields stay unset in the CRD so a stored object round-trips as written).
DEFAULT_USER_ID = 1000
DEFAULT_GROUP_ID = 2000
#: The HPA's lower bound when `scale.hpa.minReplicas` is unset.
HPA_MIN_REPLICAS = 1


class HorizontalPodAutoscalerSpec(K8sModel):
    """The HPA settings the operator renders: replica bounds, metrics and behaviour."""

    behavior: autoscaling_v2.HorizontalPodAutoscalerBehavior | None = None
    """Scale-up and scale-down behaviour (autoscaling/v2)."""
    max_replicas: Int32 = Field(alias="maxReplicas")
    """Upper bound of replicas."""
    metrics: list[autoscaling_v2.MetricSpec] | None = None
    """Metrics to scale on (autoscaling/v2 MetricSpec); the HPA default (80% CPU) if unset."""
    min_replicas: Annotated[Int32, Schema({"minimum": 1})] = Field(
        HPA_MIN_REPLICAS, alias="minReplicas")
    """Lower bound of replicas."""

    model_config = rules(
        Rule(
            # maxReplicas 0 is a Go client's "never set" (nimop.api.gozero), not a bound.
            "!has(self.minReplicas) || self.maxReplicas == 0 || "
            "self.minReplicas <= self.maxReplicas",
            "scale.hpa.minReplicas must not exceed scale.hpa.maxReplicas",
            field_path=".minReplicas",
        ),
    )


class Autoscaling(K8sModel):
    """Horizontal autoscaling with an HPA (standalone) or KServe's autoscaler (kserve)."""

    annotations: dict[str, str] | None = None
    """Annotations for the HPA."""
    enabled: bool | None = None
    """Turn autoscaling on; `spec.replicas` must then be unset."""
    hpa: HorizontalPodAutoscalerSpec | None = None
    """HPA settings; required when `enabled` is true."""

    model_config = rules(
        Rule(
            f"!{is_true('self.enabled')} || (has(self.hpa) && self.hpa.maxReplicas > 0)",
            "spec.scale.hpa is required when spec.scale.enabled is true: set at least "
            "hpa.maxReplicas (1 or more)",
            field_path=".hpa",
            reason="FieldValueRequired",
        ),
    )


class NIMProfile(K8sModel):
    """A model profile found in a NIM manifest (engine, precision, GPUs… in `config`)."""

    config: dict[str, str] | None = None
    """Profile tags, e.g. `tp: "1"`, `precision: fp8`, `trtllm_buildable: "true"`."""
    model: str | None = None
    """Model the profile belongs to."""
    name: str | None = None
    """Profile ID."""
    release: str | None = None
    """NIM release of the profile."""


__all__ = [
    "ACCESS_MODES",
    "DEFAULT_GROUP_ID",
    "DEFAULT_USER_ID",
    "HPA_MIN_REPLICAS",
    "MAX_LIST",
    "MAX_NAME",
    "Autoscaling",
    "CertConfig",
    "HorizontalPodAutoscalerSpec",
    "Image",
    "Metrics",
    "NIMContainerSpec",
    "NIMProfile",
    "PersistentVolumeClaim",
    "Probe",
    "ProxySpec",
    "ServiceMonitor",
]
