"""NIMCache → PVC, caching Job, manifest probe Pod and the namespace's cache RBAC (§3).

Which Job variant runs is decided by the source (§3.2 table); the Job is desired only until the
cache is Ready (a Ready cache never re-downloads, §2.2 h), so it disappears from the desired set
once done.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nimop.api import kinds
from nimop.api.common import PersistentVolumeClaim
from nimop.api.nimcache import DEFAULT_CACHE_NODE_SELECTOR, NIMCache
from nimop.render import cache_job
from nimop.render.facts import ClusterFacts
from nimop.render.names import child_name
from nimop.render.objects import manifest, merge_maps, metadata, standard_labels
from nimop.render.owners import CacheOwner, Owner, parsed
from nimop.render.pod import ca_volumes, compact, pod_security_context, pull_secrets
from nimop.render.profiles import select_profiles
from nimop.render.result import Child, Collector, Rendered
from nimop.render.storage import created_pvc
from nimop.render.wire import spec_hash, wire, wires

PART_OF = "nim-cache"
CACHE_SA = "nim-cache-sa"
CACHE_ROLE = "nim-cache-role"
CACHE_ROLE_BINDING = "nim-cache-rolebinding"
MANIFEST_SCRIPT = (
    "if [ -f /opt/nim/etc/default/model_manifest.yaml ]; then "
    "cat /opt/nim/etc/default/model_manifest.yaml; "
    "elif [ -f /etc/nim/config/model_manifest.yaml ]; then "
    "cat /etc/nim/config/model_manifest.yaml; "
    "else echo 'model_manifest.yaml not found'; fi; sleep infinity"
)

#: The kinds this renderer may emit: the kind table's NIMCACHE children.
CHILD_KINDS = kinds.keys(kinds.NIMCACHE_CHILDREN)


def render_nimcache(cache: NIMCache | Mapping[str, Any],
                    facts: ClusterFacts | None = None) -> Rendered:
    """Desired children of a NIMCache. Problems: `InvalidPVCSpec`, `ModelManifestPending`,
    `NoProfilesSelected`, `DeprecatedCertConfig`."""
    facts = facts or ClusterFacts()
    model = parsed(NIMCache, cache)
    owner = Owner.of(model, model.spec)
    status = model.status
    out = Collector()
    out.workload = Child(kinds.JOB, child_name(owner.name, "-job"))
    out.probe = Child(kinds.POD, child_name(owner.name, "-pod"))
    out.storage = Child(kinds.PVC, pvc_name(owner))
    out.manifest = Child(kinds.CONFIG_MAP, manifest_config_map_name(owner.name))
    out.add(*rbac(owner, facts))
    out.add(pvc(owner, out))
    if owner.spec.cert_config is not None:
        out.problem("DeprecatedCertConfig", "spec.certConfig is no longer supported; use "
                    "spec.proxy.certConfigMap", failed=True)
    if (status.state if status else None) != "Ready" and not out.problems:
        _job_or_probe(owner, (status.type if status else None) or "", facts, out)
    return out.result(spec_hash(wire(owner.spec)))


def manifest_config_map_name(cache_name: str) -> str:
    """ConfigMap `<name>-manifest`: the model manifest the probe printed (§3.4)."""
    return child_name(cache_name, "-manifest")


def labels(owner: CacheOwner) -> dict[str, str]:
    """C2: NIMCache standard labels plus `app: k8s-nim-operator`; user labels don't exist here."""
    return merge_maps({"app": "k8s-nim-operator"}, standard_labels(owner, PART_OF))


def pvc_name(owner: CacheOwner) -> str:
    pvc = owner.spec.storage.pvc
    return (pvc.name if pvc else None) or child_name(owner.name, "-pvc")


def pvc(owner: CacheOwner, out: Collector) -> dict[str, Any] | None:
    """The cache PVC when `create: true` (§3.3), as every kind creates one (`created_pvc`)."""
    spec = owner.spec.storage.pvc or PersistentVolumeClaim()
    if not spec.create:
        if not spec.name:
            out.problem("InvalidPVCSpec", "spec.storage.pvc: set name (an existing PVC) or "
                        "create: true with a size", failed=True)
        return None
    return created_pvc(owner, pvc_name(owner), spec, labels(owner), "spec.storage.pvc", out)


