"""Builders for the custom resources the e2e tests apply (camelCase dicts, as users write them)."""

from __future__ import annotations

from typing import Any

from tests.cluster import Cluster
from tests.support import condition, eventually, get

API = "apps.nvidia.com/v1alpha1"
PULLER = "nvcr.io/nim/meta/llama-3.2-1b-instruct:1.12.0"


def nimcache(name: str, **spec: Any) -> dict[str, Any]:
    source = spec.pop("source", None) or {
        "ngc": {
            "modelPuller": PULLER,
            "pullSecret": "ngc-secret",
            "authSecret": "ngc-api-secret",
            "model": {"engine": "tensorrt_llm", "tensorParallelism": "1"},
        },
    }
    storage = spec.pop("storage", None) or {"pvc": {"create": True, "size": "50Gi"}}
    return {
        "apiVersion": API,
        "kind": "NIMCache",
        "metadata": {"name": name},
        "spec": {"source": source, "storage": storage, **spec},
    }


def nimservice(name: str, **spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "image": {"repository": "nvcr.io/nim/meta/llama-3.2-1b-instruct", "tag": "1.12.0"},
        "authSecret": "ngc-api-secret",
        "storage": {"emptyDir": {}},
        "expose": {"service": {"port": 8000}},
    }
    body.update(spec)
    return {"apiVersion": API, "kind": "NIMService", "metadata": {"name": name}, "spec": body}


def state(cluster: Cluster, kind: str, name: str, namespace: str) -> str | None:
    obj = get(cluster, kind, name, namespace)
    return ((obj or {}).get("status") or {}).get("state")


def wait_state(
    cluster: Cluster, kind: str, name: str, namespace: str, want: str, timeout: float = 90
) -> dict[str, Any]:
    """Wait for `status.state == want`; the failure message shows the Ready condition."""

    def reached() -> dict[str, Any] | None:
        obj = get(cluster, kind, name, namespace)
        return obj if ((obj or {}).get("status") or {}).get("state") == want else None

    try:
        return eventually(reached, timeout=timeout, what=f"{kind} {name} {want}")
    except AssertionError as exc:
        obj = get(cluster, kind, name, namespace)
        raise AssertionError(f"{exc}\nReady condition: {condition(obj, 'Ready')}") from None


def ready_condition(obj: dict[str, Any]) -> dict[str, Any]:
    cond = condition(obj, "Ready")
    assert cond is not None, obj.get("status")
    return cond
