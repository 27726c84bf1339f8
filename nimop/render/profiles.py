"""NGC model-profile selection (§3.6), as a pure function over a parsed manifest.

The controller obtains the manifest (probe pod → ConfigMap `<name>-manifest`, §3.4) and the GPU
products present on nodes (label `nvidia.com/gpu.product`), passes both as facts, and persists the
result (upstream recomputes it every reconcile from an in-memory annotation, §9 bug 22).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from nimop.api.nimcache import GPUSpec, ModelSpec

Profile = tuple[str, dict[str, str]]


def manifest_profiles(manifest: Mapping[str, Any]) -> tuple[bool, list[Profile]]:
    """(is_v2, [(id, tags)]) for a v1 (map id → {tags…}) or v2 (`schema_version` 2.x) manifest.

    Upstream picks v2 with regexp `2\\.*\\.*`, which matches any version containing a 2 (§9 bug
    21); we require the major version to be 2.
    """
    version = str(manifest.get("schema_version", ""))
    if re.match(r"^2(\.|$)", version):
        return True, [(str(p.get("id", "")), _tags(p)) for p in manifest.get("profiles") or []]
    return False, [(str(k), _tags(v)) for k, v in manifest.items()
                   if isinstance(v, Mapping) and k != "schema_version"]


def _tags(entry: Any) -> dict[str, str]:
    tags = entry.get("tags") if isinstance(entry, Mapping) else None
    return {str(k): str(v) for k, v in (tags or {}).items()}


def select_profiles(
    model: ModelSpec | None, manifest: Mapping[str, Any], gpu_products: Sequence[str] = (),
) -> list[str]:
    """Profile ids matching NIMCache `source.ngc.model` (§3.6), in manifest order.

    Explicit `model.profiles` are returned as given (`["all"]` means every profile).
    """
    model = model or ModelSpec()
    if model.profiles:
        return list(model.profiles)
    v2, profiles = manifest_profiles(manifest)
    return [pid for pid, tags in profiles if _matches(model, tags, v2, gpu_products)]


def _eq(want: Any, have: str | None, fold: bool) -> bool:
    if want in (None, ""):
        return True
    if have is None:
        return False
    return str(want).lower() == have.lower() if fold else str(want) == have


def _matches(model: ModelSpec, tags: dict[str, str], v2: bool,
             gpu_products: Sequence[str]) -> bool:
    if not (_eq(model.precision, tags.get("precision"), v2)
            and _eq(model.tensor_parallelism, tags.get("tp"), v2)
            and _eq(model.qos_profile, tags.get("profile"), v2)):
        return False
    if not _lora_ok(model.lora, tags.get("feat_lora"), v2):
        return False
    buildable = model.buildable
    if v2 and buildable is not None and (
            tags.get("trtllm_buildable", "false").lower() != str(buildable).lower()):
        return False
    backend = _backend(tags, v2)
    engine = model.engine or ""
    if engine and engine.removesuffix("_llm").lower() not in backend:
        return False
    gpus = model.gpus or []
    if v2:
        return _gpu_ok_v2(gpus, tags, gpu_products) or tags.get("trtllm_buildable") == "true"
    if "tensorrt" in engine or gpus:
        return "tensorrt" in backend and _gpu_ok_v1(gpus, tags, gpu_products)
    return True


def _lora_ok(want: Any, have: str | None, v2: bool) -> bool:
    if want is None:
        return v2 or have != "true"
    return (have or "false").lower() == str(bool(want)).lower()


def _backend(tags: dict[str, str], v2: bool) -> str:
    keys = ("llm_engine", "model_type", "backend") if v2 else ("llm_engine", "backend")
    value = next((tags[k] for k in keys if tags.get(k)), "").lower()
    return "tensorrt" if v2 and value == "triton" else value


def _gpu_ok_v1(gpus: Sequence[GPUSpec], tags: dict[str, str],
               discovered: Sequence[str]) -> bool:
    if gpus:
        return all(_gpu_match(g, tags) for g in gpus)
    if not discovered:
        return True
    return any(_product_match(p, tags) for p in discovered)


def _gpu_ok_v2(gpus: Sequence[GPUSpec], tags: dict[str, str],
               discovered: Sequence[str]) -> bool:
    identity = any(k in tags for k in ("gpu", "key", "gpu_device", "product_name_regex"))
    if not gpus and (not identity or not discovered):
        return True
    if gpus:
        return all(_gpu_match(g, tags) for g in gpus)
    return any(_product_match(p, tags) for p in discovered)


def _gpu_match(gpu: GPUSpec, tags: dict[str, str]) -> bool:
    ids = [i.lower() for i in gpu.ids or []]
    if ids and tags.get("gpu_device", "").lower().removesuffix(":10de") not in ids:
        return False
    product = (gpu.product or "").lower()
    return not product or any(product in tags.get(k, "").lower() for k in ("gpu", "key"))


def _product_match(label: str, tags: dict[str, str]) -> bool:
    gpu = tags.get("gpu", "").lower()
    if gpu and gpu in label.lower():
        return True
    pattern = tags.get("product_name_regex")
    try:
        return bool(pattern and re.search(pattern, label))
    except re.error:
        return False
