"""NemoGuardrail children (§2.8): the shared NeMo children, the config store PVC
when it has one, and a Deployment calling the NIM of `spec.nimEndpoint`.

`nimEndpoint.nimServiceRef` names a NIMService instead of its URL: the renderer takes the
NIMService (the controller reads it from its store) and uses its in-cluster URL; a missing
NIMService leaves the Deployment out (`NIMServiceNotFound`), one that is not Ready is reported
(`NIMServiceNotReady`) while the guardrail starts anyway, so it serves as soon as the NIM does.

Fixed upstream bugs (§9 item 10): a created config-store PVC without a name is mounted by the
name it was created with (`<name>-pvc`), no config store means an empty directory instead of
a crash, and `NAMESPACE` is defined before `OTEL_RESOURCE_ATTRIBUTES` refers to it. The database
URI is assembled by Kubernetes from the password Secret reference (§9 item 46).
"""

from __future__ import annotations

from typing import Any

from nimop.api.nemo_guardrail import NemoGuardrail
from nimop.api.nimservice import NIMService
from nimop.render.env import env_var, secret_env
from nimop.render.facts import ClusterFacts
from nimop.render.names import child_name, service_name
from nimop.render.nemo import (
    SELECT_APP,
    V1_HEALTH_PROBES,
    NemoContext,
    NemoKind,
    NemoPod,
    init_container,
    main_image,
    namespace_env,
    otel_env,
    password_env,
    postgres_uri,
    render_nemo,
    wait_for_postgres,
)
from nimop.render.result import Collector, Rendered
from nimop.render.storage import created_pvc

KIND = NemoKind(
    part_of="nemo-guardrail-service",
    port=8000,
    probes=V1_HEALTH_PROBES,
    select=SELECT_APP,
)
CONFIG_STORE = "/config-store"
DEFAULT_SUB_PATH = "guardrails-config-store"
MIGRATION = ["/app/.venv/bin/alembic", "upgrade", "head"]


def nimservice_url(nim: NIMService) -> str:
    """The OpenAI-compatible base URL of a standalone NIMService's Service."""
    port = nim.spec.expose.service.port if nim.spec.expose and nim.spec.expose.service else 8000
    return f"http://{service_name(nim.metadata.name or '')}.{nim.metadata.namespace}.svc:{port}/v1"


def _nim_url(cr: NemoGuardrail, nim: NIMService | None, out: Collector) -> tuple[str | None, bool]:
    """The NIM base URL (None when none is configured), and False (with a problem) when the
    referenced NIMService does not exist."""
    endpoint = cr.spec.nim_endpoint
    if endpoint is None:
        return None, True
    ref = endpoint.nim_service_ref
    if ref is None:
        return endpoint.base_url, True
    where = f"{ref.namespace or cr.metadata.namespace or 'default'}/{ref.name}"
    if nim is None:
        out.problem("NIMServiceNotFound", f"spec.nimEndpoint.nimServiceRef: NIMService {where} "
                    "not found; waiting for it to be created")
        return None, False
    if (nim.status.state if nim.status else None) != "Ready":
        state = (nim.status.state if nim.status else None) or "not reported"
        out.problem("NIMServiceNotReady", f"NIMService {where} is not Ready (state: {state}); "
                    "the guardrail calls it once it is")
    return nimservice_url(nim), True


def _config_store(cr: NemoGuardrail, ctx: NemoContext, out: Collector
                  ) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The `config-store` volume and mount (None when its PVC cannot be rendered)."""
    store = cr.spec.config_store
    mount: dict[str, Any] = {"name": "config-store", "mountPath": CONFIG_STORE}
    if store and store.config_map:
        return {"name": "config-store", "configMap": {"name": store.config_map.name}}, mount
    if store and store.pvc:
        name = store.pvc.name or child_name(ctx.name, "-pvc")
        if store.pvc.create:
            obj = created_pvc(ctx.owner, name, store.pvc, ctx.labels,
                              "spec.configStore.pvc", out)
            if obj is None:
                return None
            out.add(obj)
        mount["subPath"] = store.pvc.sub_path or DEFAULT_SUB_PATH
        return {"name": "config-store", "persistentVolumeClaim": {"claimName": name}}, mount
    return {"name": "config-store", "emptyDir": {}}, mount


def _db_env(cr: NemoGuardrail) -> list[dict[str, Any]]:
    db = cr.spec.database_config
    if db is None:
        return []
    uri = postgres_uri(db, "POSTGRES_DB_PASSWORD")
    return [password_env("POSTGRES_DB_PASSWORD", db), env_var("POSTGRES_URI", uri),
            env_var("DB_URI", uri)]


def _env(cr: NemoGuardrail, url: str | None) -> list[dict[str, Any]]:
    spec = cr.spec
    env = [namespace_env()] + [env_var(k, v) for k, v in (
        ("CONFIG_STORE_PATH", CONFIG_STORE), ("DEFAULT_CONFIG_ID", "default"),
        ("DEFAULT_LLM_PROVIDER", "nim"), ("NEMO_GUARDRAILS_SERVER_ENABLE_CORS", "False"),
        ("NEMO_GUARDRAILS_SERVER_ALLOWED_ORIGINS", "*"), ("GUARDRAILS_HOST", "0.0.0.0"),
        ("GUARDRAILS_PORT", str(KIND.port)), ("DEMO", "False"))]
    if url:
        env.append(env_var("NIM_ENDPOINT_URL", url))
    endpoint = spec.nim_endpoint
    if endpoint and endpoint.api_key_secret:
        env.append(secret_env("NIM_ENDPOINT_API_KEY", endpoint.api_key_secret,
                              endpoint.api_key_key))
    env += _db_env(cr) + otel_env(spec.otel)
    if spec.otel and spec.otel.enabled:
        env.append(env_var("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=$(NAMESPACE)"))
    return env


def _init(cr: NemoGuardrail) -> list[dict[str, Any]]:
    db = cr.spec.database_config
    if db is None:
        return []
    env = [namespace_env(), env_var("PYTHONPATH", "/app/services/guardrails"), *_db_env(cr)]
    migration = init_container(
        "guardrail-db-migration", main_image(cr.spec), cr.spec.image.pull_policy,
        command=MIGRATION, workingDir="/app/services/guardrails", env=env)
    return [wait_for_postgres(db), migration]


def render_nemoguardrail(cr: NemoGuardrail, facts: ClusterFacts | None = None,
                         nim_service: NIMService | None = None) -> Rendered:
    """Desired children of a NemoGuardrail. `nim_service` is the NIMService named by
    `spec.nimEndpoint.nimServiceRef` (None when it does not exist or none is named)."""

    def build(ctx: NemoContext, out: Collector) -> NemoPod | None:
        url, found = _nim_url(cr, nim_service, out)
        store = _config_store(cr, ctx, out)
        if store is None or not found:
            return None
        volume, mount = store
        return NemoPod(_env(cr, url), init=_init(cr), volumes=[volume], mounts=[mount])

    return render_nemo(cr, KIND, build, facts)
