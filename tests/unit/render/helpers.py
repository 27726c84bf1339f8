"""Small builders for focused renderer tests."""

from __future__ import annotations

from typing import Any

from nimop.render import ClusterFacts, NIMCacheFacts, Rendered, render_nimservice
from nimop.render.facts import CachedProfile

NS = "ns1"


def svc(name: str = "llm", **spec: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "image": {"repository": "nvcr.io/nim/x", "tag": "1.0"},
        "storage": {"emptyDir": {}},
    }
    base.update(spec)
    return {
        "apiVersion": "apps.nvidia.com/v1alpha1",
        "kind": "NIMService",
        "metadata": {"name": name, "namespace": NS, "uid": "u-1"},
        "spec": base,
    }


def cache(name: str = "c", **kw: Any) -> NIMCacheFacts:
    kw.setdefault("state", "Ready")
    kw.setdefault("pvc", f"{name}-pvc")
    return NIMCacheFacts(name=name, **kw)


def facts_with(*caches: NIMCacheFacts, **kw: Any) -> ClusterFacts:
    return ClusterFacts.all_apis(nimcaches={f"{NS}/{c.name}": c for c in caches}, **kw)


def render(spec: dict[str, Any], facts: ClusterFacts | None = None) -> Rendered:
    return render_nimservice(spec, facts if facts is not None else ClusterFacts.all_apis())


def main_ctr(r: Rendered) -> dict[str, Any]:
    dep = r.find("Deployment")
    assert dep is not None, r.problems
    ctr: dict[str, Any] = dep["spec"]["template"]["spec"]["containers"][0]
    return ctr


def env_of(ctr: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in ctr.get("env", [])}


def profile(name: str, **tags: str) -> CachedProfile:
    return CachedProfile(name, tags)
