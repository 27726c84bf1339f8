"""Every kind nimop reads or writes, in one table: group, version, kind, plural, scope, whether
the API is optional, and the label selector of its informer.

Everything that needs a list of kinds takes it from here: the operator's informers
(`nimop.operator`), each controller's `ChildSync` (`*_CHILDREN`), the renderers' declared child
kinds (`nimop.render.*.CHILD_KINDS`, checked against every golden render), the RBAC table
(`nimop.permissions` names kinds, not resource strings) and the OLM CSV's owned resources
(`nimop.deploygen.olm`). A renderer that emits a kind missing here fails
`tests/unit/deploy/test_permissions.py`.

It lives in `nimop.api` because the renderers may import only `nimop.api` and the standard
library; `nimop.watch` (which may import nothing of nimop) gets plain `ResourceRef`s built from
these entries by the operator.

Children are cached through label-selected informers (`app.kubernetes.io/managed-by=nimop`,
which every rendered child carries), so the operator's memory grows with what it manages, not
with the cluster. Optional kinds are used only when discovery says they are served.
"""

from __future__ import annotations

from dataclasses import dataclass

from nimop.api.registry import KINDS as CRDS
from nimop.api.resource import GROUP, VERSION

MANAGED_SELECTOR = "app.kubernetes.io/managed-by=nimop"


@dataclass(frozen=True)
class Kind:
    """One row of the table."""

    group: str
    version: str
    kind: str
    #: the REST resource name (`ingresses`, not `ingresss`)
    plural: str
    #: namespaced or cluster-scoped
    namespaced: bool = True
    #: label selector of the informer (None: every object of the kind)
    selector: str | None = MANAGED_SELECTOR
    #: served only on some clusters (a CRD someone else installs)
    optional: bool = False

    @property
    def cached_whole(self) -> bool:
        """The store holds every object of the kind (no label selector): a name's holder is
        found there, without a request, and nimop needs no ``get`` to read one."""
        return self.selector is None

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def gvk(self) -> tuple[str, str, str]:
        return (self.group, self.version, self.kind)

    @property
    def key(self) -> tuple[str, str]:
        """`(apiVersion, kind)`, as a rendered object spells it."""
        return (self.api_version, self.kind)

    def __str__(self) -> str:
        return f"{self.api_version}/{self.kind}"


def _ours(kind: str) -> Kind:
    """One of nimop's own kinds; its plural is the one its CRD is generated with."""
    return Kind(GROUP, VERSION, kind, CRDS[kind].plural, selector=None)


NIMCACHE = _ours("NIMCache")
NIMSERVICE = _ours("NIMService")
NIMPIPELINE = _ours("NIMPipeline")
NIMBUILD = _ours("NIMBuild")
NEMOENTITYSTORE = _ours("NemoEntitystore")
NEMODATASTORE = _ours("NemoDatastore")
NEMOGUARDRAIL = _ours("NemoGuardrail")
NEMOEVALUATOR = _ours("NemoEvaluator")
NEMOCUSTOMIZER = _ours("NemoCustomizer")
NEMO_KINDS = (NEMOENTITYSTORE, NEMODATASTORE, NEMOGUARDRAIL, NEMOEVALUATOR, NEMOCUSTOMIZER)
#: The NeMo kinds with a controller: all of them.
NEMO_PRIMARIES = NEMO_KINDS
PRIMARIES = (NIMCACHE, NIMSERVICE, NIMPIPELINE, NIMBUILD, *NEMO_PRIMARIES)

SERVICE_ACCOUNT = Kind("", "v1", "ServiceAccount", "serviceaccounts")
SERVICE = Kind("", "v1", "Service", "services")
PVC = Kind("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims")
CONFIG_MAP = Kind("", "v1", "ConfigMap", "configmaps")
#: ConfigMaps users write and a CR reads (a NemoCustomizer's model catalogue): every one in
#: the watched namespaces, as upstream caches them (its informers are unfiltered for ConfigMaps)
USER_CONFIG_MAP = Kind("", "v1", "ConfigMap", "configmaps", selector=None)
SECRET = Kind("", "v1", "Secret", "secrets")
POD = Kind("", "v1", "Pod", "pods")
ROLE = Kind("rbac.authorization.k8s.io", "v1", "Role", "roles")
ROLE_BINDING = Kind("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings")
DEPLOYMENT = Kind("apps", "v1", "Deployment", "deployments")
JOB = Kind("batch", "v1", "Job", "jobs")
INGRESS = Kind("networking.k8s.io", "v1", "Ingress", "ingresses")
HPA = Kind("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers")
HTTP_ROUTE = Kind("gateway.networking.k8s.io", "v1", "HTTPRoute", "httproutes", optional=True)
GRPC_ROUTE = Kind("gateway.networking.k8s.io", "v1", "GRPCRoute", "grpcroutes", optional=True)
SERVICE_MONITOR = Kind("monitoring.coreos.com", "v1", "ServiceMonitor", "servicemonitors",
                       optional=True)
