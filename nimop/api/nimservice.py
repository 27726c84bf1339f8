"""NIMService: run one NIM microservice — standalone (Deployment or multi-node LWS) or as a
KServe InferenceService.

Upstream: ``api/apps/v1alpha1/nimservice_types.go`` (§1.3). Rules that only hold for
one NIMService are on :class:`NIMServiceSpec` (so NIMPipeline's embedded specs get them too);
update-only rules (``oldSelf``) are on the ``spec`` field of the NIMService object, because the
apiserver cannot correlate items of NIMPipeline's ``services`` list across updates.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from nimop.api.base import Int32, Int64, K8sModel, Quantity, Schema
from nimop.api.cel import Rule, at_most_one, is_true, present, rules, validations
from nimop.api.common import (
    Autoscaling,
    Image,
    Metrics,
    NIMContainerSpec,
    PersistentVolumeClaim,
    Probe,
    ProxySpec,
)
from nimop.api.core import core_v1, meta_v1
from nimop.api.dra import DRAResources, DRAResourceStatus
from nimop.api.expose import Expose, Port
from nimop.api.gozero import is_set
from nimop.api.resource import CustomResource

KSERVE_MODE_ANNOTATION = "serving.kserve.io/deploymentMode"
KNATIVE_MODES = ["Knative", "Serverless"]
KSERVE_MODES = ["Standard", "RawDeployment", "Knative", "Serverless", "ModelMesh"]
#: On the NIMService's own spec, not on the storage type: Kubernetes 1.32 estimates quantity()
#: of an int-or-string as unbounded and rejects NIMPipeline's CRD, whose list of services
#: embeds the type (tests/e2e/test_old_apiserver.py). A pipeline's services are NIMServices,
#: so the rule still applies to them when the pipeline creates them (ChildRejected otherwise).
POSITIVE_QUANTITY = Rule(
    "!has(self.storage) || !has(self.storage.sharedMemorySizeLimit) || "
    "quantity(string(self.storage.sharedMemorySizeLimit)).isGreaterThan(quantity('0'))",
    "spec.storage.sharedMemorySizeLimit must be greater than zero, e.g. 16Gi",
    field_path=".storage.sharedMemorySizeLimit",
)


class NIMCacheVolSpec(K8sModel):
    """Use the PVC of a NIMCache (in the same namespace) as model storage."""

    name: str | None = None
    """Name of the NIMCache."""
    profile: str | None = None
    """Profile to serve (sets `NIM_MODEL_PROFILE`); empty lets the NIM choose."""

    model_config = rules(
        Rule(
            # `nimCache: {}` is what a Go client writes for "no NIMCache" (nimop.api.gozero).
            "(has(self.name) && size(self.name) > 0) || !has(self.profile)",
            "spec.storage.nimCache.name is required: name the NIMCache holding the model "
            "(a profile alone does not identify a cache)",
            field_path=".name",
            reason="FieldValueRequired",
        ),
    )


class EmptyDirSpec(K8sModel):
    """An emptyDir volume for model files (downloaded at every pod start)."""

    size_limit: Quantity | None = Field(None, alias="sizeLimit")
    """Size limit of the volume, e.g. `100Gi`."""


class NIMServiceStorage(K8sModel):
    """Model storage: exactly one of a NIMCache, a PVC, an emptyDir or a host path."""

    empty_dir: EmptyDirSpec | None = Field(None, alias="emptyDir")
    """An emptyDir volume."""
    host_path: str | None = Field(None, alias="hostPath")
    """A host directory (requires privileges)."""
    nim_cache: NIMCacheVolSpec | None = Field(None, alias="nimCache")
    """A NIMCache (recommended)."""
    pvc: PersistentVolumeClaim | None = None
    """A PVC, created or existing."""
    read_only: bool | None = Field(None, alias="readOnly")
    """Mount the model volume read-only."""
    shared_memory_size_limit: Quantity | None = Field(None, alias="sharedMemorySizeLimit")
    """Size limit of the shared-memory volume (`/dev/shm`), e.g. `16Gi`."""

    model_config = rules(
        Rule(
            f"({is_set('self.nimCache', NIMCacheVolSpec)} ? 1 : 0) + "
            f"({is_set('self.pvc', PersistentVolumeClaim)} ? 1 : 0) + "
            "(has(self.emptyDir) ? 1 : 0) + (has(self.hostPath) ? 1 : 0) == 1",
            "set exactly one of spec.storage.nimCache, spec.storage.pvc, spec.storage.emptyDir "
            "and spec.storage.hostPath",
        ),
    )


class Parallelism(K8sModel):
    """How a multi-node model is split."""

    pipeline: Annotated[Int32, Schema({"minimum": 1})] | None = None
    """Pipeline parallelism: number of nodes (pods) per replica group."""
    tensor: Annotated[Int32, Schema({"minimum": 1})] | None = None
    """Tensor parallelism: GPUs per pod."""


class MPIConfig(K8sModel):
    """MPI launcher settings."""

    mpi_start_timeout: int = Field(300, alias="mpiStartTimeout")
    """Seconds to wait for all workers before giving up."""


class RayConfig(K8sModel):
    """Ray cluster settings."""

    ray_port: Port = Field(6379, alias="rayPort")
    """Port of the Ray head."""


class ComputeDomain(K8sModel):
    """NVIDIA ComputeDomain (NVLink/IMEX) for multi-node: created by the operator or existing."""

    create: bool | None = None
    """Create a ComputeDomain for this NIMService (then `name` must be unset)."""
    name: str | None = None
    """Existing ComputeDomain to use (when `create` is not true)."""

    model_config = rules(
        Rule(
            "(has(self.create) && self.create) ? !has(self.name) : "
            "(has(self.name) && size(self.name) > 0)",
            "spec.multiNode.computeDomain: with create: true leave name unset; otherwise set "
            "name to an existing ComputeDomain",
        )
    )


class NimServiceMultiNodeConfig(K8sModel):
    """Serve a model across several nodes as a LeaderWorkerSet group."""

    backend_type: Literal["lws"] = Field("lws", alias="backendType")
    """Workload backend; only `lws` (LeaderWorkerSet)."""
    compute_domain: ComputeDomain | None = Field(None, alias="computeDomain")
    """NVLink/IMEX ComputeDomain for the group."""
    mpi: MPIConfig | None = None
    """Use MPI to launch the workers (exclusive with `ray`)."""
    parallelism: Parallelism
    """Pipeline and tensor parallelism."""
    ray: RayConfig | None = None
    """Use Ray to launch the workers (exclusive with `mpi`)."""

    model_config = rules(at_most_one("spec.multiNode", ["mpi", "ray"], ": choose one launcher"))


SCALE_ON = is_true("self.scale.enabled")
KSERVE = "(has(self.inferencePlatform) && self.inferencePlatform == 'kserve')"
KNATIVE = (
    f"({KSERVE} && has(self.annotations) && '{KSERVE_MODE_ANNOTATION}' in self.annotations && "
    f"self.annotations['{KSERVE_MODE_ANNOTATION}'] in {KNATIVE_MODES!r})"
)

SPEC_RULES = (
    Rule(
        f"!(has(self.multiNode) && {SCALE_ON})",
        "spec.scale.enabled cannot be true with spec.multiNode: multi-node services do not "
        "autoscale; set spec.replicas instead",
    ),
    Rule(
        f"!({SCALE_ON} && has(self.replicas))",
        "spec.scale.enabled and spec.replicas are mutually exclusive: remove spec.replicas "
        "when autoscaling is on",
        field_path=".replicas",
        reason="FieldValueForbidden",
    ),
    Rule(
        f"!({is_true('self.expose.ingress.enabled')} && {present('self.expose.router.ingress')})",
        "spec.expose.ingress is deprecated and cannot be combined with "
        "spec.expose.router.ingress: remove spec.expose.ingress",
    ),
    Rule(
        f"!({KSERVE} && has(self.multiNode))",
        "spec.multiNode is not supported with spec.inferencePlatform: kserve: remove "
        "spec.multiNode or use the standalone platform",
        field_path=".multiNode",
        reason="FieldValueForbidden",
    ),
    Rule(
        f"!{present('self.resources.claims')} || size(self.resources.claims) == 0",
        "spec.resources.claims is not supported: request DRA devices with spec.draResources",
        reason="FieldValueForbidden",
    ),
    Rule(
        "!has(self.draResources) || !self.draResources.exists(r, has(r.resourceClaimName)) || "
        f"(!(has(self.replicas) && self.replicas > 1) && !{SCALE_ON})",
        "spec.draResources[].resourceClaimName shares one claim between all pods: it needs a "
        "single replica without autoscaling; use resourceClaimTemplateName or "
        "claimCreationSpec for more replicas",
    ),
    Rule(
        f"!{KSERVE} || !has(self.annotations) || !('{KSERVE_MODE_ANNOTATION}' in "
        f"self.annotations) || self.annotations['{KSERVE_MODE_ANNOTATION}'] in {KSERVE_MODES!r}",
        f"spec.annotations['{KSERVE_MODE_ANNOTATION}'] must be one of {', '.join(KSERVE_MODES)}",
    ),
    Rule(
        f"!({KNATIVE} && {SCALE_ON})",
        "spec.scale.enabled is not supported with KServe Knative/Serverless mode: use "
        "autoscaling.knative.dev annotations in spec.annotations",
    ),
    Rule(
        f"!({KNATIVE} && {is_true('self.metrics.enabled')})",
        "spec.metrics.enabled is not supported with KServe Knative/Serverless mode",
    ),
    Rule(
        f"!({KNATIVE} && ({is_true('self.expose.ingress.enabled')} || "
        f"{present('self.expose.router.ingress')} || {present('self.expose.router.gateway')}))",
        "spec.expose.ingress, spec.expose.router.ingress and spec.expose.router.gateway are "
        "not supported with KServe Knative/Serverless mode: Knative exposes the service",
    ),
)


class NIMServiceSpec(K8sModel):
    """Desired state of a NIMService."""

    affinity: core_v1.Affinity | None = None
    """Pod affinity and anti-affinity."""
    annotations: dict[str, str] | None = None
    """Annotations of the children and pods (KServe: also deployment mode and autoscaling)."""
    args: list[str] | None = None
    """Arguments to the NIM container entrypoint."""
    auth_secret: str | None = Field(None, alias="authSecret")
    """Secret with `NGC_API_KEY` (and optionally `HF_TOKEN`); optional when air-gapped."""
    command: list[str] | None = None
    """Entrypoint of the NIM container; the image's when unset."""
    dra_resources: DRAResources | None = Field(None, alias="draResources")
    """GPUs through Dynamic Resource Allocation (resource.k8s.io/v1); immutable."""
    env: list[core_v1.EnvVar] | None = None
    """Environment variables of the NIM container (they override the operator's)."""
    expose: Expose | None = None
    """Service, Ingress and Gateway API routes."""
    group_id: Int64 | None = Field(None, alias="groupID")
    """Group ID of the NIM container (default 2000)."""
    image: Image
    """The NIM image."""
    inference_platform: Literal["standalone", "kserve"] = Field(
        "standalone", alias="inferencePlatform"
    )
    """Where the NIM runs: `standalone` (Deployment/LWS) or `kserve` (InferenceService)."""
    init_containers: list[NIMContainerSpec] | None = Field(None, alias="initContainers")
    """Init containers of the pods."""
    labels: dict[str, str] | None = None
    """Labels of the children and pods (the standard labels win)."""
    liveness_probe: Probe | None = Field(None, alias="livenessProbe")
    """Liveness probe; operator default `/v1/health/live`."""
    metrics: Metrics | None = None
    """Prometheus ServiceMonitor."""
    multi_node: NimServiceMultiNodeConfig | None = Field(None, alias="multiNode")
    """Serve across nodes with a LeaderWorkerSet (standalone only); immutable."""
    node_selector: dict[str, str] | None = Field(None, alias="nodeSelector")
    """Node selector of the pods."""
    pod_affinity: core_v1.PodAffinity | None = Field(None, alias="podAffinity")
    """Deprecated and ignored: use `affinity.podAffinity`."""
    priority_class_name: str | None = Field(None, alias="priorityClassName")
    """Priority class of the pods."""
    proxy: ProxySpec | None = None
    """Proxy and CA certificates."""
    readiness_probe: Probe | None = Field(None, alias="readinessProbe")
    """Readiness probe; operator default `/v1/health/ready`."""
    replicas: Annotated[Int32, Schema({"minimum": 0})] | None = None
    """Number of replicas (groups for multi-node); unset with autoscaling."""
    resources: core_v1.ResourceRequirements | None = None
    """Resources of the NIM container, e.g. `limits: {nvidia.com/gpu: 1}`."""
    runtime_class_name: str | None = Field(None, alias="runtimeClassName")
    """Runtime class of the pods, e.g. `nvidia`."""
    scale: Autoscaling | None = None
    """Autoscaling."""
    scheduler_name: str | None = Field(None, alias="schedulerName")
    """Scheduler of the pods."""
    sidecar_containers: list[NIMContainerSpec] | None = Field(None, alias="sidecarContainers")
    """Sidecar containers of the pods."""
    startup_probe: Probe | None = Field(None, alias="startupProbe")
    """Startup probe; operator default `/v1/health/ready` with a long failure threshold."""
    storage: NIMServiceStorage | None = None
    """Where the model files are."""
    tolerations: list[core_v1.Toleration] | None = None
    """Tolerations of the pods."""
    user_id: Int64 | None = Field(None, alias="userID")
    """User ID of the NIM container (default 1000)."""

    model_config = rules(*SPEC_RULES)


