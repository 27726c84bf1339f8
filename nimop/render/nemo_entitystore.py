"""NemoEntitystore children (§2.8): the shared NeMo children, a Deployment whose pod
waits for PostgreSQL and runs the database migration before the entity store starts."""

from __future__ import annotations

from typing import Any

from nimop.api.nemo_entitystore import NemoEntitystore
from nimop.render.env import env_var
from nimop.render.facts import ClusterFacts
from nimop.render.nemo import (
    SELECT_APP,
    NemoContext,
    NemoKind,
    NemoPod,
    http_probe,
    init_container,
    main_image,
    password_env,
    render_nemo,
    wait_for_postgres,
)
from nimop.render.result import Collector, Rendered

KIND = NemoKind(
    part_of="nemo-entitystore-service",
    port=8000,
    probes={
        "livenessProbe": http_probe("/health", 3, 20, 10, 1, 10),
        "readinessProbe": http_probe("/health", 10, 20, 10, 1, 20),
        "startupProbe": http_probe("/health", 30, 1, 10, 1, 30),
    },
    select=SELECT_APP,
)
MIGRATION = ["/app/.venv/bin/python3", "-m", "scripts.run_db_migration"]


def _postgres_env(cr: NemoEntitystore) -> list[dict[str, Any]]:
    db = cr.spec.database_config
    return [
        password_env("POSTGRES_PASSWORD", db),
        env_var("POSTGRES_USER", db.credentials.user),
        env_var("POSTGRES_HOST", db.host),
        env_var("POSTGRES_PORT", str(db.port)),
        env_var("POSTGRES_DB", db.database_name),
    ]


def _pod(cr: NemoEntitystore) -> NemoPod:
    spec = cr.spec
    env = [env_var("APP_VERSION", spec.image.tag)]
    if spec.datastore:
        env.append(env_var("BASE_URL_DATASTORE", spec.datastore.endpoint))
    env += _postgres_env(cr)
    migration = init_container(
        "entitystore-db-migration", main_image(spec), spec.image.pull_policy,
        command=MIGRATION, workingDir="/app/services/entity-store", env=_postgres_env(cr),
        resources={"limits": {"cpu": "1", "memory": "1Gi"}},
    )
    return NemoPod(env, init=[wait_for_postgres(spec.database_config), migration])


def render_nemoentitystore(cr: NemoEntitystore, facts: ClusterFacts | None = None) -> Rendered:
    """Desired children of a NemoEntitystore."""

    def build(ctx: NemoContext, out: Collector) -> NemoPod:
        return _pod(cr)

    return render_nemo(cr, KIND, build, facts)