LWS = Kind("leaderworkerset.x-k8s.io", "v1", "LeaderWorkerSet", "leaderworkersets",
           optional=True)
ISVC = Kind("serving.kserve.io", "v1beta1", "InferenceService", "inferenceservices",
            optional=True)
INFERENCE_POOL = Kind("inference.networking.k8s.io", "v1", "InferencePool", "inferencepools",
                      optional=True)
CLAIM_TEMPLATE = Kind("resource.k8s.io", "v1", "ResourceClaimTemplate",
                      "resourceclaimtemplates", optional=True)
CLAIM_TEMPLATE_BETA = Kind("resource.k8s.io", "v1beta2", "ResourceClaimTemplate",
                           "resourceclaimtemplates", optional=True)
#: NVIDIA's ComputeDomain (NVLink/IMEX, the DRA driver for GPUs): created for a multi-node
#: NIMService with `computeDomain.create`, or an existing one it names (read for its channel's
#: claim template and status), so every one in the watched namespaces, unlabelled
COMPUTE_DOMAIN = Kind("resource.nvidia.com", "v1beta1", "ComputeDomain", "computedomains",
                      selector=None, optional=True)
#: generated by kube-controller-manager from templates: not labelled by us
CLAIM = Kind("resource.k8s.io", "v1", "ResourceClaim", "resourceclaims", selector=None,
             optional=True)
#: GPU products for NIMCache profile selection (upstream reads every node's labels)
NODE = Kind("", "v1", "Node", "nodes", namespaced=False, selector="nvidia.com/gpu.present=true")

#: KServe's `inferenceservice-config` (cluster defaults): an informer on KServe's namespace only,
#: unlabelled (KServe's own object), so not part of `ALL` (nimop.controllers.kserve_config)
KSERVE_CONFIG = Kind("", "v1", "ConfigMap", "configmaps", selector=None, optional=True)

NIMCACHE_CHILDREN = (PVC, JOB, POD, CONFIG_MAP, SERVICE_ACCOUNT, ROLE, ROLE_BINDING)
NIMSERVICE_CHILDREN = (
    SERVICE_ACCOUNT, ROLE, ROLE_BINDING, SERVICE, PVC, CONFIG_MAP, DEPLOYMENT, INGRESS, HPA,
    HTTP_ROUTE, GRPC_ROUTE, SERVICE_MONITOR, LWS, ISVC, CLAIM_TEMPLATE, CLAIM_TEMPLATE_BETA,
    INFERENCE_POOL, COMPUTE_DOMAIN,
)
NIMPIPELINE_CHILDREN = (NIMSERVICE,)
NIMBUILD_CHILDREN = (POD,)
#: What the shared NeMo layer renders (`nimop.render.nemo`), for every NeMo kind.
NEMO_CHILDREN = (
    SERVICE_ACCOUNT, ROLE, ROLE_BINDING, SERVICE, PVC, CONFIG_MAP, DEPLOYMENT, INGRESS, HPA,
    HTTP_ROUTE, SERVICE_MONITOR,
)
#: The kinds each primary owns (renders and syncs), by the primary's kind name.
CHILDREN: dict[str, tuple[Kind, ...]] = {
    NIMCACHE.kind: NIMCACHE_CHILDREN,
    NIMSERVICE.kind: NIMSERVICE_CHILDREN,
    NIMPIPELINE.kind: NIMPIPELINE_CHILDREN,
    NIMBUILD.kind: NIMBUILD_CHILDREN,
    **{k.kind: NEMO_CHILDREN for k in NEMO_KINDS},
}

#: Every kind the operator caches in an informer (not Secrets: the generated SSH key is read by
#: name, so nimop holds no list/watch on Secrets).
ALL = tuple(dict.fromkeys([
    *PRIMARIES, *NIMCACHE_CHILDREN, *NIMSERVICE_CHILDREN, *NIMBUILD_CHILDREN, CLAIM, NODE,
    USER_CONFIG_MAP,
]))


def keys(kinds: tuple[Kind, ...]) -> frozenset[tuple[str, str]]:
    """`(apiVersion, kind)` of each kind: what a renderer declares it may emit."""
    return frozenset(k.key for k in kinds)


def find(api_version: str, kind: str) -> Kind | None:
    """The table row of an object's `apiVersion`/`kind` (None: not a kind nimop knows)."""
    return next((k for k in ALL if k.key == (api_version, kind)), None)
