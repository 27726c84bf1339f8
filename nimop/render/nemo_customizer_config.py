"""The NemoCustomizer `config.yaml`: what the customizer API reads to launch training jobs.

Built from the spec exactly as upstream's `renderCustomizerConfig` builds it (§2.8.1;
upstream `internal/controller/nemocustomizer_controller.go`): base URLs, WandB, model download
jobs, data store tools, the training job template (image, env, networking, workspace PVC, the
model PVC and shared-memory volumes, scheduling) and the model catalogue taken from the
modelConfig ConfigMap. The referenced ConfigMaps arrive as data (`ConfigSources`), so this stays
a pure function; what upstream turns into an error (or a panic) becomes a `Problem`.

Differences from upstream, each a fix of an §9 item:
- `wandb.entity` is the spec's value (upstream always writes the string "null", bug 7).
- `trainingConfig.configMap` may be omitted (upstream dereferences it and panics, bug 8).
- A target or template without a `name` is reported instead of being passed to the API.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nimop.api.nemo_customizer import NemoCustomizer, NemoCustomizerSpec, TrainingConfig
from nimop.api.problem import Problem
from nimop.render.facts import Unparsable

CONFIG_KEY = "config.yaml"
#: keys of the modelConfig ConfigMap copied into config.yaml (missing ones are skipped)
MODEL_KEYS = ("models", "customizationTargets", "customizationConfigTemplates")
#: the map of named entries inside each model key, checked for a `name`
NAMED_ENTRIES = {"customizationTargets": "targets", "customizationConfigTemplates": "templates"}
TRAINING_KEY = "training"
MODELS_MOUNT = "/mount/models"
SHM_MOUNT = "/dev/shm"
RUNAI = "runai"


@dataclass(frozen=True)
class ConfigSources:
    """The data of the ConfigMaps the spec references, each key's YAML value parsed (an
    `Unparsable` when it is not YAML); None when the ConfigMap does not exist."""

    model_config: Mapping[str, Any] | None = None
    training_config: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class CustomizerConfig:
    """The config.yaml content, or the problems that kept it from being complete."""

    content: dict[str, Any]
    problems: tuple[Problem, ...] = ()

    def to_yaml(self) -> str:
        """YAML in its JSON form (JSON is YAML; renderers import no YAML library), keys sorted
        as upstream's sigs.k8s.io/yaml sorts them."""
        return json.dumps(self.content, indent=2, sort_keys=True) + "\n"


def scheduler(spec: NemoCustomizerSpec) -> str:
    """`scheduler.type`, `volcano` when unset (the CRD default)."""
    return spec.scheduler.type if spec.scheduler is not None else "volcano"


def model_pvc_name(cr: NemoCustomizer) -> str:
    """The model PVC: `trainingConfig.modelPVC.name`, else `<name>-pvc` (upstream GetPVCName)."""
    return cr.spec.training_config.model_pvc.name or f"{cr.metadata.name}-pvc"


def customizer_config(cr: NemoCustomizer, sources: ConfigSources) -> CustomizerConfig:
    """config.yaml for `cr`, in upstream's key order of construction."""
    spec = cr.spec
    problems: list[Problem] = []
    content: dict[str, Any] = {
        "namespace": cr.metadata.namespace or "default",
        "entity_store_url": spec.entitystore.endpoint,
        "nemo_data_store_url": spec.datastore.endpoint,
        "mlflow_tracking_url": spec.mlflow.endpoint,
        "wandb": {"project": spec.wandb.project_name, "entity": spec.wandb.entity or "null"},
        "model_download_jobs": _model_download_jobs(spec),
        "nemo_data_store_tools": _datastore_tools(spec),
    }
    content["training"] = _training(cr, sources, problems)
    content.update(_model_catalogue(spec, sources, problems))
    return CustomizerConfig(content, _joined(problems))


def _joined(problems: list[Problem]) -> tuple[Problem, ...]:
    """One problem per reason, messages joined: a condition shows one reason, and the user
    should see every missing ConfigMap at once, not one after the other."""
    out: dict[str, Problem] = {}
    for p in problems:
        seen = out.get(p.reason)
        out[p.reason] = p if seen is None else Problem(
            p.reason, f"{seen.message}; {p.message}", seen.failed or p.failed)
    return tuple(out.values())


def _dump(model: Any) -> Any:
    """A Kubernetes-typed value as its JSON form (None fields omitted, like Go's omitempty)."""
    if isinstance(model, list):
        return [_dump(m) for m in model]
    if hasattr(model, "model_dump"):
        return model.model_dump(mode="json", by_alias=True, exclude_none=True)
    return model


def _pull_secrets(spec: NemoCustomizerSpec) -> list[dict[str, str]]:
    """Jobs use the API image's pull secrets (upstream: "same pull secrets as the main image")."""
    return [{"name": name} for name in spec.image.pull_secrets or []]


def _model_download_jobs(spec: NemoCustomizerSpec) -> dict[str, Any]:
    jobs = spec.model_download_jobs
    out: dict[str, Any] = {
        "image": jobs.image,
        "imagePullPolicy": spec.image.pull_policy or "",
        "imagePullSecrets": _pull_secrets(spec),
        "securityContext": _dump(jobs.security_context),
        "ttlSecondsAfterFinished": jobs.ttl_seconds_after_finished,
        "pollIntervalSeconds": jobs.poll_interval_seconds,
    }
    if jobs.ngc_api_secret is not None:
        # Both spellings: ngcAPISecret* before NeMo 25.06, ngcSecret* from 25.06 on.
        name, key = jobs.ngc_api_secret.name, jobs.ngc_api_secret.key
        out.update(ngcAPISecret=name, ngcAPISecretKey=key, ngcSecretName=name, ngcSecretKey=key)
    if jobs.hf_secret is not None:
        out.update(hfSecretName=jobs.hf_secret.name, hfSecretKey=jobs.hf_secret.key)
    return out


