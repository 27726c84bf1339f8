"""One benchmark run: the phases, timed, with the operator's costs recorded at each boundary.

startup → cache (NIMCache Ready) → create (N NIMServices, concurrently, until all Ready) →
idle (at least one resync period: nothing to write) → update (10% get a new env var, until
they are Ready at their new generation) → delete (all NIMServices, until they and their
Deployments are gone).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import floor, manifests, prom
from bench.audit import AuditLog
from bench.kube import Kube, KubeError
from bench.operator import Operator, profiled
from bench.procstat import CpuMeter, Sampler
from bench.tracker import GROUP_PATH, Tracker
from tests.cluster import Cluster
from tests.operator_process import SA_USER, install_crds

#: The installed operator's user: how the audit log tells the operator's requests apart.
OPERATOR_USER = SA_USER
CACHE = "bench-cache"


def utc_now() -> str:
    """The audit log's timestamp format (microseconds, UTC), comparable as text."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class Config:
    n: int
    out: Path
    operator_cmd: str | None = None
    metrics_url: str | None = None
    resync: float = 30.0
    idle: float | None = None  # default: 1.5 x resync
    update_fraction: float = 0.1
    concurrency: int = 32
    workers: int | None = None
    phase_timeout: float = 900.0
    profile: bool = False
    label: str | None = None
    #: after the operator's run, the floor: the same children created by the driver itself
    floor: bool = False
    #: NIMServices spread round-robin over this many namespaces (one NIMCache in each); with
    #: more than one the operator watches all namespaces
    namespaces: int = 1

    @property
    def idle_seconds(self) -> float:
        return self.idle if self.idle is not None else max(1.5 * self.resync, 10.0)


@dataclass
class Phase:
    name: str
    t0: float
    start: str
    t1: float = 0.0
    end: str = ""
    done: bool = True
    scrape_before: prom.Scrape = field(default_factory=dict)
    scrape_after: prom.Scrape = field(default_factory=dict)
    cpu_before: dict[str, float] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Run:
    """Everything measured; `bench.results` turns it into JSON, Markdown and plots."""

    config: Config
    namespace: str
    node: str
    operator: Operator
    started: str = field(default_factory=utc_now)
    phases: list[Phase] = field(default_factory=list)
    sampler: Sampler | None = None
    audit: AuditLog | None = None
    tracker: Tracker | None = None
    created_at: dict[str, float] = field(default_factory=dict)
    children: dict[str, int] = field(default_factory=dict)
    #: (collection path, object) of every child of the first NIMService, as the cluster has it
    child_objects: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    floor: dict[str, Any] = field(default_factory=dict)
    stuck: list[dict[str, Any]] = field(default_factory=list)
    load: dict[str, Any] = field(default_factory=dict)
    profile_path: Path | None = None
    cpu: CpuMeter | None = None

    @property
    def namespaces(self) -> list[str]:
        """Where the NIMServices live: the run's namespace, or ``<it>-000`` … when spread."""
        k = self.config.namespaces
        return [self.namespace] if k <= 1 else [f"{self.namespace}-{i:03d}" for i in range(k)]

    def ns_of(self, name: str) -> str:
        spaces = self.namespaces
        return spaces[int(name.rsplit("-", 1)[1]) % len(spaces)]

    def begin(self, name: str) -> Phase:
        if self.sampler is not None:
            self.sampler.sample()
        phase = Phase(name, time.monotonic(), utc_now(), scrape_before=self._scrape())
        phase.cpu_before = self.cpu.mark() if self.cpu else {}
        self.phases.append(phase)
        return phase

    def finish(self, phase: Phase, done: bool = True) -> None:
        phase.t1, phase.end, phase.done = time.monotonic(), utc_now(), done
        if self.sampler is not None:
            self.sampler.sample()
        phase.scrape_after = self._scrape()
        if self.cpu is not None and phase.cpu_before:
            phase.extra["cluster_cpu_s"] = self.cpu.since(phase.cpu_before)
        self.operator.check_alive()

    def _scrape(self) -> prom.Scrape:
        return prom.parse(self.operator.metrics())


