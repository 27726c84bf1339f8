"""What a NeMo spec names that must exist for its service to work, read from the typed model.

Two sorts of reference (docs/nemo.md, "What nimop checks"):

- **by name** — Secrets (database password, object-store key, W&B, NGC and Hugging Face keys,
  the guardrail's API key, the data store's prerequisite Secrets, `secretKeyRef`s in `env`), a
  PVC with `create: false`, the guardrail's config-store ConfigMap: looked up by
  :mod:`nimop.controllers.references`. Image pull secrets are not: the kubelet pulls without
  a missing one, and a public image still starts.
- **by URL** — the data store, entity store, NIM, vector DB, MLflow, Argo and object-store
  endpoints. A URL is only judged when its host is an in-cluster Service name
  (`<name>.<namespace>.svc[.<cluster domain>]`): when a nimop CR of the expected kind has that
  name, its readiness counts (NotReady while it is, woken by its events); otherwise the Service
  must exist. Any other host is an external endpoint nimop cannot see, and nothing is said.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from nimop.api import kinds
from nimop.api.common import PersistentVolumeClaim
from nimop.api.core.core_v1 import EnvVar
from nimop.api.kinds import Kind
from nimop.api.nemo_common import DatabaseConfig, NemoSpec
from nimop.api.nemo_customizer import NemoCustomizer
from nimop.api.nemo_datastore import NemoDatastore
from nimop.api.nemo_guardrail import NemoGuardrail
from nimop.api.resource import CustomResource
from nimop.controllers.references import Named
from nimop.render import Problem
from nimop.render.names import child_name
from nimop.watch.objects import meta

#: `http(s)://<name>.<namespace>.svc[.<domain>][:port][/path]`, or the same without a scheme.
IN_CLUSTER = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.[^:/]*)?"
                        r"(?::\d+)?(?:/.*)?$", re.IGNORECASE)
#: A single-label host (`http://platform-datastore:8000`): a pod resolves it, through its DNS
#: search list, to the Service of that name in its own namespace.
SHORT = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?([a-z0-9-]+)(?::\d+)?(?:/.*)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Endpoint:
    """A URL field of a kind's spec and the nimop kind it usually points at (None: any
    Service)."""

    path: tuple[str, ...]
    kind: Kind | None = None

    @property
    def field(self) -> str:
        return "spec." + ".".join(self.path)


#: URL fields per kind, as the spec spells them (read from the stored object: index functions
#: see raw objects).
ENDPOINTS: dict[str, tuple[Endpoint, ...]] = {
    "NemoEntitystore": (Endpoint(("datastore", "endpoint"), kinds.NEMODATASTORE),),
    "NemoDatastore": (Endpoint(("objectStoreConfig", "endpoint")),),
    "NemoGuardrail": (Endpoint(("nimEndpoint", "baseURL"), kinds.NIMSERVICE),),
    "NemoEvaluator": (Endpoint(("datastore", "endpoint"), kinds.NEMODATASTORE),
                      Endpoint(("entitystore", "endpoint"), kinds.NEMOENTITYSTORE),
                      Endpoint(("vectorDB", "endpoint")),
                      Endpoint(("argoWorkflows", "endpoint"))),
    "NemoCustomizer": (Endpoint(("datastore", "endpoint"), kinds.NEMODATASTORE),
                       Endpoint(("entitystore", "endpoint"), kinds.NEMOENTITYSTORE),
                       Endpoint(("mlflow", "endpoint"))),
}  # fmt: skip
#: The nimop kinds an endpoint can name (their events wake the services that name them).
ENDPOINT_KINDS = (kinds.NIMSERVICE, kinds.NEMODATASTORE, kinds.NEMOENTITYSTORE)


def in_cluster(url: str, namespace: str) -> tuple[str, str] | None:
    """`(name, namespace)` of the Service an in-cluster URL names (a short host: in
    `namespace`); None for any other URL."""
    if match := IN_CLUSTER.match(url.strip()):
        return match.group(1).lower(), match.group(2).lower()
    match = SHORT.match(url.strip())
    if match and match.group(1).lower() != "localhost":
        return match.group(1).lower(), namespace
    return None


def _at(obj: Mapping[str, Any], path: tuple[str, ...]) -> str | None:
    node: Any = obj.get("spec")
    for step in path:
        node = node.get(step) if isinstance(node, Mapping) else None
    return node if isinstance(node, str) else None


def endpoints(obj: Mapping[str, Any]) -> Iterator[tuple[Endpoint, str, str, str]]:
    """`(endpoint, url, name, namespace)` of each in-cluster URL of a NeMo object."""
    for endpoint in ENDPOINTS.get(str(obj.get("kind")), ()):
        url = _at(obj, endpoint.path)
        target = in_cluster(url, owner_namespace(obj)) if url else None
        if url and target:
            yield endpoint, url, *target


def named_by_endpoints(kind: Kind) -> Any:
    """Index function: `namespace/name` of the `kind` objects a NeMo object's URLs name."""

    def index(obj: Mapping[str, Any]) -> list[str]:
        return [f"{ns}/{name}" for e, _, name, ns in endpoints(obj) if e.kind == kind]

    return index


