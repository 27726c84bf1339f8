"""NemoCustomizer: what sets the customizer apart from the other NeMo services.

Upstream: `api/apps/v1alpha1/nemo_customizer_types.go` and
`internal/controller/nemocustomizer_controller.go` (§2.8, §2.8.1). The customizer API
launches training jobs itself, so it needs: its `config.yaml` (built in
`nemo_customizer_config`), mounted read-only at /app/config and hashed into a pod annotation so
a config change rolls the pods; the model PVC training jobs read from; a second port (9009)
training jobs call back on; and a namespaced Role to create the jobs, their pods, PVCs and
scheduler objects (Volcano or Run:ai). Everything else is the shared NeMo layer's.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

from nimop.api.nemo_common import DatabaseConfig
from nimop.api.nemo_customizer import NemoCustomizer
from nimop.render.env import env_var, field_env, secret_env
from nimop.render.facts import ClusterFacts
from nimop.render.names import child_name, service_name
from nimop.render.nemo import (
    SELECT_NAME,
    NemoContext,
    NemoKind,
    NemoPod,
    http_probe,
    otel_env,
    password_env,
    postgres_uri,
    render_nemo,
)
from nimop.render.nemo_customizer_config import (
    CONFIG_KEY,
    ConfigSources,
    CustomizerConfig,
    customizer_config,
    model_pvc_name,
    scheduler,
)
from nimop.render.result import Collector, Rendered
from nimop.render.storage import created_pvc

API_PORT = 8000
#: Training jobs report progress to this port (upstream CustomizerInternalPort).
INTERNAL_PORT = 9009
INTERNAL_PORT_NAME = "internal"
CONFIG_VOLUME = "config"
CONFIG_MOUNT = "/app/config"
CONFIG_PATH = f"{CONFIG_MOUNT}/config.yaml"
#: Pod annotation carrying the SHA-256 of config.yaml (upstream ConfigHashAnnotationKey).
CONFIG_HASH_ANNOTATION = "apps.nvidia.com/training-config-hash"
VOLCANO = "volcano"
RUNAI = "runai"
SCHEDULERS = (VOLCANO, RUNAI)

PASSWORD_VAR = "POSTGRES_DB_PASSWORD"
KIND = NemoKind(
    part_of="nemo-customizer-service",
    port=API_PORT,
    probes={
        "livenessProbe": http_probe("/v1/health/live", 10, 10, 10, 1, 5),
        "readinessProbe": http_probe("/v1/health/ready", 10, 1, 10, 1, 3),
        "startupProbe": http_probe("/v1/health/ready", 30, 1, 10, 1, 30),
    },
    select=SELECT_NAME,
    extra_ports=((INTERNAL_PORT_NAME, INTERNAL_PORT),),
)

_ALL = ["create", "get", "list", "watch", "update", "delete", "patch"]
_READ = ["get", "list", "watch"]
#: The Role upstream gives the customizer (GetRoleParams), without the OpenShift SCC rule the
#: shared layer adds: training Jobs and what they create, events, NeMo's own training CRDs.
BASE_RULES: list[dict[str, list[str]]] = [
    {"apiGroups": ["batch"], "resources": ["jobs"], "verbs": _ALL},
    {"apiGroups": ["batch"], "resources": ["jobs/status"], "verbs": _READ},
    {"apiGroups": [""], "resources": ["pods", "persistentvolumeclaims", "services", "configmaps"],
     "verbs": ["create", "get", "list", "watch", "delete"]},
    {"apiGroups": [""], "resources": ["events"], "verbs": ["create", "get", "list", "watch"]},
    {"apiGroups": ["nvidia.com"],
     "resources": ["nemotrainingjobs", "nemotrainingjobs/status", "nemoentityhandlers"],
     "verbs": _ALL},
]
SCHEDULER_RULES: dict[str, list[dict[str, list[str]]]] = {
    VOLCANO: [
        {"apiGroups": ["batch.volcano.sh"], "resources": ["jobs"], "verbs": _ALL},
        {"apiGroups": ["batch.volcano.sh"], "resources": ["jobs/status"], "verbs": _READ},
        {"apiGroups": ["nodeinfo.volcano.sh"], "resources": ["numatopologies"], "verbs": _READ},
        {"apiGroups": ["scheduling.incubator.k8s.io", "scheduling.volcano.sh"],
         "resources": ["queues", "queues/status", "podgroups"], "verbs": _READ},
    ],
    # upstream's Helm ClusterRole lacks `create` here, so its operator cannot create this Role
    # (§9 item 28); nimop's permission table holds every verb it grants.
    RUNAI: [{"apiGroups": ["run.ai"], "resources": ["trainingworkloads", "runaijobs"],
             "verbs": _ALL}],
}


def role_rules(scheduler: str) -> list[dict[str, list[str]]]:
    """The customizer Role's rules for `scheduler` (an unknown one adds nothing)."""
    return [*BASE_RULES, *SCHEDULER_RULES.get(scheduler, [])]