#: Update-only rules of a NIMService's spec (§1.3 "update-only").
SPEC_TRANSITION_RULES = (
    Rule(
        "(has(self.draResources) && has(oldSelf.draResources) && "
        "self.draResources == oldSelf.draResources) || "
        "(!has(self.draResources) && !has(oldSelf.draResources))",
        "spec.draResources is immutable: create a new NIMService to change DRA resources",
        reason="FieldValueForbidden",
    ),
    Rule(
        "has(self.multiNode) == has(oldSelf.multiNode) && "
        "(!has(self.multiNode) || self.multiNode == oldSelf.multiNode)",
        "spec.multiNode is immutable: create a new NIMService to change multi-node settings",
        reason="FieldValueForbidden",
    ),
    Rule(
        f"!({is_true('oldSelf.storage.pvc.create')}) || "
        f"({present('self.storage.pvc')} && self.storage.pvc == oldSelf.storage.pvc)",
        "spec.storage.pvc is immutable once the operator created the PVC (create: true)",
        reason="FieldValueForbidden",
    ),
)


class Model(K8sModel):
    """The model the service serves and where to reach it."""

    cluster_endpoint: str = Field(alias="clusterEndpoint")
    """In-cluster address of the API (`<service>.<namespace>.svc:<port>`, or KServe's URL)."""
    external_endpoint: str = Field(alias="externalEndpoint")
    """URL from outside (Ingress/route host), if any."""
    name: str
    """Model name for the OpenAI-compatible API: `NIM_SERVED_MODEL_NAME` when the spec sets
    it; else, once Ready, the model the NIM lists on its `/v1/models` (read by the operator,
    no credentials sent; `--served-model-probe=false` turns the read off); until then, or
    when it cannot be read, derived from the spec (the Hugging Face/NGC model name, the image's
    NGC path) — empty for a universal NIM on local weights."""