def endpoint_problems(obj: Mapping[str, Any], get: Any) -> tuple[list[Problem], list[Named]]:
    """Problems of URLs naming a nimop CR that is not Ready, and the Services the other
    in-cluster URLs name (to be looked up). `get(kind, namespace, name)` reads the cache."""
    problems: list[Problem] = []
    services: list[Named] = []
    for endpoint, url, name, namespace in endpoints(obj):
        target = get(endpoint.kind, namespace, name) if endpoint.kind else None
        if target is None:
            services.append(Named(kinds.SERVICE, name, f"{endpoint.field} {url}",
                                  namespace=namespace))
            continue
        state = (target.get("status") or {}).get("state")
        if state != "Ready":
            assert endpoint.kind is not None
            kind = endpoint.kind.kind
            problems.append(Problem(
                f"{kind}NotReady",
                f"{endpoint.field} ({url}) is {kind} {namespace}/{name}, which is not Ready "
                f"(state: {state or 'not reported'}); waiting for it"))
    return problems, services


# -- by name -------------------------------------------------------------------------------

def named(cr: CustomResource) -> list[Named]:
    """Every object `cr`'s spec names by name and its pods or jobs need."""
    spec = getattr(cr, "spec", None)
    if not isinstance(spec, NemoSpec):
        return []
    out = [*_env(spec.env, "spec.env")]
    database = getattr(spec, "database_config", None)
    if isinstance(database, DatabaseConfig):
        out.append(_db(database))
    if isinstance(cr, NemoDatastore):
        out += _datastore(cr)
    elif isinstance(cr, NemoGuardrail):
        out += _guardrail(cr)
    elif isinstance(cr, NemoCustomizer):
        out += _customizer(cr)
    return out


def _db(db: DatabaseConfig) -> Named:
    return Named(kinds.SECRET, db.credentials.secret_name,
                 "spec.databaseConfig.credentials.secretName", db.credentials.password_key)


def _env(env: list[EnvVar] | None, field: str) -> Iterator[Named]:
    for i, var in enumerate(env or ()):
        ref = var.value_from.secret_key_ref if var.value_from else None
        if ref is not None and ref.name and not ref.optional:
            yield Named(kinds.SECRET, ref.name, f"{field}[{i}] ({var.name})", ref.key)


def _existing_pvc(pvc: PersistentVolumeClaim | None, owner: str, field: str) -> list[Named]:
    if pvc is None or pvc.create:
        return []
    return [Named(kinds.PVC, pvc.name or child_name(owner, "-pvc"), f"{field}.name")]


def _datastore(cr: NemoDatastore) -> list[Named]:
    s = cr.spec.secrets
    out = [
        Named(kinds.SECRET, s.gitea_admin_secret, "spec.secrets.giteaAdminSecret",
              "GITEA_ADMIN_PASSWORD"),
        Named(kinds.SECRET, s.lfs_jwt_secret, "spec.secrets.lfsJwtSecret", "jwtSecret"),
        Named(kinds.SECRET, s.datastore_init_secret, "spec.secrets.datastoreInitSecret"),
        Named(kinds.SECRET, s.datastore_config_secret, "spec.secrets.datastoreConfigSecret"),
        Named(kinds.SECRET, s.datastore_inline_config_secret,
              "spec.secrets.datastoreInlineConfigSecret"),
    ]
    store = cr.spec.object_store_config
    if store is not None:
        out.append(Named(kinds.SECRET, store.credentials.secret_name,
                         "spec.objectStoreConfig.credentials.secretName",
                         store.credentials.password_key))
    return out + _existing_pvc(cr.spec.pvc, cr.metadata.name or "", "spec.pvc")


def _guardrail(cr: NemoGuardrail) -> list[Named]:
    out: list[Named] = []
    endpoint = cr.spec.nim_endpoint
    if endpoint is not None and endpoint.api_key_secret:
        out.append(Named(kinds.SECRET, endpoint.api_key_secret, "spec.nimEndpoint.apiKeySecret",
                         endpoint.api_key_key))
    store = cr.spec.config_store
    if store is not None and store.config_map is not None:
        out.append(Named(kinds.USER_CONFIG_MAP, store.config_map.name,
                         "spec.configStore.configMap.name"))
    if store is not None:
        out += _existing_pvc(store.pvc, cr.metadata.name or "", "spec.configStore.pvc")
    return out


def _customizer(cr: NemoCustomizer) -> list[Named]:
    spec = cr.spec
    wandb = spec.wandb
    out = [Named(kinds.SECRET, wandb.secret_name, "spec.wandb.secretName", wandb.api_key_key)]
    if wandb.encryption_key:
        out.append(Named(kinds.SECRET, wandb.secret_name, "spec.wandb.secretName",
                         wandb.encryption_key))
    jobs = spec.model_download_jobs
    if jobs.ngc_api_secret is not None:
        out.append(Named(kinds.SECRET, jobs.ngc_api_secret.name,
                         "spec.modelDownloadJobs.ngcAPISecret.name", jobs.ngc_api_secret.key))
    if jobs.hf_secret is not None:
        out.append(Named(kinds.SECRET, jobs.hf_secret.name,
                         "spec.modelDownloadJobs.hfSecret.name", jobs.hf_secret.key))
    out += _env(spec.training_config.env, "spec.trainingConfig.env")
    return out + _existing_pvc(spec.training_config.model_pvc, cr.metadata.name or "",
                               "spec.trainingConfig.modelPVC")


def owner_namespace(obj: Mapping[str, Any]) -> str:
    return str(meta(obj).get("namespace") or "")
