"""NIMService model storage and what follows from a NIMCache: the `model-store` volume, an
operator-created PVC, the profile, GPU sizing and the model env (§2.4 steps 9 and 10,
§3.7, §4.9, §4.11), and where the model lives in the pod: the legacy `/model-store`, or the
native (NIMCraft) layout under `/model` — told by a native NIMCache, or, without one, by the
service image's model-download protocol (a cluster fact the controller inspects).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from nimop.api.common import PersistentVolumeClaim
from nimop.api.nimservice import NIMServiceStorage
from nimop.render.facts import ClusterFacts, NIMCacheFacts
from nimop.render.names import child_name
from nimop.render.objects import manifest, metadata
from nimop.render.owners import Owner, ServiceOwner
from nimop.render.result import Collector
from nimop.render.wire import image_ref, wire

GPU = "nvidia.com/gpu"
MODEL_STORE = "/model-store"
NATIVE_ROOT = "/model"
#: Where the volume is mounted: legacy; a native NIMCache (the tree its Job wrote through both
#: mounts); a native image without a NIMCache (upstream's `imageprotocol` layout).
LEGACY_MOUNTS = (MODEL_STORE,)
NATIVE_CACHE_MOUNTS = (NATIVE_ROOT, "/opt/cache")
NATIVE_IMAGE_MOUNTS = (NATIVE_ROOT,)


@dataclass(frozen=True)
class Storage:
    """The resolved storage: the `model-store` volume (None when unresolvable), its subPath, the
    NIMCache behind it (if any), the PVC the service creates itself (if any), where the volume
    is mounted, and — native layout only — the `NIM_ENGINE_MODEL_PATH` the NIM is given."""

    volume: dict[str, Any] | None = None
    sub_path: str = ""
    cache: NIMCacheFacts | None = None
    pvc: dict[str, Any] | None = None
    mount_paths: tuple[str, ...] = LEGACY_MOUNTS
    model_path: str = ""

    @property
    def native(self) -> bool:
        return bool(self.model_path)


def resolve(owner: ServiceOwner, labels: Mapping[str, str], facts: ClusterFacts,
            out: Collector) -> Storage:
    """First match of nimCache / pvc / emptyDir / hostPath (§2.4 step 9), laid out as the
    NIMCache or, without one, the service image says."""
    st = owner.spec.storage or NIMServiceStorage()
    if st.nim_cache is not None and st.nim_cache.name:
        return _from_cache(owner, st.nim_cache.name, bool(st.read_only), facts, out)
    storage = _own_volume(owner, st, labels, out)
    if storage.volume is None:
        return storage
    return _image_layout(owner, storage, facts, out)


def _image_layout(owner: ServiceOwner, storage: Storage, facts: ClusterFacts,
                  out: Collector) -> Storage:
    """A service without a NIMCache: native when its image is (upstream `ResolveModelLayout`):
    the volume at `/model`, the model at `/model/<service>` — or at the root of a PVC the
    service creates for itself. An image that could not be inspected leaves the volume
    unresolved: no workload is rendered (what runs keeps running) until the layout is known."""
    image = image_ref(owner.spec.image)
    error = facts.image_inspection_error(image)
    if error is not None:
        out.problem("ImageInspectionFailed", f"could not read the model-download protocol of "
                    f"image {image} from its registry ({error}), so its model layout "
                    "(/model-store or native /model) is unknown; retrying. Make the registry "
                    "reachable from the operator, list a pull secret for it in "
                    "spec.image.pullSecrets, or run the operator with --image-inspection=false "
                    "to treat every image as legacy")
        return replace(storage, volume=None)
    if not facts.native_image(image):
        return storage
    st = owner.spec.storage or NIMServiceStorage()
    created = bool(st.pvc and st.pvc.create)
    path = NATIVE_ROOT if created else f"{NATIVE_ROOT}/{owner.name}"
    return replace(storage, mount_paths=NATIVE_IMAGE_MOUNTS, model_path=path)


def _own_volume(owner: ServiceOwner, st: NIMServiceStorage, labels: Mapping[str, str],
                out: Collector) -> Storage:
    """pvc / emptyDir / hostPath (§2.4 step 9 after nimCache)."""
    read_only = bool(st.read_only)
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
    elif cache.native:
        return Storage(_pvc_volume(cache.pvc, read_only), cache.pvc_sub_path, cache,
                       mount_paths=NATIVE_CACHE_MOUNTS, model_path=f"{NATIVE_ROOT}/{name}")
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
