"""NIMCache: download model weights (NGC, Hugging Face or a NeMo data store) into a PVC once.

Upstream: ``api/apps/v1alpha1/nimcache_types.go``. CEL rules reproduce the upstream CRD rules
and the upstream webhook (§1.2), except that only the source and storage are
immutable, not the whole spec (the webhook's rule also froze tolerations and resources, which
is needless: a changed job template is harmless once the cache is Ready).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from nimop.api.base import Int64, K8sModel, Quantity, Schema
from nimop.api.cel import Rule, at_most_one, exactly_one, immutable, rules, validations
from nimop.api.common import (
    MAX_LIST,
    MAX_NAME,
    CertConfig,
    NIMContainerSpec,
    NIMProfile,
    PersistentVolumeClaim,
    ProxySpec,
)
from nimop.api.core import core_v1, meta_v1
from nimop.api.gozero import is_set
from nimop.api.resource import CustomResource

NonEmpty = Annotated[str, Schema({"minLength": 1})]
ModelProfiles = Annotated[
    list[Annotated[str, Schema({"maxLength": MAX_NAME})]],
    Schema({"maxItems": MAX_LIST}),
    validations(
        Rule(
            "!self.exists(p, p == 'all') || size(self) == 1",
            "spec.source.ngc.model.profiles: 'all' must be the only entry when present",
        )
    ),
]
QosProfile = Annotated[
    str,
    validations(
        Rule(
            "self in ['latency', 'throughput']",
            "spec.source.ngc.model.qosProfile must be latency or throughput",
        )
    ),
]


class GPUSpec(K8sModel):
    """GPUs a cached profile must match."""

    ids: list[str] | None = None
    """PCI device IDs of the GPUs, e.g. ``26b5``."""
    product: str | None = None
    """GPU product name, e.g. ``h100``."""


class ModelSpec(K8sModel):
    """Which NIM profiles to cache: explicit profile IDs, or selectors the operator matches."""

    buildable: bool | None = None
    """Cache generic profiles that an engine can be built from for any GPU (see NIMBuild)."""
    engine: str | None = None
    """Backend engine, e.g. tensorrt_llm or vllm."""
    gpus: list[GPUSpec] | None = None
    """GPUs the profiles must fit; by default the GPUs found on the cluster's nodes."""
    lora: bool | None = None
    """Cache profiles of a model fine-tuned with LoRA adapters."""
    precision: str | None = None
    """Quantization precision, e.g. fp16, bf16, fp8."""
    profiles: ModelProfiles | None = None
    """Explicit profile IDs to cache (`all` caches everything); the other selectors must then
    be unset."""
    qos_profile: QosProfile | None = Field(None, alias="qosProfile")
    """QoS profile: latency or throughput."""
    tensor_parallelism: str | None = Field(None, alias="tensorParallelism")
    """Tensor parallelism (minimum GPUs), as a string, e.g. "1"."""

    model_config = rules(
        Rule(
            "!has(self.profiles) || size(self.profiles) == 0 || !(has(self.precision) || "
            "has(self.engine) || has(self.tensorParallelism) || has(self.qosProfile) || "
            "has(self.gpus) || has(self.lora) || has(self.buildable))",
            "spec.source.ngc.model.profiles selects profiles by ID: remove precision, engine, "
            "tensorParallelism, qosProfile, gpus, lora and buildable, or remove profiles",
        ),
    )


class NGCSource(K8sModel):
    """Models from NGC, pulled by the NIM container image itself."""

    auth_secret: NonEmpty = Field(alias="authSecret")
    """Secret with the key `NGC_API_KEY`."""
    model: ModelSpec | None = None
    """Profile selection; unset caches the profiles matching the cluster's GPUs."""
    model_endpoint: str | None = Field(None, alias="modelEndpoint")
    """Model to cache with a universal (multi-LLM) NIM, e.g. `ngc://nim/meta/llama-3.1-8b`."""
    model_puller: Annotated[
        str,
        Schema({"minLength": 1}),
        validations(
            immutable(
                "spec.source.ngc.modelPuller",
                "create a new NIMCache to cache with another image",
            )
        ),
    ] = Field(alias="modelPuller")
    """NIM image that downloads the model, e.g. `nvcr.io/nim/meta/llama-3.1-8b-instruct:1.12.0`."""
    pull_secret: str | None = Field(None, alias="pullSecret")
    """Image pull secret for `modelPuller`."""

    model_config = rules(
        at_most_one(
            "spec.source.ngc",
            ["model", "modelEndpoint"],
            ": use model to select profiles of a model NIM, or modelEndpoint with a universal NIM",
        )
    )


class _HFCommon(K8sModel):
    """Fields shared by Hugging Face Hub and NeMo data store sources."""

    auth_secret: NonEmpty = Field(alias="authSecret")
    """Secret with the key `HF_TOKEN`."""
    dataset_name: str | None = Field(None, alias="datasetName")
    """Dataset to cache (exclusive with `modelName`)."""
    model_name: str | None = Field(None, alias="modelName")
    """Model to cache (exclusive with `datasetName`)."""
    model_puller: NonEmpty = Field(alias="modelPuller")
    """Image with `huggingface-cli` that downloads the files."""
    pull_secret: NonEmpty = Field(alias="pullSecret")
    """Image pull secret for `modelPuller`."""
    revision: NonEmpty | None = None
    """Commit hash, branch or tag to cache."""


