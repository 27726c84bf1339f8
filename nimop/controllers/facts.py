"""ClusterFacts from informer stores and discovery: what the renderers may know about the
cluster, gathered without a single API request."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from nimop.api import kinds
from nimop.controllers.image_protocol import Verdict
from nimop.controllers.kserve_config import kserve_defaults
from nimop.controllers.runtime import Runtime
from nimop.render import ClusterFacts, ComputeDomainFacts, NIMCacheFacts
from nimop.render.cache import manifest_config_map_name

MANIFEST_KEY = "model_manifest.yaml"
#: The API only OpenShift serves: pods there are admitted by SecurityContextConstraints.
SCC_GVK = ("security.openshift.io", "v1", "SecurityContextConstraints")
#: The node label upstream detects OpenShift by (set by OpenShift's machine-config on every node).
OPENSHIFT_NODE_LABEL = "node.openshift.io/os_id"


def cluster_facts(
    rt: Runtime,
    namespace: str,
    *,
    nimcache: str | None = None,
    isvc: str | None = None,
    manifest_of: str | None = None,
    compute_domain: str | None = None,
    image: tuple[str, Verdict] | None = None,
) -> ClusterFacts:
    """Facts for one CR in `namespace`: the NIMCache it references, its live
    InferenceService's deployment mode, the model manifest of a NIMCache, the existing
    ComputeDomain it names, what the inspection of its image (reference, verdict) found."""
    caches: dict[str, NIMCacheFacts] = {}
    if nimcache and (obj := rt.get(kinds.NIMCACHE, namespace, nimcache)) is not None:
        caches[f"{namespace}/{nimcache}"] = NIMCacheFacts.from_object(obj)
    modes: dict[str, str] = {}
    if isvc and (live := rt.get(kinds.ISVC, namespace, isvc)) is not None:
        mode = (live.get("status") or {}).get("deploymentMode")
        if mode:
            modes[f"{namespace}/{isvc}"] = str(mode)
    default_mode, disallowed = kserve_defaults(rt) if isvc else (None, ())
    manifests: dict[str, Mapping[str, Any]] = {}
    if manifest_of and (parsed := model_manifest(rt, namespace, manifest_of)) is not None:
        manifests[f"{namespace}/{manifest_of}"] = parsed
    domains: dict[str, ComputeDomainFacts] = {}
    if compute_domain and (cd := rt.get(kinds.COMPUTE_DOMAIN, namespace, compute_domain)):
        domains[f"{namespace}/{compute_domain}"] = ComputeDomainFacts.from_object(cd)
    # Only NIMCache profile selection reads the GPU products: other kinds skip the node scan.
    return ClusterFacts(
        lws=rt.served(kinds.LWS),
        kserve=rt.served(kinds.ISVC),
        gateway_api=rt.served(kinds.HTTP_ROUTE),
        inference_pool=rt.served(kinds.INFERENCE_POOL),
        service_monitor=rt.served(kinds.SERVICE_MONITOR),
        compute_domain=rt.served(kinds.COMPUTE_DOMAIN),
        dra_version=dra_version(rt),
        openshift=is_openshift(rt),
        nimcaches=caches,
        inference_service_modes=modes,
        kserve_default_mode=default_mode,
        kserve_disallowed_annotations=disallowed,
        model_manifests=manifests,
        gpu_products=gpu_products(rt) if manifest_of else (),
        compute_domains=domains,
        native_images=(image[0],) if image and image[1].native else (),
        image_inspection_errors={image[0]: image[1].error} if image and image[1].error else {},
    )


def is_openshift(rt: Runtime) -> bool:
    """OpenShift when discovery serves SecurityContextConstraints, or, as upstream detects it,
    when a (GPU) node carries `node.openshift.io/os_id`.

    The API is the reliable signal: it exists before any node joins, and it is what the SCC
    Role and `openshift.io/required-scc` mean anything to. The label is upstream's test, kept
    so a cluster upstream calls OpenShift is OpenShift here too.
    """
    if rt.openshift_api:
        return True
    return any(
        OPENSHIFT_NODE_LABEL in (node.get("metadata", {}).get("labels") or {})
        for node in rt.store(kinds.NODE)
    )


def dra_version(rt: Runtime) -> str | None:
    if rt.served(kinds.CLAIM_TEMPLATE):
        return "v1"
    return "v1beta2" if rt.served(kinds.CLAIM_TEMPLATE_BETA) else None


def gpu_products(rt: Runtime) -> tuple[str, ...]:
    labels = (o.get("metadata", {}).get("labels") or {} for o in rt.store(kinds.NODE))
    return tuple(
        sorted(
            {str(lb["nvidia.com/gpu.product"]) for lb in labels if "nvidia.com/gpu.product" in lb}
        )
    )


def model_manifest(rt: Runtime, namespace: str, cache_name: str) -> Mapping[str, Any] | None:
    """The parsed manifest the NIMCache controller stored from the probe pod (§3.4)."""
    cm = rt.get(kinds.CONFIG_MAP, namespace, manifest_config_map_name(cache_name))
    if cm is None:
        return None
    parsed = yaml.safe_load((cm.get("data") or {}).get(MANIFEST_KEY) or "{}")
    return parsed if isinstance(parsed, Mapping) else {}
