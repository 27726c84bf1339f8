"""The floor: the cluster's own time for the work the operator asks of it.

After the operator's run, the driver itself creates — with the same client, concurrency and
kwok node — exactly the children the operator created for one NIMService (read back from
the cluster by owner UID, so whatever operator ran), once per NIMService, in a namespace no
operator watches, and waits until every Deployment is available: nothing in between decides
anything. Then it makes the update phase's change (the new env var) directly on the same share
of Deployments and waits until they are rolled out. Operator time / floor time and operator
requests / floor requests say how far the operator is from what the cluster allows.
"""

from __future__ import annotations

import asyncio
import json
import math
import sys
import time
from collections.abc import Mapping
from typing import Any

from bench.kube import Kube
from bench.procstat import CpuMeter
from bench.tracker import Tracker

JSON = dict[str, Any]
SERVER_FIELDS = ("uid", "resourceVersion", "creationTimestamp", "managedFields", "generation",
                 "ownerReferences", "selfLink", "deletionTimestamp")  # fmt: skip
SERVER_ANNOTATIONS = ("deployment.kubernetes.io/revision",)
STRATEGIC = "application/strategic-merge-patch+json"


def template(obj: Mapping[str, Any]) -> JSON:
    """A child as its creator would post it: no status, no server-set fields, no owner (the
    owner does not exist in the floor's namespace; garbage collection would delete it)."""
    out: JSON = json.loads(json.dumps(obj))
    out.pop("status", None)
    meta = out["metadata"]
    for key in SERVER_FIELDS:
        meta.pop(key, None)
    annotations = meta.get("annotations") or {}
    for key in SERVER_ANNOTATIONS:
        annotations.pop(key, None)
    if not annotations:
        meta.pop("annotations", None)
    if out.get("kind") == "Service":
        for key in ("clusterIP", "clusterIPs"):
            out.get("spec", {}).pop(key, None)
    return out


def instantiate(tpl: Mapping[str, Any], names: Mapping[str, str]) -> JSON:
    """The template for another NIMService: every occurrence of the sample's name and
    namespace replaced (names are fixed-width, so no name is a prefix of another)."""
    text = json.dumps(tpl)
    for old, new in names.items():
        text = text.replace(old, new)
    result: JSON = json.loads(text)
    return result


def deployment_available(obj: Mapping[str, Any]) -> bool:
    """Rolled out at its current generation: what makes a NIMService Ready."""
    status, spec = obj.get("status") or {}, obj.get("spec") or {}
    want = spec.get("replicas", 1)
    return bool(
        status.get("observedGeneration") == (obj.get("metadata") or {}).get("generation")
        and status.get("updatedReplicas", 0) == want
        and status.get("availableReplicas", 0) == want
    )


async def run(
    kube: Kube,
    *,
    templates: list[tuple[str, JSON]],
    sample: str,
    sample_namespace: str,
    names: list[str],
    namespace: str,
    update_fraction: float,
    within: float,
    cpu: CpuMeter | None = None,
) -> JSON:
    """Both floor phases in ``namespace`` (created by the caller); their figures as JSON."""
    deployment = _deployment_names(templates, sample)
    tracker = Tracker(kube, namespace, plural="deployments", api="/apis/apps/v1",
                      ready_when=deployment_available)  # fmt: skip
    watch = asyncio.create_task(tracker.run())
    try:
        await tracker.wait(lambda: tracker.listed, 30)
        print(f"floor: create ({len(names)} x {len(templates)} objects)", file=sys.stderr)
        mark = cpu.mark() if cpu else {}
        create = await _create(kube, tracker, templates, sample, sample_namespace, names,
                               namespace, within)  # fmt: skip
        if cpu is not None:
            create["cluster_cpu_s"] = cpu.since(mark)
        print(f"floor: create took {create['wall_s']} s; update", file=sys.stderr)
        mark = cpu.mark() if cpu else {}
        update = await _update(kube, tracker, [deployment(n) for n in names], namespace,
                               update_fraction, within)  # fmt: skip
        if cpu is not None:
            update["cluster_cpu_s"] = cpu.since(mark)
    finally:
        watch.cancel()
    return {"create": create, "update": update, "children": [p for p, _ in templates]}