def rbac(owner: CacheOwner, facts: ClusterFacts) -> list[dict[str, Any]]:
    """The namespace's shared cache ServiceAccount, and on OpenShift its SCC Role/RoleBinding
    (§2.2 steps a to c). Shared, so not owned by any one NIMCache (upstream: never deleted).
    The Role grants both SCCs a cache pod may request, so caches with and without a proxy no longer
    overwrite each other's rule (§9 bug 6)."""
    lbl = {"app": "k8s-nim-operator", "app.kubernetes.io/managed-by": "nimop"}
    out = [manifest("v1", "ServiceAccount", metadata(owner, CACHE_SA, lbl, owned=False))]
    if not facts.openshift:
        return out
    rule = {"apiGroups": ["security.openshift.io"], "resources": ["securitycontextconstraints"],
            "verbs": ["use"], "resourceNames": ["anyuid", "nonroot"]}
    out.append(manifest("rbac.authorization.k8s.io/v1", "Role",
                        metadata(owner, CACHE_ROLE, lbl, owned=False), rules=[rule]))
    out.append(manifest(
        "rbac.authorization.k8s.io/v1", "RoleBinding",
        metadata(owner, CACHE_ROLE_BINDING, lbl, owned=False),
        roleRef={"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": CACHE_ROLE},
        subjects=[{"kind": "ServiceAccount", "name": CACHE_SA, "namespace": owner.namespace}],
    ))
    return out


def _job_or_probe(owner: CacheOwner, cache_type: str, facts: ClusterFacts,
                  out: Collector) -> None:
    src = cache_job.Source.of(owner.spec, cache_type)
    manifest_data = facts.model_manifest(owner.namespace, owner.name)
    if src.needs_manifest(manifest_data is not None):
        out.add(probe_pod(owner, src, facts))
        out.problem("ModelManifestPending", "waiting for the model manifest of "
                    f"{src.puller} (probe pod {child_name(owner.name, '-pod')})")
        return
    profiles: list[str] = []
    if src.key == "ngc" and src.optimized and not src.native:
        profiles = select_profiles(src.ngc.model if src.ngc else None, manifest_data or {},
                                   facts.gpu_products)
        if not profiles:
            out.problem("NoProfilesSelected", "no profiles are selected for caching: no "
                        "manifest profile matches spec.source.ngc.model on this cluster's GPUs")
            return
    out.add(job(owner, src, profiles, facts))


def pod_spec(owner: CacheOwner, src: cache_job.Source) -> dict[str, Any]:
    """Pod fields shared by the Job and the probe pod (§3.2 common part, §3.4)."""
    spec = owner.spec
    pod: dict[str, Any] = {
        "serviceAccountName": CACHE_SA,
        "automountServiceAccountToken": False,
        "securityContext": {**pod_security_context(spec.user_id, spec.group_id),
                            "runAsNonRoot": True},
        "nodeSelector": (DEFAULT_CACHE_NODE_SELECTOR if spec.node_selector is None
                         else spec.node_selector),
        "tolerations": wires(spec.tolerations),
        "runtimeClassName": spec.runtime_class_name,
        "imagePullSecrets": pull_secrets([src.pull_secret]),
    }
    return compact(pod)


def pod_annotations(owner: CacheOwner, facts: ClusterFacts) -> dict[str, str]:
    ann = {"sidecar.istio.io/inject": "false"}
    if facts.openshift:
        root = bool(owner.spec.proxy and owner.spec.proxy.cert_config_map)
        ann["openshift.io/required-scc"] = "anyuid" if root else "nonroot"
    return ann


def probe_pod(owner: CacheOwner, src: cache_job.Source, facts: ClusterFacts) -> dict[str, Any]:
    """`<name>-pod` printing the image's model manifest to its log (§3.4)."""
    ctr = {
        "name": "nim-cache-ctr", "image": src.puller,
        "command": ["/bin/sh", "-c", MANIFEST_SCRIPT],
        "securityContext": cache_job.container_security(owner.spec),
        "resources": cache_job.resources(owner.spec),
    }
    spec = {"restartPolicy": "Never", **pod_spec(owner, src),
            "containers": [{k: v for k, v in ctr.items() if v}]}
    meta = metadata(owner, child_name(owner.name, "-pod"), labels(owner),
                    pod_annotations(owner, facts))
    return manifest("v1", "Pod", meta, spec=spec)


def job(owner: CacheOwner, src: cache_job.Source, profiles: list[str],
        facts: ClusterFacts) -> dict[str, Any]:
    """The caching Job `<name>-job` (§3.2): backoffLimit 5, TTL 600 s, restartPolicy Never."""
    containers, init = cache_job.containers(owner, src, profiles)
    volumes = [
        {"name": "nim-cache-volume", "persistentVolumeClaim": {"claimName": pvc_name(owner)}},
        {"name": "scratch", "emptyDir": {}},
        *ca_volumes(owner.spec.proxy),
    ]
    pod = {"restartPolicy": "Never", **pod_spec(owner, src), "initContainers": init or None,
           "containers": containers, "volumes": volumes}
    template = {
        "metadata": {"labels": labels(owner), "annotations": pod_annotations(owner, facts)},
        "spec": {k: v for k, v in pod.items() if v is not None},
    }
    meta = metadata(owner, child_name(owner.name, "-job"), labels(owner))
    return manifest("batch/v1", "Job", meta, spec={
        "backoffLimit": 5, "ttlSecondsAfterFinished": 600, "template": template,
    })