def config_hash(config_yaml: str) -> str:
    return hashlib.sha256(config_yaml.encode()).hexdigest()


def callback_url(cr: NemoCustomizer, service: str) -> str:
    namespace = cr.metadata.namespace or "default"
    return f"http://{service}.{namespace}.svc.cluster.local:{INTERNAL_PORT}"


def customizer_env(cr: NemoCustomizer, service: str) -> list[dict[str, Any]]:
    """The customizer's own variables, before the database and OTEL ones (upstream order)."""
    wandb = cr.spec.wandb
    return [
        env_var("NAMESPACE", cr.metadata.namespace or "default"),
        field_env("HOST_IP", "status.hostIP"),
        env_var("CONFIG_PATH", CONFIG_PATH),
        env_var("CUSTOMIZATIONS_CALLBACK_URL", callback_url(cr, service)),
        env_var("LOG_LEVEL", "INFO"),
        secret_env("WANDB_ENCRYPTION_KEY", wandb.secret_name, wandb.encryption_key or ""),
        env_var("WANDB_SECRET_NAME", wandb.secret_name),
        env_var("WANDB_SECRET_KEY", wandb.api_key_key or "apiKey"),
    ]


def config_volume(configmap: str) -> dict[str, Any]:
    return {"name": CONFIG_VOLUME,
            "configMap": {"name": configmap, "items": [{"key": "config.yaml",
                                                        "path": "config.yaml"}]}}


def config_mount() -> dict[str, Any]:
    return {"name": CONFIG_VOLUME, "mountPath": CONFIG_MOUNT, "readOnly": True}


def ports() -> list[dict[str, Any]]:
    return [
        {"name": "api", "containerPort": API_PORT, "protocol": "TCP"},
        {"name": INTERNAL_PORT_NAME, "containerPort": INTERNAL_PORT, "protocol": "TCP"},
    ]


def internal_service_port() -> dict[str, Any]:
    return {"name": INTERNAL_PORT_NAME, "port": INTERNAL_PORT,
            "targetPort": INTERNAL_PORT_NAME, "protocol": "TCP"}


def postgres_env(db: DatabaseConfig) -> list[dict[str, Any]]:
    """Password by Secret reference; `POSTGRES_DB_DSN` assembled from it by Kubernetes instead
    of upstream's Secret `<name>` holding a plaintext copy (§9 items 29, 46)."""
    return [
        password_env(PASSWORD_VAR, db),
        env_var("POSTGRES_DB_DSN", postgres_uri(db, PASSWORD_VAR)),
        env_var("POSTGRES_SECRET_NAME", db.credentials.secret_name),
    ]


def config_sources(cr: NemoCustomizer, facts: ClusterFacts) -> ConfigSources:
    """The referenced ConfigMaps' data as the facts know it."""
    namespace = cr.metadata.namespace or "default"
    training = cr.spec.training_config.config_map
    return ConfigSources(
        model_config=facts.config_map(namespace, cr.spec.model_config_ref.name),
        training_config=facts.config_map(namespace, training.name) if training else None,
    )


def customizer_pod(cr: NemoCustomizer, ctx: NemoContext, config_yaml: str) -> NemoPod:
    spec = cr.spec
    env = [
        *customizer_env(cr, service_name(ctx.name)),
        *postgres_env(spec.database_config),
        *otel_env(spec.otel),
    ]
    return NemoPod(
        env,
        volumes=[config_volume(child_name(ctx.name))],
        mounts=[config_mount()],
        annotations={CONFIG_HASH_ANNOTATION: config_hash(config_yaml)},
    )


def _children(cr: NemoCustomizer, ctx: NemoContext, config: CustomizerConfig,
              out: Collector) -> NemoPod | None:
    """config.yaml, the model PVC, and the pod; no ConfigMap nor Deployment while config.yaml
    cannot be complete (a missing ConfigMap), so a running customizer keeps its last one."""
    for problem in config.problems:
        out.problem(problem.reason, problem.message, failed=problem.failed)
    pvc = cr.spec.training_config.model_pvc
    if pvc.create:
        out.add(created_pvc(ctx.owner, model_pvc_name(cr), pvc, ctx.labels,
                            "spec.trainingConfig.modelPVC", out))
    if config.problems:
        return None
    text = config.to_yaml()
    out.add(ctx.child("v1", "ConfigMap", child_name(ctx.name), data={CONFIG_KEY: text}))
    return customizer_pod(cr, ctx, text)


def render_nemocustomizer(cr: NemoCustomizer, facts: ClusterFacts | None = None) -> Rendered:
    """Desired children of a NemoCustomizer: the shared NeMo children, a Role for launching
    training jobs with the configured scheduler, config.yaml, the model PVC and the pod."""
    facts = facts or ClusterFacts()
    config = customizer_config(cr, config_sources(cr, facts))
    kind = dataclasses.replace(KIND, rules=role_rules(scheduler(cr.spec)))

    def build(ctx: NemoContext, out: Collector) -> NemoPod | None:
        return _children(cr, ctx, config, out)

    return render_nemo(cr, kind, build, facts)