async def _create(kube: Kube, tracker: Tracker, templates: list[tuple[str, JSON]], sample: str,
                  sample_namespace: str, names: list[str], namespace: str,
                  within: float) -> JSON:  # fmt: skip
    writes_before = kube.writes
    t0 = time.monotonic()
    created_at: dict[str, float] = {}

    async def one(name: str) -> None:
        names = {sample: name, sample_namespace: namespace}
        await asyncio.gather(*(kube.create(path.replace(sample_namespace, namespace),
                                           instantiate(t, names)) for path, t in templates))
        created_at[name] = time.monotonic()

    await asyncio.gather(*(one(n) for n in names))
    creates_done = time.monotonic() - t0
    done = await tracker.wait(lambda: len(tracker.ready) >= len(names), within)
    wall = time.monotonic() - t0
    deployment = _deployment_names(templates, sample)
    latencies = sorted(tracker.ready_at[deployment(n)] - t for n, t in created_at.items()
                       if deployment(n) in tracker.ready_at)  # fmt: skip
    return {
        "wall_s": round(wall, 2),
        "completed": done,
        "creates_done_s": round(creates_done, 2),
        "writes": kube.writes - writes_before,
        "create_to_available_s": _quantiles(latencies),
        "ready_curve": [(round(t - t0, 3), c) for t, c in tracker.curve],
    }


def _deployment_names(templates: list[tuple[str, JSON]], sample: str) -> Any:
    """NIMService name -> its Deployment's name (the sample's, with the name swapped)."""
    found = [t["metadata"]["name"] for _, t in templates if t.get("kind") == "Deployment"]
    if len(found) != 1:
        raise RuntimeError(f"the floor needs exactly one Deployment per NIMService: {found}")
    return lambda name: str(found[0]).replace(sample, name)


async def _update(kube: Kube, tracker: Tracker, names: list[str], namespace: str,
                  fraction: float, within: float) -> JSON:  # fmt: skip
    count = max(1, math.ceil(len(names) * fraction))
    step = len(names) / count
    chosen = [names[int(i * step)] for i in range(count)]
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    writes_before = kube.writes
    t0 = time.monotonic()
    generations: dict[str, int] = {}

    async def one(name: str) -> None:
        current = tracker.objects[name]
        container = current["spec"]["template"]["spec"]["containers"][0]["name"]
        env = [{"name": "BENCH_UPDATE", "value": stamp}]
        patch = {"spec": {"template": {"spec": {"containers": [{"name": container, "env": env}]}}}}
        obj = await kube.request("PATCH", f"/apis/apps/v1/namespaces/{namespace}/deployments/"
                                 f"{name}", body=patch, content_type=STRATEGIC)  # fmt: skip
        generations[name] = int((obj or {})["metadata"]["generation"])

    await asyncio.gather(*(one(n) for n in chosen))

    def rolled_out() -> bool:
        return all(
            n in tracker.ready and tracker.objects[n]["metadata"]["generation"] >= generations[n]
            for n in chosen
        )

    done = await tracker.wait(rolled_out, within)
    return {
        "wall_s": round(time.monotonic() - t0, 2),
        "completed": done,
        "updated": count,
        "writes": kube.writes - writes_before,
    }


def _quantiles(values: list[float]) -> JSON:
    if not values:
        return {"p50": None, "p99": None, "max": None}

    def pick(q: float) -> float:
        return round(values[min(len(values) - 1, int(q * len(values)))], 3)

    return {"p50": pick(0.5), "p99": pick(0.99), "max": round(values[-1], 3)}