async def run(cluster: Cluster, cfg: Config) -> Run:
    suffix = secrets.token_hex(3)
    ns, node = f"bench-{cfg.n}-{suffix}", f"kwok-bench-{suffix}"
    cfg.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    env = {"NIMOP_NAMESPACES": ns if cfg.namespaces <= 1 else "",
           "NIMOP_RESYNC_PERIOD": str(cfg.resync)}  # fmt: skip
    if cfg.workers:
        env["NIMOP_WORKERS"] = str(cfg.workers)
    profile_path = cfg.out / f"profile-{cfg.n}-{stamp}.pyisession" if cfg.profile else None
    op = Operator(
        cluster,
        argv=profiled(profile_path) if profile_path else None,
        shell_cmd=cfg.operator_cmd,
        env=env,
        log_path=cfg.out / f"operator-{cfg.n}-{stamp}.log",
        metrics_url=cfg.metrics_url,
    )
    r = Run(cfg, ns, node, op, profile_path=profile_path, cpu=CpuMeter(cluster.layout.pids))
    r.load["loadavg_start"] = os.getloadavg()
    install_crds(cluster)
    audit_path = cluster.layout.logs / "audit.log"
    r.audit = AuditLog(audit_path, _needles(ns)).mark()
    async with Kube(cluster, concurrency=cfg.concurrency) as kube:
        try:
            for space in r.namespaces:
                await kube.create("/api/v1/namespaces", manifests.namespace(space))
            await kube.create("/api/v1/nodes", manifests.node(node, cfg.n + 50))
            await _wait_node_ready(kube, node)
            await _phases(r, kube)
            op.stop()
            if cfg.floor and cfg.namespaces <= 1:
                await _floor(r, kube)
        finally:
            op.stop()
            if r.sampler is not None:
                r.sampler.stop()
            await _cleanup(kube, r.namespaces, node)
    r.load["loadavg_end"] = os.getloadavg()
    await asyncio.sleep(1.0)  # the apiserver flushes its audit log in batches
    r.audit.poll()
    return r


async def _wait_node_ready(kube: Kube, node: str, within: float = 60) -> None:
    """Pods created before kwok has made the node Ready wait out the scheduler's backoff."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        obj = await kube.request("GET", f"/api/v1/nodes/{node}") or {}
        conditions = (obj.get("status") or {}).get("conditions") or ()
        if any(c["type"] == "Ready" and c["status"] == "True" for c in conditions):
            return
        await asyncio.sleep(0.2)
    raise RuntimeError(f"node {node} not Ready after {within}s")


async def _floor(r: Run, kube: Kube) -> None:
    """The floor phases (bench.floor) in a namespace of their own, once the operator's pods
    have left the node."""
    ns = f"{r.namespace}-floor"
    print(f"floor: waiting for the pods of {r.namespace} to leave", file=sys.stderr)
    await _wait_pods_gone(kube, r.namespace, r.config.phase_timeout)
    print(f"floor: creating the children of {r.config.n} NIMServices in {ns}", file=sys.stderr)
    await kube.create("/api/v1/namespaces", manifests.namespace(ns))
    try:
        templates = [(path, floor.template(obj)) for path, obj in r.child_objects]
        await _copy_claims(kube, templates, r.namespace, ns)
        r.floor = await floor.run(
            kube, templates=templates, sample=names(r.config.n)[0],
            sample_namespace=r.namespace, names=names(r.config.n), namespace=ns,
            update_fraction=r.config.update_fraction, within=r.config.phase_timeout, cpu=r.cpu,
        )  # fmt: skip
        r.floor["loadavg"] = os.getloadavg()
    finally:
        with contextlib.suppress(Exception):
            await kube.delete(f"/api/v1/namespaces/{ns}")


async def _copy_claims(kube: Kube, templates: list[tuple[str, Any]], src: str, dst: str) -> None:
    """The PVCs the Deployments mount (the NIMCache's, made once before the create phase, not
    per NIMService), copied into the floor's namespace and bound before the floor starts."""
    claims = {
        v["persistentVolumeClaim"]["claimName"]
        for _, t in templates
        if t.get("kind") == "Deployment"
        for v in t["spec"]["template"]["spec"].get("volumes") or ()
        if "persistentVolumeClaim" in v
    }
    for claim in sorted(claims):
        pvc = await kube.request("GET", f"/api/v1/namespaces/{src}/persistentvolumeclaims/{claim}")
        copy = floor.template(pvc or {})
        copy["metadata"] = {"name": claim, "namespace": dst}
        copy["spec"].pop("volumeName", None)
        path = f"/api/v1/namespaces/{dst}/persistentvolumeclaims"
        await kube.create(path, copy)
        for _ in range(120):
            got = await kube.request("GET", f"{path}/{claim}") or {}
            if (got.get("status") or {}).get("phase") == "Bound":
                break
            await asyncio.sleep(0.5)


async def _wait_pods_gone(kube: Kube, ns: str, within: float) -> None:
    """Until no pod that still runs is left in `ns` (the NIMCache's finished caching pod
    stays with its Job: it holds no node capacity)."""
    deadline = time.monotonic() + within
    running = "status.phase!=Succeeded,status.phase!=Failed"
    while time.monotonic() < deadline:
        params = {"limit": "1", "fieldSelector": running}
        left = await kube.request("GET", f"/api/v1/namespaces/{ns}/pods", params=params) or {}
        if not left.get("items"):
            return
        await asyncio.sleep(1.0)


