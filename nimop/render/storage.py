"""NIMService model storage and what follows from a NIMCache: the `model-store` volume, an
operator-created PVC, the profile, GPU sizing and the model env (§2.4 steps 9 and 10,
§3.7, §4.9, §4.11).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nimop.api.common import PersistentVolumeClaim
from nimop.api.nimservice import NIMServiceStorage
from nimop.render.facts import ClusterFacts, NIMCacheFacts
from nimop.render.names import child_name
from nimop.render.objects import manifest, metadata
from nimop.render.owners import Owner, ServiceOwner
from nimop.render.result import Collector
from nimop.render.wire import wire

GPU = "nvidia.com/gpu"


@dataclass(frozen=True)
class Storage:
    """The resolved storage: the `model-store` volume (None when unresolvable), its subPath, the
    NIMCache behind it (if any) and the PVC the service creates itself (if any)."""

    volume: dict[str, Any] | None = None
    sub_path: str = ""
    cache: NIMCacheFacts | None = None
    pvc: dict[str, Any] | None = None

    @property
    def native(self) -> bool:
        return bool(self.cache and self.cache.native)


def resolve(owner: ServiceOwner, labels: Mapping[str, str], facts: ClusterFacts,
            out: Collector) -> Storage:
    """First match of nimCache / pvc / emptyDir / hostPath (§2.4 step 9)."""
    st = owner.spec.storage or NIMServiceStorage()
    read_only = bool(st.read_only)
    if st.nim_cache is not None and st.nim_cache.name:
        return _from_cache(owner, st.nim_cache.name, read_only, facts, out)
    pvc = st.pvc or PersistentVolumeClaim()
    if pvc.create:
        return _own_pvc(owner, pvc, labels, read_only, out)
    if pvc.name:
        return Storage(_pvc_volume(pvc.name, read_only), pvc.sub_path or "")
    if st.empty_dir is not None:
        size = st.empty_dir.size_limit
        return Storage({"name": "model-store", "emptyDir": {"sizeLimit": size} if size else {}})
    if st.host_path:
        return Storage({"name": "model-store",
                        "hostPath": {"path": st.host_path, "type": "DirectoryOrCreate"}})
    out.problem("InvalidStorage", "spec.storage: set one of nimCache, pvc, emptyDir or hostPath",
                failed=True)
    return Storage()


def _pvc_volume(claim: str, read_only: bool) -> dict[str, Any]:
    src: dict[str, Any] = {"claimName": claim}
    if read_only:
        src["readOnly"] = True
    return {"name": "model-store", "persistentVolumeClaim": src}


def _from_cache(owner: ServiceOwner, name: str, read_only: bool, facts: ClusterFacts,
                out: Collector) -> Storage:
    cache = facts.nimcache(owner.namespace, name)
    if cache is None:
        # Not Failed, as upstream: GitOps tools apply objects in any order, so a cache that does
        # not exist yet is something to wait for; the controller wakes when it appears.
        out.problem("NIMCacheNotFound", f"NIMCache {name} not found in namespace "
                    f"{owner.namespace}; waiting for it to be created")
    elif cache.failed:
        out.problem("NIMCacheFailed", f"NIMCache {name} failed; see its status", failed=True)
    elif not cache.ready or not cache.pvc:
        out.problem("NIMCacheNotReady", f"NIMCache {name} not ready")
    else:
        return Storage(_pvc_volume(cache.pvc, read_only), cache.pvc_sub_path, cache)
    return Storage(cache=cache)


def _own_pvc(owner: ServiceOwner, pvc: PersistentVolumeClaim, labels: Mapping[str, str],
             read_only: bool, out: Collector) -> Storage:
    """`storage.pvc.create` (§2.4 step 9)."""
    name = pvc.name or child_name(owner.name, "-pvc")
    obj = created_pvc(owner, name, pvc, labels, "spec.storage.pvc", out)
    if obj is None:
        return Storage()
    return Storage(_pvc_volume(name, read_only), pvc.sub_path or "", pvc=obj)


def created_pvc(owner: Owner[object], name: str, pvc: PersistentVolumeClaim,
                labels: Mapping[str, str], field: str, out: Collector) -> dict[str, Any] | None:
    """The PVC a CR creates from a `PersistentVolumeClaim` spec (`create: true`), shared by every
    kind that has one; `storageClassName` omitted when unset or empty (upstream issue #347).
    None, with an `InvalidPVCSpec` problem naming `field`, when the size is missing."""
    if not pvc.size:
        out.problem("InvalidPVCSpec", f"{field}.size is required when create is true",
                    failed=True)
        return None
    body: dict[str, Any] = {
        "accessModes": [pvc.volume_access_mode or "ReadWriteOnce"],
        "resources": {"requests": {"storage": pvc.size}},
    }
    if pvc.storage_class:
        body["storageClassName"] = pvc.storage_class
    return manifest("v1", "PersistentVolumeClaim",
                    metadata(owner, name, labels, pvc.annotations), spec=body)


def gpu_resources(owner: ServiceOwner, storage: Storage, out: Collector,
                  tensor: int | None = None) -> dict[str, Any] | None:
    """`spec.resources`, plus `nvidia.com/gpu` sized from the cached profile (§4.9).

    Only for a profile of an NGC-optimized cache listed in its status, never with DRA or when
    the user already asked for GPUs. Count = `tensor` (multi-node) else the profile's TP tag
    (default 1).
    Works on a copy (upstream mutates the CR and panics on nil maps, §9 bug 12).
    """
    spec = owner.spec
    res = {k: dict(v) for k, v in wire(spec.resources).items() if isinstance(v, Mapping)}
    nim_cache = spec.storage.nim_cache if spec.storage else None
    profile_name = nim_cache.profile if nim_cache else None
    cache = storage.cache
    if not (profile_name and cache and cache.optimized) or spec.dra_resources:
        return res or None
    if GPU in res.get("limits", {}) or GPU in res.get("requests", {}):
        return res or None
    profile = cache.profile(str(profile_name))
    if profile is None:
        return res or None
    count: int | None = tensor
    if count is None:
        tp = profile.tensor_parallelism() or "1"
        if not tp.isdigit() or int(tp) < 1:
            out.problem("InvalidProfile", f"profile {profile_name}: tensor parallelism tag "
                        f"{tp!r} is not a positive integer", failed=True)
            return res or None
        count = int(tp)
    for part in ("requests", "limits"):
        res.setdefault(part, {})[GPU] = count
    return res


def gpu_count(resources: Mapping[str, Any] | None) -> int | None:
    """GPUs per pod as requested (limits, then requests), None when not a plain integer."""
    for part in ("limits", "requests"):
        value = (resources.get(part) or {}).get(GPU) if resources else None
        if value is not None and str(value).isdigit():
            return int(str(value))
    return None