class ComputeDomainNode(K8sModel):
    """A node of a ComputeDomain."""

    clique_id: str = Field(alias="cliqueID")
    """NVLink clique of the node."""
    name: str
    """Node name."""
    status: Literal["Ready", "NotReady"] = "NotReady"
    """Node readiness in the domain."""


class ComputeDomainStatus(K8sModel):
    """Mirror of the ComputeDomain's status."""

    name: str
    """ComputeDomain name."""
    nodes: list[ComputeDomainNode] | None = None
    """Nodes of the domain."""
    status: str | None = None
    """Overall status."""


class NIMServiceStatus(K8sModel):
    """Observed state of a NIMService."""

    available_replicas: Int32 | None = Field(None, alias="availableReplicas")
    """Replicas ready to serve."""
    compute_domain_status: ComputeDomainStatus | None = Field(None, alias="computeDomainStatus")
    """ComputeDomain status (multi-node)."""
    conditions: list[meta_v1.Condition] | None = None
    """Conditions: `Ready` and `Failed`."""
    dra_resource_statuses: (
        Annotated[
            list[DRAResourceStatus],
            Schema({"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]}),
        ]
        | None
    ) = Field(None, alias="draResourceStatuses")
    """State of each DRA claim."""
    model: Model | None = None
    """The served model and its endpoints."""
    state: str | None = None
    """Ready, NotReady or Failed (upstream values, kept for existing tooling)."""


class NIMService(CustomResource):
    """NIMService runs one NIM inference microservice: a Deployment (or a multi-node
    LeaderWorkerSet) with its Service, routes and autoscaler, or a KServe InferenceService."""

    kind: Literal["NIMService"] = "NIMService"
    spec: Annotated[NIMServiceSpec, validations(*SPEC_TRANSITION_RULES, POSITIVE_QUANTITY)]
    """Desired state of the service."""
    status: NIMServiceStatus | None = None
    """Observed state, written by the operator."""