def _needles(ns: str) -> tuple[bytes, ...]:
    """Audit lines of the operator, or about the run's namespaces (all start with ``ns``)."""
    return (f'"username":"{OPERATOR_USER}"'.encode(), f'"namespace":"{ns}'.encode())


async def _phases(r: Run, kube: Kube) -> None:
    cfg, op = r.config, r.operator
    phase = Phase("startup", time.monotonic(), utc_now())
    r.phases.append(phase)
    op.start()
    r.sampler = Sampler(op.pid).start()
    await asyncio.to_thread(op.wait_ready)
    r.finish(phase)

    phase = r.begin("cache")
    for space in r.namespaces:
        await kube.create(f"{GROUP_PATH}/namespaces/{space}/nimcaches",
                          manifests.nimcache(space, CACHE))  # fmt: skip
    ready = [await _wait_cache_ready(r, kube, space, cfg.phase_timeout) for space in r.namespaces]
    r.finish(phase, all(ready))

    tracker = r.tracker = Tracker(kube, r.namespace if cfg.namespaces <= 1 else None)
    watch = asyncio.create_task(tracker.run())
    try:
        # A create phase that did not converge means the machine did not hold N: what it
        # reached is the result, and the namespaces' deletion at the end cleans up.
        if await _create(r, kube, tracker):
            phase = r.begin("idle")
            await asyncio.sleep(cfg.idle_seconds)
            r.finish(phase)
            await _update(r, kube, tracker)
            await _delete(r, kube, tracker)
    finally:
        watch.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watch


def names(n: int) -> list[str]:
    width = max(5, len(str(n)))
    return [f"svc-{i:0{width}d}" for i in range(n)]


async def _wait_cache_ready(r: Run, kube: Kube, ns: str, within: float) -> bool:
    path = f"{GROUP_PATH}/namespaces/{ns}/nimcaches/{CACHE}"
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        obj = await kube.request("GET", path) or {}
        if (obj.get("status") or {}).get("state") == "Ready":
            return True
        r.operator.check_alive()
        await asyncio.sleep(0.2)
    r.stuck.append({"kind": "NIMCache", "name": CACHE, "status": obj.get("status")})
    return False


async def _create(r: Run, kube: Kube, tracker: Tracker) -> bool:
    cfg = r.config
    all_names = names(cfg.n)
    phase = r.begin("create")

    async def create(name: str) -> None:
        ns = r.ns_of(name)
        path = f"{GROUP_PATH}/namespaces/{ns}/nimservices"
        await kube.create(path, manifests.nimservice(ns, name, CACHE, r.node))
        r.created_at[name] = time.monotonic()

    await asyncio.gather(*(create(n) for n in all_names))
    phase.extra["creates_done_s"] = round(time.monotonic() - phase.t0, 2)
    done = await tracker.wait(lambda: len(tracker.ready) >= cfg.n, cfg.phase_timeout)
    r.finish(phase, done)
    if not done:
        _record_stuck(r, tracker, all_names)
    r.children = await _children_of(r, kube, all_names[0])
    return done


def _record_stuck(r: Run, tracker: Tracker, wanted: list[str]) -> None:
    for name in wanted:
        if name not in tracker.ready:
            obj = tracker.objects.get(name) or {}
            r.stuck.append(
                {
                    "kind": "NIMService",
                    "name": name,
                    "generation": (obj.get("metadata") or {}).get("generation"),
                    "status": obj.get("status"),
                }
            )


async def _children_of(r: Run, kube: Kube, name: str) -> dict[str, int]:
    """The objects the operator created for one NIMService (owner UID match), over every
    resource the operator wrote during the create phase — whatever operator it is."""
    assert r.audit is not None and r.tracker is not None
    await asyncio.sleep(1.0)
    r.audit.poll()
    uid = (r.tracker.objects.get(name) or {}).get("metadata", {}).get("uid")
    ns = r.ns_of(name)
    paths: set[str] = set()
    for ev in r.audit.events.values():
        ref = ev.get("objectRef") or {}
        if (
            ev["user"]["username"] == OPERATOR_USER
            and ev["verb"] in ("create", "patch")
            and ref.get("namespace") == ns
            and not ref.get("subresource")
            and ref.get("resource") not in ("events", "nimservices", "nimcaches")
        ):
            group = ref.get("apiGroup")
            base = f"/apis/{group}/{ref['apiVersion']}" if group else f"/api/{ref['apiVersion']}"
            paths.add(f"{base}/namespaces/{ns}/{ref['resource']}")
    counts: dict[str, int] = {}
    r.child_objects = []
    for path in sorted(paths):
        with contextlib.suppress(KubeError):
            listing = await kube.list(path)
            owned = [
                o
                for o in listing["items"]
                if any(ref.get("uid") == uid for ref in o["metadata"].get("ownerReferences") or ())
            ]
            if owned:
                counts[path.rsplit("/", 1)[1]] = len(owned)
            kind = str(listing.get("kind", "")).removesuffix("List")
            for obj in owned:  # list items carry no kind
                obj.setdefault("apiVersion", listing.get("apiVersion"))
                obj.setdefault("kind", kind)
                r.child_objects.append((path, obj))
    return counts


