"""NemoDatastore children (§2.8): the shared NeMo children, the data PVC, and a
Gitea Deployment whose three init containers lay out `/data`, write `app.ini` and configure the
store.

Differences from upstream (docs/compatibility.md): without `spec.pvc` the data volume is an
emptyDir instead of a failed lookup of `<name>-pvc` (§9 item 9); `GITEA__LFS__MINIO_LOCATION`
appears once and the script Secrets are mounted `0555` instead of decimal `110` (= `0156`,
owner execute-only, §9 item 27).
"""

from __future__ import annotations

from typing import Any

from nimop.api.nemo_datastore import NemoDatastore
from nimop.render.env import env_var, secret_env
from nimop.render.facts import ClusterFacts
from nimop.render.names import child_name
from nimop.render.nemo import (
    V1_HEALTH_PROBES,
    NemoContext,
    NemoKind,
    NemoPod,
    init_container,
    main_image,
    password_env,
    render_nemo,
)
from nimop.render.result import Collector, Rendered
from nimop.render.storage import created_pvc

KIND = NemoKind(
    part_of="nemo-datastore-service",
    port=3000,
    probes=V1_HEALTH_PROBES,
)
#: Scripts are executed by the init containers: readable and executable, never writable.
SCRIPT_MODE = 0o555
CONFIG_MODE = 0o644
INIT_STEPS = (
    ("init-directories", ["/usr/sbin/init/init_directory_structure.sh"]),
    ("init-app-ini", ["/usr/sbin/config_environment.sh"]),
    ("configure-datastore", ["sh", "-c", "/usr/sbin/init/configure_gitea.sh"]),
)


def _data_volume(cr: NemoDatastore, ctx: NemoContext, out: Collector) -> dict[str, Any] | None:
    """`data`: the PVC of `spec.pvc` (created when `create`), else an emptyDir."""
    pvc = cr.spec.pvc
    if pvc is None:
        return {"name": "data", "emptyDir": {}}
    name = pvc.name or child_name(ctx.name, "-pvc")
    if pvc.create:
        obj = created_pvc(ctx.owner, name, pvc, ctx.labels, "spec.pvc", out)
        if obj is None:
            return None
        out.add(obj)
    return {"name": "data", "persistentVolumeClaim": {"claimName": name}}


def _secret_volume(name: str, secret: str, mode: int) -> dict[str, Any]:
    return {"name": name, "secret": {"secretName": secret, "defaultMode": mode}}


def _base_env(cr: NemoDatastore) -> list[dict[str, Any]]:
    spec = cr.spec
    env = [env_var(k, v) for k, v in (
        ("SSH_LISTEN_PORT", "2222"), ("SSH_PORT", "22"),
        ("GITEA_APP_INI", "/data/gitea/conf/app.ini"), ("GITEA_CUSTOM", "/data/gitea"),
        ("GITEA_WORK_DIR", "/data"), ("TMPDIR", "/tmp/gitea"), ("GITEA_TEMP", "/tmp/gitea"),
        ("HOME", "/data/gitea/git"))]
    env.append(secret_env("GITEA__SERVER__LFS_JWT_SECRET", spec.secrets.lfs_jwt_secret,
                          "jwtSecret"))
    env.append(password_env("GITEA__DATABASE__PASSWD", spec.database_config))
    store = spec.object_store_config
    if store:
        env.append(env_var("GITEA__LFS__MINIO_ACCESS_KEY_ID", store.credentials.user))
        env.append(secret_env("GITEA__LFS__MINIO_SECRET_ACCESS_KEY",
                              store.credentials.secret_name, store.credentials.password_key))
    return env


def _init_env(cr: NemoDatastore) -> list[dict[str, Any]]:
    spec = cr.spec
    db = spec.database_config
    admin = spec.secrets.gitea_admin_secret
    env = [
        *_base_env(cr),
        secret_env("GITEA_ADMIN_USERNAME", admin, "GITEA_ADMIN_USERNAME"),
        secret_env("GITEA_ADMIN_PASSWORD", admin, "GITEA_ADMIN_PASSWORD"),
        env_var("GITEA__DATABASE__SSL_MODE", "disable"),
        env_var("GITEA__DATABASE__NAME", db.database_name),
        env_var("GITEA__DATABASE__HOST", f"{db.host}:{db.port}"),
        env_var("GITEA__DATABASE__USER", db.credentials.user),
    ]
    store = spec.object_store_config
    if store:
        env += [env_var(k, v) for k, v in (
            ("GITEA__LFS__SERVE_DIRECT", str(store.serve_direct).lower()),
            ("GITEA__LFS__STORAGE_TYPE", "minio"), ("GITEA__LFS__MINIO_ENDPOINT", store.endpoint),
            ("GITEA__LFS__MINIO_BUCKET", store.bucket_name),
            ("GITEA__LFS__MINIO_LOCATION", store.region),
            ("GITEA__LFS__MINIO_USE_SSL", str(store.ssl).lower()))]
    return env


def _pod(cr: NemoDatastore, data: dict[str, Any]) -> NemoPod:
    spec = cr.spec
    secrets = spec.secrets
    volumes = [
        _secret_volume("init", secrets.datastore_init_secret, SCRIPT_MODE),
        _secret_volume("config", secrets.datastore_config_secret, SCRIPT_MODE),
        _secret_volume("inline-config-sources", secrets.datastore_inline_config_secret,
                       CONFIG_MODE),
        {"name": "temp", "emptyDir": {}}, data,
    ]
    data_mount: dict[str, Any] = {"name": "data", "mountPath": "/data"}
    if spec.pvc and spec.pvc.sub_path:
        data_mount["subPath"] = spec.pvc.sub_path
    init_mounts = [
        {"name": "config", "mountPath": "/usr/sbin"}, {"name": "temp", "mountPath": "/tmp"},
        {"name": "inline-config-sources", "mountPath": "/env-to-ini-mounts/inlines/"},
        {"name": "init", "mountPath": "/usr/sbin/init"}, data_mount,
    ]
    init = [init_container(name, main_image(spec), spec.image.pull_policy, command=command,
                           env=_init_env(cr), volumeMounts=init_mounts)
            for name, command in INIT_STEPS]
    gid = spec.group_id if spec.group_id is not None else 1000
    # Upstream replaces the pod security context with fsGroup alone (Gitea picks its user);
    # nimop keeps the Pod Security `restricted` fields on top.
    security = {"fsGroup": gid, "runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
    mounts = [{"name": "temp", "mountPath": "/tmp"}, data_mount]
    return NemoPod(_base_env(cr), init=init, volumes=volumes, mounts=mounts, security=security)


def render_nemodatastore(cr: NemoDatastore, facts: ClusterFacts | None = None) -> Rendered:
    """Desired children of a NemoDatastore; the data PVC comes before the Deployment."""

    def build(ctx: NemoContext, out: Collector) -> NemoPod | None:
        data = _data_volume(cr, ctx, out)
        return None if data is None else _pod(cr, data)

    return render_nemo(cr, KIND, build, facts)
