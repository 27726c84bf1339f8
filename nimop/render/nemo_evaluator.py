"""NemoEvaluator: what sets the evaluator apart from the other NeMo services.

Upstream: `api/apps/v1alpha1/nemo_evaluator_types.go` (§2.8). The evaluator launches
evaluation jobs through Argo Workflows, so its pod gets the Argo server and service account, the
vector DB, data store and entity store endpoints, and the image of every evaluation harness as
environment; an init container migrates its database before it starts. Its Role lets it read and
create the Secrets and pods of those jobs. Everything else (Deployment, Service, routes, scaling,
metrics, database env) is the shared NeMo layer's.
"""

from __future__ import annotations

from typing import Any

from nimop.api.nemo_common import DatabaseConfig
from nimop.api.nemo_evaluator import EvaluationImages, NemoEvaluator
from nimop.render.env import env_var, field_env
from nimop.render.facts import ClusterFacts
from nimop.render.nemo import (
    SELECT_NAME,
    NemoContext,
    NemoKind,
    NemoPod,
    http_probe,
    init_container,
    main_image,
    otel_env,
    password_env,
    postgres_uri,
    render_nemo,
    wait_for_postgres,
)
from nimop.render.result import Collector, Rendered

#: The port the evaluator API listens on (upstream EvaluatorAPIPort).
API_PORT = 7331
MIGRATION_COMMAND = ["sh", "-c", "/app/scripts/run-db-migration.sh"]
MIGRATION_LIMITS = {"cpu": "1", "memory": "1Gi"}
#: Upstream's only extra Role rule gives `get watch list create` on the evaluation jobs'
#: Secrets and pods. Secrets keep `get create` only: list/watch would expose every credential
#: of the namespace to the evaluator, and nimop (which must hold what it grants) holds no
#: list/watch on Secrets at all.
ROLE_RULES: list[dict[str, list[str]]] = [
    {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "watch", "list", "create"]},
    {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "create"]},
]
def _probe(delay: int, failures: int) -> dict[str, Any]:
    """Upstream's `/health` probe; a zero delay is left out, as the apiserver stores it (an
    explicit 0 would read as drift on every reconcile: a write loop)."""
    probe = http_probe("/health", delay, 1, 10, 1, failures)
    return {k: v for k, v in probe.items() if v != 0}


KIND = NemoKind(
    part_of="nemo-evaluator-service",
    port=API_PORT,
    probes={
        "livenessProbe": _probe(0, 3),
        "readinessProbe": _probe(0, 3),
        "startupProbe": _probe(30, 30),
    },
    select=SELECT_NAME,
    rules=ROLE_RULES,
)
PASSWORD_VAR = "POSTGRES_DB_PASSWORD"
#: (spec field, env name) of each evaluation harness image, in upstream's order.
IMAGE_ENV = (
    ("bigcode_eval_harness", "BIGCODE_EVALUATION_HARNESS"),
    ("lm_eval_harness", "LM_EVAL_HARNESS"),
    ("similarity_metrics", "SIMILARITY_METRICS"),
    ("llm_as_judge", "LLM_AS_A_JUDGE"),
    ("mt_bench", "MT_BENCH"),
    ("retriever", "RETRIEVER"),
    ("rag", "RAG"),
    ("bfcl", "BFCL"),
    ("agentic_eval", "AGENTIC_EVAL"),
)


def image_env(images: EvaluationImages) -> list[dict[str, Any]]:
    """One variable per harness image, as upstream; an unset image is the variable without a
    value (what the apiserver stores for an empty one, so it never reads as drift)."""
    out: list[dict[str, Any]] = []
    for attr, name in IMAGE_ENV:
        image = getattr(images, attr, None)
        out.append(env_var(name, str(image)) if image else {"name": name})
    return out


def evaluator_env(cr: NemoEvaluator) -> list[dict[str, Any]]:
    """The evaluator's own variables, before the database and OTEL ones (upstream order)."""
    spec = cr.spec
    env = [
        env_var("NAMESPACE", cr.metadata.namespace or "default"),
        field_env("HOST_IP", "status.hostIP"),
        env_var("EVALUATOR_HOST", "0.0.0.0"),
        env_var("EVALUATOR_PORT", str(API_PORT)),
        env_var("ARGO_HOST", spec.argo_workflows.endpoint),
        env_var("MILVUS_URL", spec.vector_db.endpoint),
        env_var("SERVICE_ACCOUNT", spec.argo_workflows.service_account),
        env_var("DATA_STORE_URL", spec.datastore.endpoint),
        env_var("ENTITY_STORE_URL", spec.entitystore.endpoint),
        env_var("EVAL_CONTAINER", spec.image.image),
        env_var("LOG_HANDLERS", spec.log_handlers or "console"),
        env_var("CONSOLE_LOG_LEVEL", spec.console_log_level or "INFO"),
        env_var("EVAL_LOG_LEVEL", spec.eval_log_level or "INFO"),
    ]
    if spec.enable_validation is not False:
        # unset means enabled (upstream IsValidationEnabled)
        env.append(env_var("EVAL_ENABLE_VALIDATION", "True"))
    return env


def migration_env(cr: NemoEvaluator) -> list[dict[str, Any]]:
    """The migration init container's own variables (database and images follow)."""
    spec = cr.spec
    return [
        env_var("NAMESPACE", cr.metadata.namespace or "default"),
        env_var("ARGO_HOST", spec.argo_workflows.endpoint),
        env_var("EVAL_CONTAINER", spec.image.image),
        env_var("DATA_STORE_URL", spec.datastore.endpoint),
    ]


def postgres_env(db: DatabaseConfig) -> list[dict[str, Any]]:
    """The password by Secret reference and `POSTGRES_URI` built from it by Kubernetes (upstream
    copies the plaintext URI into a Secret `<name>` of its own, §9 item 46)."""
    return [password_env(PASSWORD_VAR, db), env_var("POSTGRES_URI", postgres_uri(db, PASSWORD_VAR))]


def evaluator_pod(cr: NemoEvaluator) -> NemoPod:
    """Main env in upstream's order, then `wait-for-postgres` and the database migration."""
    spec = cr.spec
    db = spec.database_config
    images = image_env(spec.evaluation_images)
    env = [*evaluator_env(cr), *postgres_env(db), *images, *otel_env(spec.otel)]
    migration = init_container(
        "evaluator-db-migration", main_image(spec), spec.image.pull_policy,
        command=MIGRATION_COMMAND, env=[*migration_env(cr), *postgres_env(db), *images],
        resources={"limits": dict(MIGRATION_LIMITS)},
    )
    return NemoPod(env, init=[wait_for_postgres(db), migration])


def render_nemoevaluator(cr: NemoEvaluator, facts: ClusterFacts | None = None) -> Rendered:
    """Desired children of a NemoEvaluator: the shared NeMo children with the evaluator's pod."""

    def build(ctx: NemoContext, out: Collector) -> NemoPod:
        return evaluator_pod(cr)

    return render_nemo(cr, KIND, build, facts)
