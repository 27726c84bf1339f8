"""Golden-test inputs and the cluster they are rendered on.

Inputs: the upstream samples (copied into tests/golden/inputs/samples so the suite is
self-contained) and every example the API publishes (api/examples). Each input file renders to
one golden file, tests/golden/<source>/<file>: what `nimop render` prints for it on a cluster
with every optional API installed, L40S GPUs, and the caches in the file Ready with a manifest.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from nimop.api.nimcache import ModelSpec
from nimop.offline import assume_caches_ready, load_documents
from nimop.render import CachedProfile, ClusterFacts, NIMCacheFacts, select_profiles

ROOT = Path(__file__).resolve().parents[3]
GOLDEN = ROOT / "tests" / "golden"
SOURCES = {"samples": GOLDEN / "inputs" / "samples", "examples": ROOT / "api" / "examples"}

#: A v1 model manifest with one profile per engine family, so selection has something to pick.
MANIFEST: dict[str, Any] = {
    "a1b2c3-trtllm-l40s-tp1": {
        "model": "m",
        "release": "1",
        "tags": {
            "llm_engine": "tensorrt_llm",
            "precision": "bf16",
            "tp": "1",
            "profile": "latency",
            "gpu": "L40S",
            "feat_lora": "false",
        },
    },
    "d4e5f6-vllm-tp1": {
        "model": "m",
        "release": "1",
        "tags": {"llm_engine": "vllm", "precision": "bf16", "tp": "1", "feat_lora": "false"},
    },
    "0a0b0c-vllm-tp8": {
        "model": "m",
        "release": "1",
        "tags": {"llm_engine": "vllm", "precision": "fp8", "tp": "8", "feat_lora": "false"},
    },
    "e7f8a9-trt-embed": {
        "model": "m",
        "release": "1",
        "tags": {"backend": "tensorrt", "gpu": "L40S", "product_name_regex": "L40S"},
    },
}
GPU_PRODUCTS = ("NVIDIA-L40S",)
#: The manifest of a cache that asks for buildable profiles (a NIMBuild's input): MANIFEST plus
#: one TensorRT-LLM buildable profile. Kept apart so other goldens do not change.
BUILDABLE_MANIFEST: dict[str, Any] = {
    **MANIFEST,
    "b1c2d3-trtllm-buildable": {
        "model": "m",
        "release": "1",
        "tags": {
            "llm_engine": "tensorrt_llm",
            "precision": "bf16",
            "tp": "1",
            "trtllm_buildable": "true",
            "feat_lora": "false",
        },
    },
}


@dataclass(frozen=True)
class Case:
    source: str
    path: Path

    @property
    def id(self) -> str:
        return f"{self.source}/{self.rel}"

    @property
    def rel(self) -> str:
        return self.path.relative_to(SOURCES[self.source]).as_posix()

    @property
    def golden(self) -> Path:
        return GOLDEN / self.source / self.rel


def cases() -> list[Case]:
    out = []
    for source, root in SOURCES.items():
        if root.is_dir():
            out += [Case(source, p) for p in sorted(root.rglob("*.yaml"))]
    return out


def golden_facts(docs: list[dict[str, Any]]) -> ClusterFacts:
    """All APIs; every NIMCache in `docs` has the manifest and is Ready with its selected
    profiles listed (so GPU sizing from profiles shows in the goldens)."""
    manifests = {
        f"{(d.get('metadata') or {}).get('namespace') or 'default'}/{d['metadata']['name']}": (
            manifest_for(d)
        )
        for d in docs
        if d.get("kind") == "NIMCache"
    }
    facts = ClusterFacts.all_apis(gpu_products=GPU_PRODUCTS, model_manifests=manifests)
    facts = assume_caches_ready(docs, facts)
    caches = {}
    for key, cache in facts.nimcaches.items():
        doc = next(
            d
            for d in docs
            if d.get("kind") == "NIMCache" and key.endswith("/" + d["metadata"]["name"])
        )
        manifest = manifest_for(doc)
        model = _model(doc)
        typed = ModelSpec.model_validate(model) if model is not None else None
        picked = select_profiles(typed, manifest, GPU_PRODUCTS) if cache.optimized else []
        profiles = tuple(CachedProfile(p, manifest[p]["tags"]) for p in picked if p in manifest)
        caches[key] = replace(cache, profiles=profiles)
    for ns, name in referenced_caches(docs):
        caches.setdefault(f"{ns}/{name}", NIMCacheFacts(name, "Ready", f"{name}-pvc"))
    return replace(facts, nimcaches=caches)


def _model(doc: dict[str, Any]) -> Any:
    return (((doc.get("spec") or {}).get("source") or {}).get("ngc") or {}).get("model")


def manifest_for(doc: dict[str, Any]) -> dict[str, Any]:
    return BUILDABLE_MANIFEST if (_model(doc) or {}).get("buildable") else MANIFEST


def referenced_caches(docs: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """NIMCaches named by NIMServices (also inside pipelines) but not in the file: the goldens
    assume them Ready, so every service renders completely."""
    specs = []
    for doc in docs:
        ns = (doc.get("metadata") or {}).get("namespace") or "default"
        if doc.get("kind") == "NIMService":
            specs.append((ns, doc.get("spec") or {}))
        if doc.get("kind") == "NIMPipeline":
            specs += [
                (ns, e.get("spec") or {}) for e in (doc.get("spec") or {}).get("services") or []
            ]
    out = []
    for ns, spec in specs:
        name = ((spec.get("storage") or {}).get("nimCache") or {}).get("name")
        if name:
            out.append((ns, str(name)))
    return out


def load(case: Case) -> list[dict[str, Any]]:
    return load_documents([case.path])


__all__ = ["Case", "NIMCacheFacts", "cases", "golden_facts", "load"]