async def _update(r: Run, kube: Kube, tracker: Tracker) -> None:
    cfg = r.config
    all_names = names(cfg.n)
    count = max(1, math.ceil(cfg.n * cfg.update_fraction))
    step = cfg.n / count
    chosen = [all_names[int(i * step)] for i in range(count)]
    patch = manifests.update_patch(utc_now())
    phase = r.begin("update")
    generations: dict[str, int] = {}

    async def update(name: str) -> None:
        path = f"{GROUP_PATH}/namespaces/{r.ns_of(name)}/nimservices/{name}"
        obj = await kube.merge_patch(path, patch)
        generations[name] = int((obj or {})["metadata"]["generation"])

    await asyncio.gather(*(update(n) for n in chosen))

    def converged() -> bool:
        for name in chosen:
            obj = tracker.objects.get(name)
            if obj is None or name not in tracker.ready:
                return False
            if obj["metadata"]["generation"] < generations.get(name, 1 << 30):
                return False
        return True

    flips_before = {n: tracker.flips.get(n, 0) for n in chosen}
    done = await tracker.wait(converged, cfg.phase_timeout)
    phase.extra["reported_converged_s"] = round(time.monotonic() - phase.t0, 2)
    # The operator's word is not enough: also wait until the Deployments carry the change and
    # are rolled out (and the NIMServices are still Ready then).
    deadline = time.monotonic() + cfg.phase_timeout
    rolled = 0
    while done and time.monotonic() < deadline:
        rolled = sum([await _rolled_out(kube, ns, set(chosen)) for ns in r.namespaces])
        if rolled >= count and converged():
            break
        await asyncio.sleep(0.5)
        done = await tracker.wait(converged, max(0.0, deadline - time.monotonic()))
    phase.extra["rolled_out_s"] = round(time.monotonic() - phase.t0, 2)
    r.finish(phase, done and rolled >= count)
    if not done:
        _record_stuck(r, tracker, chosen)
    phase.extra["updated"] = count
    phase.extra["deployments_rolled_out"] = rolled
    flips = [tracker.flips.get(n, 0) - flips_before[n] for n in chosen]
    phase.extra["ready_transitions_per_updated"] = round(sum(flips) / len(flips), 2)


async def _rolled_out(kube: Kube, ns: str, chosen: set[str]) -> int:
    """Independent check: Deployments carrying the new env var, fully rolled out."""
    deployments = (await kube.list(f"/apis/apps/v1/namespaces/{ns}/deployments"))["items"]
    count = 0
    for d in deployments:
        containers = d["spec"]["template"]["spec"].get("containers") or []
        has_env = any(
            e.get("name") == "BENCH_UPDATE" for c in containers for e in c.get("env") or ()
        )
        st, want = d.get("status") or {}, d["spec"].get("replicas", 1)
        if (
            has_env
            and st.get("updatedReplicas") == want == st.get("availableReplicas")
            and (st.get("observedGeneration") == d["metadata"]["generation"])
        ):
            count += 1
    return count


async def _delete(r: Run, kube: Kube, tracker: Tracker) -> None:
    cfg = r.config
    phase = r.begin("delete")
    await asyncio.gather(*(kube.delete(f"{GROUP_PATH}/namespaces/{r.ns_of(n)}/nimservices/{n}")
                           for n in names(cfg.n)))  # fmt: skip
    gone = await tracker.wait(lambda: not tracker.objects, cfg.phase_timeout)
    phase.extra["nimservices_gone_s"] = round(time.monotonic() - phase.t0, 2)
    deadline = time.monotonic() + cfg.phase_timeout
    pending = list(r.namespaces)
    while pending and time.monotonic() < deadline:
        path = f"/apis/apps/v1/namespaces/{pending[0]}/deployments"
        left = await kube.request("GET", path, params={"limit": "1"}) or {}
        if not left.get("items"):
            pending.pop(0)
            continue
        await asyncio.sleep(0.5)
    phase.extra["children_gone_s"] = round(time.monotonic() - phase.t0, 2)
    r.finish(phase, gone)


async def _cleanup(kube: Kube, spaces: list[str], node: str) -> None:
    for ns in spaces:
        with contextlib.suppress(Exception):
            await kube.delete(f"/api/v1/namespaces/{ns}")
    with contextlib.suppress(Exception):
        await kube.delete(f"/api/v1/nodes/{node}")


def git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).parent,
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