def _datastore_tools(spec: NemoCustomizerSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"image": spec.nemo_datastore_tools.image}
    if spec.image.pull_secrets:
        out["imagePullSecret"] = spec.image.pull_secrets[0]
    return out


def _training(
    cr: NemoCustomizer, sources: ConfigSources, problems: list[Problem]
) -> dict[str, Any]:
    spec = cr.spec
    training = spec.training_config
    out = _training_defaults(training, sources, problems)
    out.update({
        "image": training.image.image,
        "imagePullPolicy": spec.image.pull_policy or "",
        "imagePullSecrets": _pull_secrets(spec),
        "env": _dump(training.env),
        "training_networking": _dump(training.network_config),
        "workspace_dir": training.workspace_pvc.mount_path,
        "use_run_ai_executor": scheduler(spec) == RUNAI,
    })
    if training.ttl_seconds_after_finished is not None:
        out["ttl_seconds_after_finished"] = training.ttl_seconds_after_finished
    if training.timeout is not None:
        out["training_timeout"] = training.timeout
    workspace = training.workspace_pvc
    out["pvc"] = {
        "storageClass": workspace.storage_class or "",
        "volumeAccessMode": workspace.volume_access_mode or "",
        "size": workspace.size or "",
    }
    out["volumes"] = _job_volumes(cr, training)
    out["volumeMounts"] = [
        {"name": "models", "mountPath": MODELS_MOUNT, "readOnly": True},
        {"name": "dshm", "mountPath": SHM_MOUNT},
    ]
    out.update(_job_scheduling(training))
    return out


def _training_defaults(
    training: TrainingConfig, sources: ConfigSources, problems: list[Problem]
) -> dict[str, Any]:
    """Key `training` of `trainingConfig.configMap`, the base the operator's keys override."""
    if training.config_map is None or not training.config_map.name:
        return {}
    name = training.config_map.name
    field = "spec.trainingConfig.configMap.name"
    if sources.training_config is None:
        problems.append(_missing(name, field))
        return {}
    parsed = _parse(sources.training_config, TRAINING_KEY, name, problems)
    return dict(parsed) if isinstance(parsed, Mapping) else {}


def _job_volumes(cr: NemoCustomizer, training: TrainingConfig) -> list[dict[str, Any]]:
    shm: dict[str, Any] = {"medium": "Memory"}
    if training.shared_memory_size_limit is not None:
        shm["sizeLimit"] = str(training.shared_memory_size_limit)
    return [
        {"name": "models",
         "persistentVolumeClaim": {"claimName": model_pvc_name(cr), "readOnly": True}},
        {"name": "dshm", "emptyDir": shm},
    ]


def _job_scheduling(training: TrainingConfig) -> dict[str, Any]:
    """Only what is set, as upstream adds these keys conditionally."""
    out: dict[str, Any] = {}
    if training.tolerations:
        out["tolerations"] = _dump(training.tolerations)
    if training.node_selector:
        out["nodeSelector"] = dict(training.node_selector)
    if training.affinity is not None:
        out["affinity"] = _dump(training.affinity)
    if training.resources is not None:
        out["resources"] = _dump(training.resources)
    return out


def _model_catalogue(
    spec: NemoCustomizerSpec, sources: ConfigSources, problems: list[Problem]
) -> dict[str, Any]:
    """`models`, `customizationTargets`, `customizationConfigTemplates` of the modelConfig map."""
    name = spec.model_config_ref.name
    if sources.model_config is None:
        problems.append(_missing(name, "spec.modelConfig.name"))
        return {}
    out: dict[str, Any] = {}
    for key in MODEL_KEYS:
        if key not in sources.model_config:
            continue
        parsed = _parse(sources.model_config, key, name, problems)
        if parsed is not None:
            out[key] = parsed
            _check_names(parsed, key, name, problems)
    return out


def _check_names(parsed: Any, key: str, cm_name: str, problems: list[Problem]) -> None:
    """Every target and template needs a `name`: the API rejects them at start otherwise."""
    entries_key = NAMED_ENTRIES.get(key)
    entries = parsed.get(entries_key) if entries_key and isinstance(parsed, Mapping) else None
    if not isinstance(entries, Mapping):
        return
    for entry_id, entry in entries.items():
        if not isinstance(entry, Mapping) or not entry.get("name"):
            problems.append(Problem(
                "InvalidModelConfig",
                f"ConfigMap {cm_name} key {key}: entry {entry_id!r} of {entries_key} has no "
                "name; add `name: <model>@<version>` to it",
                failed=True,
            ))


def _parse(data: Mapping[str, Any], key: str, cm_name: str, problems: list[Problem]) -> Any:
    """The parsed value of a ConfigMap key; one that is not YAML is a Failed problem."""
    value = data.get(key)
    if isinstance(value, Unparsable):
        problems.append(Problem(
            "InvalidConfigMap",
            f"ConfigMap {cm_name} key {key} is not valid YAML: {value.error}",
            failed=True,
        ))
        return None
    return value or None


def _missing(name: str, field: str) -> Problem:
    """Not Failed: GitOps tools apply objects in any order, and a ConfigMap event wakes us."""
    return Problem(
        "ConfigMapNotFound",
        f"{field}: ConfigMap {name} not found; waiting for it to be created",
    )
