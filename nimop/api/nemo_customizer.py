"""NemoCustomizer: the NeMo Customizer microservice, which fine-tunes models with training jobs
(upstream `nemo_customizer_types.go`, §1.6, §2.8.1)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from nimop.api.base import K8sModel, Quantity, Schema
from nimop.api.cel import rules
from nimop.api.common import Image, PersistentVolumeClaim
from nimop.api.core import core_v1
from nimop.api.nemo_common import (
    NEMO_SPEC_RULES,
    ConfigMapRef,
    DatabaseConfig,
    NemoSpec,
    NemoStatus,
    OTelSpec,
    ServiceEndpoint,
)
from nimop.api.resource import CustomResource

NonEmpty = Annotated[str, Schema({"minLength": 1})]


class WandBConfig(K8sModel):
    """Weights & Biases, where training metrics are tracked."""

    secret_name: NonEmpty = Field(alias="secretName")
    """Secret with the W&B API key."""
    api_key_key: str = Field("apiKey", alias="apiKeyKey")
    """Key of the API key in that Secret (empty, as a Go client writes it unset: `apiKey`)."""
    encryption_key: str = Field("encryptionKey", alias="encryptionKey")
    """Key, in that Secret, of the key encrypting W&B credentials."""
    entity: str = "null"
    """User or team the runs are logged under; `null` uses your default entity."""
    project_name: str = Field("nvidia-nemo-customizer", alias="projectName")
    """Project the runs are logged under."""


class SchedulerConfig(K8sModel):
    """The batch scheduler of training jobs."""

    type: Literal["volcano", "runai"] = "volcano"
    """volcano or runai."""


class SecretKeyRef(K8sModel):
    """A key of a Secret."""

    name: NonEmpty
    """Name of the Secret."""


class NGCSecret(SecretKeyRef):
    """Secret with the NGC API key."""

    key: str = "NGC_API_KEY"
    """Key of the API key."""


class HFSecret(SecretKeyRef):
    """Secret with the Hugging Face token."""

    key: str = "HF_TOKEN"
    """Key of the token."""


class ModelDownloadJobs(K8sModel):
    """Jobs that download base models for fine-tuning."""

    image: NonEmpty
    """Image of the download jobs."""
    image_pull_policy: Literal["Always", "IfNotPresent", "Never"] = Field(
        "IfNotPresent", alias="imagePullPolicy"
    )
    """Pull policy of that image."""
    ngc_api_secret: NGCSecret | None = Field(None, alias="ngcAPISecret")
    """NGC API key for NGC models."""
    hf_secret: HFSecret | None = Field(None, alias="hfSecret")
    """Hugging Face token for HF models."""
    security_context: core_v1.PodSecurityContext | None = Field(None, alias="securityContext")
    """Pod security context of the jobs."""
    ttl_seconds_after_finished: Annotated[int, Schema({"minimum": 60})] = Field(
        alias="ttlSecondsAfterFinished"
    )
    """Seconds a finished job is kept."""
    poll_interval_seconds: Annotated[int, Schema({"minimum": 15})] = Field(
        alias="pollIntervalSeconds"
    )
    """Seconds between download status checks."""


class DatastoreTools(K8sModel):
    """The data store CLI tools image."""

    image: NonEmpty
    """Image of the tools."""


class WorkspacePVC(K8sModel):
    """The workspace PVC created for each training job."""

    storage_class: str | None = Field(None, alias="storageClass")
    """StorageClass; the cluster default when unset."""
    size: str | None = None
    """Size, e.g. `10Gi`."""
    volume_access_mode: str | None = Field(None, alias="volumeAccessMode")
    """Access mode, e.g. ReadWriteOnce."""
    mount_path: str = Field("/pvc/workspace", alias="mountPath")
    """Where the workspace is mounted in training pods."""


class TrainingConfig(K8sModel):
    """How training jobs run."""

    config_map: ConfigMapRef | None = Field(None, alias="configMap")
    """ConfigMap whose key `training` holds extra training settings."""
    model_pvc: PersistentVolumeClaim = Field(alias="modelPVC")
    """PVC holding the base models (`<name>-pvc` when created without a name)."""
    workspace_pvc: WorkspacePVC = Field(alias="workspacePVC")
    """Workspace PVC of each job."""
    env: list[core_v1.EnvVar] | None = None
    """Environment of training jobs."""
    image: Image
    """Training image."""
    ttl_seconds_after_finished: int | None = Field(None, alias="ttlSecondsAfterFinished")
    """Seconds a finished training job is kept."""
    timeout: int | None = None
    """Seconds a training job may run."""
    runai_queue: str = Field("default", alias="runaiQueue")
    """Run:ai queue (scheduler `runai` only)."""
    network_config: list[core_v1.EnvVar] | None = Field(None, alias="networkConfig")
    """Multi-node networking environment (NCCL, UCX…)."""
    node_selector: dict[str, str] | None = Field(None, alias="nodeSelector")
    """Node selector of training pods."""
    tolerations: list[core_v1.Toleration] | None = None
    """Tolerations of training pods."""
    pod_affinity: core_v1.PodAffinity | None = Field(None, alias="podAffinity")
    """Deprecated: use `affinity`."""
    affinity: core_v1.Affinity | None = None
    """Affinity of training pods."""
    shared_memory_size_limit: Quantity | None = Field(None, alias="sharedMemorySizeLimit")
    """Size of the `/dev/shm` volume of training pods."""
    resources: core_v1.ResourceRequirements | None = None
    """Resources of training pods."""


class NemoCustomizerSpec(NemoSpec):
    """Desired state of a NemoCustomizer."""

    scheduler: SchedulerConfig | None = None
    """Batch scheduler of training jobs."""
    wandb: WandBConfig
    """Weights & Biases."""
    otel: OTelSpec | None = None
    """OpenTelemetry."""
    database_config: DatabaseConfig = Field(alias="databaseConfig")
    """The PostgreSQL database of the customizer."""
    datastore: ServiceEndpoint
    """The NeMo Data Store."""
    entitystore: ServiceEndpoint
    """The NeMo Entity Store."""
    mlflow: ServiceEndpoint
    """The MLflow tracking server."""
    nemo_datastore_tools: DatastoreTools = Field(alias="nemoDatastoreTools")
    """Data store tools."""
    model_download_jobs: ModelDownloadJobs = Field(alias="modelDownloadJobs")
    """Model download jobs."""
    model_config_ref: ConfigMapRef = Field(alias="modelConfig")
    """ConfigMap with the keys `models`, `customizationTargets` and
    `customizationConfigTemplates`."""
    training_config: TrainingConfig = Field(alias="trainingConfig")
    """Training jobs."""

    model_config = rules(*NEMO_SPEC_RULES)


class NemoCustomizer(CustomResource):
    """NemoCustomizer runs the NeMo Customizer microservice: a Deployment with its
    `config.yaml`, a Service, the RBAC it launches training jobs with, the model PVC, and
    optionally an Ingress or routes, HPA and ServiceMonitor."""

    kind: Literal["NemoCustomizer"] = "NemoCustomizer"
    spec: NemoCustomizerSpec
    """Desired state of the customizer."""
    status: NemoStatus | None = None
    """Observed state, written by the operator."""
