"""The Kubernetes API access nimop needs: one declarative table, and nothing else grants any.

The kustomize ClusterRole/Role, the OLM CSV's `permissions`/`clusterPermissions` and the RBAC
table in docs/security.md are all generated from :data:`PERMISSIONS` (`nimop.deploygen`).
Unit tests check the table covers every child kind the renderers emit, every rule of the Roles
they render (RBAC escalation prevention: we may only grant what we hold), and every kind the
controllers watch — so a missing line fails a test instead of a 403 in a user's cluster.

Rules of the table (upstream's ClusterRole grants far more, §6.6):
- no wildcards, no `escalate`/`bind`/`impersonate`;
- children get exactly the verbs the sync loop uses: `list watch` (informers), `get` (the one
  read of the holder when the create-only apply of a child missing from the cache is refused
  with 409: never adopt a stranger; not for kinds cached whole, NIMServices and ComputeDomains,
  whose store shows every holder), `create` (server-side apply of a missing object is
  authorized as create), `patch` (apply), `delete` (pruning) — and no `delete` where no spec
  change can prune the child (PVCs are never pruned; multi-node and DRA settings are
  immutable). No `update`, no `deletecollection`;
- kinds only cached get `list watch`, no `get`; status only `patch`;
- Secrets: only for the features that need them (the MPI SSH key; the existence check of the
  Secrets a NeMo spec names; a NIMCache's image pull secret, to inspect its image): `get` by
  name and `create`, no `list`/`watch` (RBAC cannot narrow those to nimop's own), never updated
  or deleted;
- Leases only in the operator's namespace (a Role, never a ClusterRole);
- every grant is one some request of the operator sends, or is marked ``held`` with the reason
  it is held although never sent (the RBAC the operator must hold to grant it in a Role it
  creates, or an authorization check the apiserver makes itself):
  tests/e2e/test_rbac_verbs.py derives the sent ones from the audit log of a scenario that
  drives every controller and fails on any other grant.

Scopes: `cluster` rules are about cluster-scoped resources (always a ClusterRole); `namespaced`
rules are about the watched namespaces' objects (a ClusterRole when watching every namespace, a
Role per watched namespace otherwise); `operator` rules apply in the operator's own namespace.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from nimop.api import kinds
from nimop.api.kinds import Kind
from nimop.api.resource import GROUP

Scope = Literal["cluster", "namespaced", "operator"]

READ = ("get", "list", "watch")
#: What an informer does: kinds nimop only caches need nothing else.
CACHE = ("list", "watch")
#: What the generic child sync does: informer reads, create/apply, prune.
MANAGE = ("create", "delete", "get", "list", "patch", "watch")
#: Children no spec change prunes: everything the sync does but delete.
KEEP = ("create", "get", "list", "patch", "watch")
#: Children of a kind cached whole (no label selector): the store shows a name's holder, so
#: the sync never reads one (`ChildSync(whole=...)`).
WHOLE = tuple(v for v in MANAGE if v != "get")
#: Why escalation-prevention rules are held: nimop never sends them.
ESCALATION = ("Never sent: RBAC escalation prevention lets nimop create a Role only with "
              "permissions it holds itself.")  # fmt: skip

CORE = ""
APPS_NVIDIA = GROUP
#: The kinds nimop reconciles.
OWN_KINDS = tuple(k.plural for k in kinds.PRIMARIES)
#: The lease name the operator elects its leader on (`nimop.watch` settings default).
LEADER_LEASE = "nimop-leader"


def on(*table: Kind) -> tuple[str, tuple[str, ...]]:
    """`(apiGroup, resources)` of kinds of one group, spelled as the kind table spells them."""
    groups = {k.group for k in table}
    if len(groups) != 1:
        raise ValueError(f"one API group per rule, got {sorted(groups)}")
    return groups.pop(), tuple(dict.fromkeys(k.plural for k in table))


@dataclass(frozen=True)
class Permission:
    """One RBAC rule and the reason it exists."""

    group: str
    resources: tuple[str, ...]
    verbs: tuple[str, ...]
    why: str
    scope: Scope = "namespaced"
    resource_names: tuple[str, ...] = ()
    #: Held, not sent: why the operator holds this grant although no request of its own uses
    #: it (the derived-verbs e2e test checks these are exactly the grants never sent).
    held: str = ""

    def rule(self) -> dict[str, list[str]]:
        """The `rbac.authorization.k8s.io/v1` PolicyRule."""
        out = {"apiGroups": [self.group], "resources": sorted(self.resources),
               "verbs": sorted(self.verbs)}
        if self.resource_names:
            out["resourceNames"] = sorted(self.resource_names)
        return out

    def allows(self, group: str, resource: str, verb: str, name: str | None = None) -> bool:
        if group != self.group or resource not in self.resources or verb not in self.verbs:
            return False
        return not self.resource_names or name in self.resource_names


PERMISSIONS: tuple[Permission, ...] = (
    # -- our own API ---------------------------------------------------------------------------
    Permission(*on(kinds.NIMCACHE, kinds.NIMPIPELINE, kinds.NIMBUILD, *kinds.NEMO_PRIMARIES),
               (*CACHE, "patch"),
               "Watch the custom resources nimop reconciles; patch only to remove the finalizer "
               "the upstream NIM Operator left on resources it managed (migration)."),
    Permission(*on(kinds.NIMSERVICE), WHOLE,
               "Watch NIMServices; a NIMPipeline creates, applies and prunes its NIMServices "
               "(cached whole: no get)."),
    Permission(APPS_NVIDIA, tuple(f"{k}/status" for k in OWN_KINDS), ("patch",),
               "Report status (state, conditions) on the status subresource only."),
    Permission(APPS_NVIDIA, tuple(f"{k}/finalizers" for k in OWN_KINDS), ("update",),
               "Children carry a controller ownerReference with blockOwnerDeletion; clusters "
               "running the OwnerReferencesPermissionEnforcement admission plugin (OpenShift) "
               "require update on the owner's finalizers for that.",
               held="Never sent: the OwnerReferencesPermissionEnforcement admission plugin "
                    "checks it when a child with blockOwnerDeletion is written."),
    # -- children the renderers emit -----------------------------------------------------------
    Permission(*on(kinds.PVC), KEEP,
               "NIMCache model storage, NIMService PVCs (spec.storage.pvc.create), the NeMo "
               "data store and guardrail config-store PVCs; a GET by name of an existing PVC a "
               "NeMo spec names (create: false), reported PVCNotFound when absent. nimop never "
               "deletes a PVC (data): one the spec stops creating stays until its owner is "
               "deleted."),
    Permission(*on(kinds.SERVICE_ACCOUNT), MANAGE,
               "Per-NIMService and per-NeMo-service ServiceAccount and the shared NIMCache job "
               "ServiceAccount."),
    Permission(*on(kinds.SERVICE), MANAGE,
               "The Service in front of each NIMService and NeMo service; a GET by name of the "
               "Service an in-cluster NeMo endpoint URL names (EndpointsFound)."),
    Permission(*on(kinds.CONFIG_MAP), MANAGE,
               "Multi-node MPI hostfiles and start script; the NIMCache model manifest read from "
               "the probe pod."),
    Permission(*on(kinds.POD), MANAGE,
               "The NIMCache model-manifest probe pod; the NIMBuild engine build and "
               "local-manifest pods; read cache Job pods and NIMService pods for status."),
    Permission(CORE, ("pods/log",), ("get",),
               "Read the model manifest the NIMCache probe pod prints, and the local manifest "
               "the NIMBuild probe pod prints."),
    Permission(*on(kinds.SECRET), ("create", "get"),
               "Multi-node MPI: the controller creates the group's SSH key Secret <name>-ssh-pk "
               "once (the renderer only names it, the key needs randomness), after one GET by "
               "name per process that tells whether it exists. NeMo services: one GET by name "
               "of each Secret their spec names (database password, object store, W&B, NGC…), "
               "so a missing Secret or key is a SecretNotFound condition instead of a pod that "
               "never starts. NIMCache: one GET of source.ngc.pullSecret by name per cache "
               "generation, to read the image's model-download label from its registry. No "
               "list/watch: nimop never sees other Secrets. Never updated or deleted (garbage "
               "collection removes the SSH key with its NIMService)."),
    Permission(*on(kinds.DEPLOYMENT), MANAGE,
               "The standalone NIMService workload and every NeMo service's workload."),
    Permission(*on(kinds.JOB), MANAGE, "The NIMCache download Job."),
    Permission(*on(kinds.ROLE, kinds.ROLE_BINDING), MANAGE,
               "On OpenShift, the Role/RoleBinding granting a workload's ServiceAccount `use` of "
               "the SCC its pod requests."),
    Permission("security.openshift.io", ("securitycontextconstraints",), ("use",),
               "Escalation prevention: to create the Roles above nimop must hold what they "
               "grant, `use` of exactly these SCCs.", "cluster",
               ("anyuid", "hostmount-anyuid", "nonroot"), held=ESCALATION),
    Permission(*on(kinds.INGRESS), MANAGE,
               "spec.expose.router.ingress / spec.expose.ingress."),
    Permission(*on(kinds.HPA), MANAGE, "spec.scale.hpa."),
    Permission(*on(kinds.HTTP_ROUTE, kinds.GRPC_ROUTE), MANAGE,
               "spec.expose.router.gateway (Gateway API routes)."),
    Permission(*on(kinds.SERVICE_MONITOR), MANAGE,
               "spec.metrics.serviceMonitor (Prometheus Operator)."),
    Permission(*on(kinds.LWS), KEEP,
               "Multi-node NIMServices run as a LeaderWorkerSet (spec.multiNode is immutable, "
               "so it is never pruned; garbage collection deletes it)."),
    Permission(*on(kinds.ISVC), MANAGE,
               "inferencePlatform: kserve renders a KServe InferenceService."),
    Permission(*on(kinds.INFERENCE_POOL), MANAGE,
               "spec.expose.router.eppConfig: the endpoint picker's InferencePool (Gateway API "
               "Inference Extension)."),
    Permission("inference.networking.k8s.io", ("inferenceobjectives",), READ,
               "Escalation prevention: the endpoint picker's Role grants read on these.",
               held=ESCALATION),
    Permission("inference.networking.x-k8s.io", ("inferencepools", "inferenceobjectives"), READ,
               "Escalation prevention: the endpoint picker's Role grants read on these.",
               held=ESCALATION),
    Permission(*on(kinds.CLAIM_TEMPLATE), KEEP,
               "DRA: ResourceClaimTemplates created from spec.draResources device specs "
               "(immutable, so never pruned; garbage collection deletes them)."),
    Permission(*on(kinds.COMPUTE_DOMAIN), tuple(v for v in WHOLE if v != "delete"),
               "spec.multiNode.computeDomain: create the NIMService's ComputeDomain, or read an "
               "existing one from the cache for its channel's ResourceClaimTemplate and status "
               "(NVIDIA DRA driver for GPUs; cached whole: no get)."),
    Permission(*on(kinds.COMPUTE_DOMAIN), ("delete",),
               "A ComputeDomain whose rendered spec changed is deleted and created anew (its "
               "spec is immutable).",
               held="Sent only when an upgraded operator renders another spec for a live "
                    "ComputeDomain: no NIMService edit leads there (spec.multiNode is "
                    "immutable)."),
    Permission(*on(kinds.CLAIM), CACHE,
               "DRA: watch user-supplied ResourceClaims a NIMService names (allocation status)."),
    # -- what NeMo pods are granted (escalation prevention: nimop must hold it) ----------------
    Permission("batch", ("jobs",), ("update",),
               "Escalation prevention: the NemoCustomizer Role lets the customizer create and "
               "update its training Jobs (upstream's Role, kept as the customizer needs it).",
               held=ESCALATION),
    Permission("batch", ("jobs/status",), READ,
               "Escalation prevention: the NemoCustomizer Role reads training Job status.",
               held=ESCALATION),
    Permission(*on(kinds.PVC), ("delete",),
               "Escalation prevention: the NemoCustomizer Role lets the customizer delete the "
               "pods, PVCs, Services and ConfigMaps of its training jobs (nimop itself never "
               "deletes a PVC).",
               held=ESCALATION),
    Permission(CORE, ("events",), ("create", "get", "list", "watch"),
               "Escalation prevention: the NemoCustomizer Role lets the customizer read and "
               "record Events of its training jobs.",
               held=ESCALATION),
    Permission("nvidia.com", ("nemotrainingjobs", "nemotrainingjobs/status", "nemoentityhandlers"),
               ("create", "delete", "get", "list", "patch", "update", "watch"),
               "Escalation prevention: the NemoCustomizer Role lets the customizer drive NeMo's "
               "training job resources.",
               held=ESCALATION),
    Permission("batch.volcano.sh", ("jobs",),
               ("create", "delete", "get", "list", "patch", "update", "watch"),
               "Escalation prevention: a NemoCustomizer with scheduler volcano launches Volcano "
               "jobs.",
               held=ESCALATION),
    Permission("batch.volcano.sh", ("jobs/status",), READ,
               "Escalation prevention: the Volcano customizer Role reads job status.",
               held=ESCALATION),
    Permission("nodeinfo.volcano.sh", ("numatopologies",), READ,
               "Escalation prevention: the Volcano customizer Role reads NUMA topologies.",
               held=ESCALATION),
    Permission("scheduling.incubator.k8s.io", ("queues", "queues/status", "podgroups"), READ,
               "Escalation prevention: the Volcano customizer Role reads queues and podgroups.",
               held=ESCALATION),
    Permission("scheduling.volcano.sh", ("queues", "queues/status", "podgroups"), READ,
               "Escalation prevention: the Volcano customizer Role reads queues and podgroups.",
               held=ESCALATION),
    Permission("run.ai", ("trainingworkloads", "runaijobs"),
               ("create", "delete", "get", "list", "patch", "update", "watch"),
               "Escalation prevention: a NemoCustomizer with scheduler runai launches Run:ai "
               "workloads (upstream's ClusterRole lacks create here, so its Role is refused).",
               held=ESCALATION),
    # -- what the controllers read for cluster facts -------------------------------------------
    Permission(*on(kinds.NODE), CACHE,
               "GPU facts: nvidia.com/gpu.product labels for profile selection, OpenShift "
               "detection.", "cluster"),
    Permission("apiextensions.k8s.io", ("customresourcedefinitions",), CACHE,
               "Discover optional APIs (LeaderWorkerSet, KServe, Gateway API, ServiceMonitor) "
               "when their CRDs are installed or removed.", "cluster"),
    # -- events and leader election ------------------------------------------------------------
    Permission("events.k8s.io", ("events",), ("create",),
               "Events on state transitions of the custom resources (never aggregated into "
               "series, so never patched)."),
    Permission("coordination.k8s.io", ("leases",), ("create",),
               "Create the leader-election Lease (create cannot be limited by name).",
               "operator"),
    Permission("coordination.k8s.io", ("leases",), ("get", "update"),
               "Acquire and renew the leader-election Lease.", "operator", (LEADER_LEASE,)),
)


#: Only with ``--metrics-secure``: the operator asks the apiserver who a scraper is and whether
#: it may read /metrics (controller-runtime's WithAuthenticationAndAuthorization needs the same).
METRICS_AUTH: tuple[Permission, ...] = (
    Permission("authentication.k8s.io", ("tokenreviews",), ("create",),
               "--metrics-secure: authenticate the bearer token of a /metrics request.",
               "cluster"),
    Permission("authorization.k8s.io", ("subjectaccessreviews",), ("create",),
               "--metrics-secure: authorize the caller to get /metrics.", "cluster"),
)


def select(scope: Scope, table: Iterable[Permission] = PERMISSIONS) -> tuple[Permission, ...]:
    return tuple(p for p in table if p.scope == scope)


def rules(perms: Iterable[Permission]) -> list[dict[str, list[str]]]:
    """PolicyRules in table order (stable, so generated files do not churn)."""
    return [p.rule() for p in perms]


def allowed(group: str, resource: str, verb: str, name: str | None = None, *,
            scopes: Iterable[Scope] = ("cluster", "namespaced", "operator"),
            table: Iterable[Permission] = PERMISSIONS) -> bool:
    """Whether the table grants `verb` on `group/resource` (named `name`) in any of `scopes`."""
    wanted = set(scopes)
    return any(p.scope in wanted and p.allows(group, resource, verb, name) for p in table)


def sent(group: str, resource: str, verb: str) -> bool:
    """Whether nimop's own requests may use `verb` (granted, and not only held for a Role it
    creates): the children sync never prunes a kind it may not delete itself."""
    return any(p.allows(group, resource, verb) and not p.held for p in PERMISSIONS)


def markdown_table(table: Iterable[Permission] = PERMISSIONS) -> str:
    """The RBAC table of docs/security.md."""
    lines = ["| scope | apiGroup | resources | verbs | names | why | held, not sent |",
             "|---|---|---|---|---|---|---|"]
    for p in table:
        group = p.group or "core"
        names = ", ".join(sorted(p.resource_names)) or "any"
        lines.append(f"| {p.scope} | `{group}` | {', '.join(p.resources)} | "
                     f"{', '.join(sorted(p.verbs))} | {names} | {p.why} | {p.held or '-'} |")
    return "\n".join(lines) + "\n"
