"""The model-manifest probe of a NIMCache (§3.4): read the probe pod's log once it
runs, keep a minimal copy of the manifest in ConfigMap `<cache>-manifest`, or mark the cache
`model-free` when the image has no manifest. The pod itself goes away on the next sync, since
the renderer stops asking for it once the manifest (or the cache type) is known."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import structlog
import yaml

from nimop.api import kinds
from nimop.controllers.facts import MANIFEST_KEY
from nimop.controllers.runtime import Runtime
from nimop.watch.errors import KubeError
from nimop.watch.objects import meta
from nimop.watch.sync import owner_reference

log = structlog.get_logger("nimop.controllers.nimcache")

NOT_FOUND = "model_manifest.yaml not found"
PROBE_CONTAINER = "nim-cache-ctr"
#: A ConfigMap holds at most 1 MiB; the manifest is stored without its workspace file lists.
MAX_MANIFEST_BYTES = 900 * 1024


def minimal(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest without per-profile `workspace` (file lists), as upstream #891 strips it."""
    out: dict[str, Any] = {}
    for key, value in manifest.items():
        if isinstance(value, Mapping):
            out[key] = {k: v for k, v in value.items() if k != "workspace"}
        elif key == "profiles" and isinstance(value, list):
            out[key] = [
                {k: v for k, v in p.items() if k != "workspace"}
                for p in value
                if isinstance(p, Mapping)
            ]
        else:
            out[key] = value
    return out


def configmap(cache: Mapping[str, Any], name: str, text: str,
              labels: Mapping[str, str]) -> dict[str, Any]:
    """ConfigMap `name` (the render result's `manifest`) holding the manifest `text`."""
    md = meta(cache)
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": name,
            "namespace": md["namespace"],
            "labels": dict(labels),
            "ownerReferences": [owner_reference(cache)],
        },
        "data": {MANIFEST_KEY: text},
    }


def live_configmap(rt: Runtime, cache: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    """The stored manifest ConfigMap `name` as a desired manifest (so sync keeps it)."""
    cm = rt.get(kinds.CONFIG_MAP, str(meta(cache)["namespace"]), name)
    if cm is None:
        return None
    return configmap(
        cache, name, (cm.get("data") or {}).get(MANIFEST_KEY, ""), meta(cm).get("labels") or {}
    )


@dataclass(frozen=True)
class Outcome:
    """What the probe found: the manifest ConfigMap to keep, or the cache type to record."""

    configmap: dict[str, Any] | None = None
    cache_type: str | None = None
    #: the pod runs but its log could not be read: try again shortly (no event will come)
    retry: bool = False


async def pod_log(rt: Runtime, pod: Mapping[str, Any], container: str) -> str | None:
    """A probe container's log, or None while it is not readable yet (the caller retries
    shortly: no event announces that a log became readable)."""
    md = meta(pod)
    try:
        text = await rt.client.pod_logs(str(md["namespace"]), str(md["name"]), container=container)
    except KubeError as exc:
        log.info("probe log not readable yet", pod=md["name"], error=str(exc))
        return None
    return text if text.strip() else None


async def read(
    rt: Runtime, cache: Mapping[str, Any], pod: Mapping[str, Any], labels: Mapping[str, str],
    name: str,
) -> Outcome:
    """Once the probe pod runs: the manifest as ConfigMap `name`, or `model-free`."""
    if (pod.get("status") or {}).get("phase") != "Running":
        return Outcome()
    text = await pod_log(rt, pod, PROBE_CONTAINER)
    if text is None:
        return Outcome(retry=True)
    if NOT_FOUND in text:
        return Outcome(cache_type="model-free")
    try:
        parsed = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        log.warning(
            "manifest probe printed no YAML; treating the model as model-free", error=str(exc)
        )
        return Outcome(cache_type="model-free")
    if not isinstance(parsed, Mapping):
        return Outcome(cache_type="model-free")
    body = yaml.safe_dump(minimal(parsed), sort_keys=True)[:MAX_MANIFEST_BYTES]
    return Outcome(configmap=configmap(cache, name, body, labels))