class HuggingFaceHubSource(_HFCommon):
    """A model or dataset on the Hugging Face Hub (or a compatible endpoint)."""

    endpoint: Annotated[str, Schema({"pattern": r"^https?://.*$"})]
    """Hub endpoint, e.g. `https://huggingface.co`."""
    namespace: NonEmpty
    """Organisation or user on the hub, e.g. `meta-llama`."""

    model_config = rules(exactly_one("spec.source.hf", ["modelName", "datasetName"]))


class DataStoreSource(_HFCommon):
    """A model or dataset in a NeMo data store (Hugging Face compatible API)."""

    endpoint: Annotated[str, Schema({"pattern": r"^https?://.*/v1/hf/?$"})]
    """Data store HF endpoint, e.g. `http://nemodatastore-sample.nemo:8000/v1/hf`."""
    namespace: str = "default"
    """Namespace within the data store."""

    model_config = rules(exactly_one("spec.source.dataStore", ["modelName", "datasetName"]))


class NIMSource(K8sModel):
    """Where the model comes from: exactly one of `ngc`, `hf` or `dataStore`."""

    data_store: DataStoreSource | None = Field(None, alias="dataStore")
    """A NeMo data store."""
    hf: HuggingFaceHubSource | None = None
    """The Hugging Face Hub."""
    ngc: NGCSource | None = None
    """NGC, through a NIM image."""

    model_config = rules(exactly_one("spec.source", ["ngc", "dataStore", "hf"]))


class NIMCacheStorage(K8sModel):
    """Where the cache lives: a PVC (required)."""

    host_path: str | None = Field(None, alias="hostPath")
    """Deprecated and ignored by the caching job; use `pvc`."""
    pvc: PersistentVolumeClaim | None = None
    """The PVC holding the cached model."""

    model_config = rules(
        Rule(
            is_set("self.pvc", PersistentVolumeClaim),
            "spec.storage.pvc is required: NIMCache stores models in a PVC "
            "(spec.storage.hostPath is not supported)",
            field_path=".pvc",
            reason="FieldValueRequired",
        ),
        Rule(
            f"!{is_set('self.pvc', PersistentVolumeClaim)} || "
            "(has(self.pvc.create) && self.pvc.create) || "
            "(has(self.pvc.name) && size(self.pvc.name) > 0)",
            "spec.storage.pvc.name is required unless spec.storage.pvc.create is true: name "
            "an existing PVC or set create: true",
            field_path=".pvc",
            reason="FieldValueRequired",
        ),
    )


class Resources(K8sModel):
    """CPU and memory of the caching job (both requests and limits)."""

    cpu: Quantity | None = None
    """CPUs for the caching job, e.g. `4`."""
    memory: Quantity | None = None
    """Memory for the caching job, e.g. `16Gi`."""


#: Where a caching job runs when `spec.nodeSelector` is unset: nodes with an NVIDIA PCI device.
DEFAULT_CACHE_NODE_SELECTOR = {"feature.node.kubernetes.io/pci-10de.present": "true"}


class NIMCacheSpec(K8sModel):
    """Desired state of a NIMCache: the model source, the storage and the caching job."""

    cert_config: CertConfig | None = Field(None, alias="certConfig")
    """Deprecated: use `proxy.certConfigMap`."""
    env: list[core_v1.EnvVar] | None = None
    """Extra environment variables of the caching job."""
    group_id: Int64 | None = Field(None, alias="groupID")
    """Group ID of the caching job (default 2000)."""
    init_containers: list[NIMContainerSpec] | None = Field(None, alias="initContainers")
    """Init containers of the caching job."""
    node_selector: dict[str, str] | None = Field(None, alias="nodeSelector")
    """Node selector of the caching job (default: nodes with an NVIDIA PCI device)."""
    proxy: ProxySpec | None = None
    """Proxy and CA certificates for downloads."""
    resources: Resources | None = None
    """CPU and memory of the caching job."""
    runtime_class_name: str | None = Field(None, alias="runtimeClassName")
    """Runtime class of the caching job."""
    source: Annotated[
        NIMSource,
        validations(immutable("spec.source", "create a new NIMCache to cache another model")),
    ]
    """The model source."""
    storage: Annotated[
        NIMCacheStorage,
        validations(immutable("spec.storage", "create a new NIMCache to cache into other storage")),
    ]
    """The PVC to cache into."""
    tolerations: list[core_v1.Toleration] | None = None
    """Tolerations of the caching job."""
    user_id: Int64 | None = Field(None, alias="userID")
    """User ID of the caching job (default 1000)."""


NIMCacheState = Literal[
    "NotReady", "PVC-Created", "Started", "Pending", "InProgress", "Ready", "Failed"
]


class NIMCacheStatus(K8sModel):
    """Observed state of a NIMCache."""

    conditions: list[meta_v1.Condition] | None = None
    """Conditions, e.g. `NIM_CACHE_JOB_COMPLETED`, `NIM_CACHE_RECONCILE_FAILED`."""
    profiles: list[NIMProfile] | None = None
    """Profiles in the cache once Ready."""
    pvc: str | None = None
    """Name of the PVC holding the cache."""
    state: str | None = None
    """NotReady, PVC-Created, Started, Pending, InProgress, Ready or Failed."""
    type: str | None = None
    """Cache layout: empty, `model-free` (universal NIM) or `native`."""


class NIMCache(CustomResource):
    """NIMCache downloads a model (NGC, Hugging Face or NeMo data store) into a PVC with a Job,
    once, so NIMServices start fast and scale without downloading again."""

    kind: Literal["NIMCache"] = "NIMCache"
    spec: NIMCacheSpec
    """Desired state: the model source and the storage."""
    status: NIMCacheStatus | None = None
    """Observed state, written by the operator."""
