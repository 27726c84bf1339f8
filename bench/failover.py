"""Leader failover, end to end: `kill -9` of the leading `nimop run` → first write of the new one.

Two operators with leader election watch one namespace; when one leads, the bench creates a
NIMService, waits until it is Ready, then kills the leader with SIGKILL (no Lease release, as
when a node dies) and at the same moment creates a second NIMService. Measured from the kill,
by polling as the admin every 50 ms: when the Lease names the standby (its first write), and
when the second NIMService's Deployment exists (its first write for the user). Two cases: a
standby already running (two replicas), and a single replica restarted after the kill (as a
kubelet restarts the container: start-up plus waiting out the dead leader's Lease).
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path
from typing import Any

from bench import manifests
from bench.kube import Kube
from bench.operator import Operator
from bench.scenario import CACHE, _wait_node_ready
from bench.tracker import GROUP_PATH
from tests.cluster import Cluster
from tests.operator_process import LEASE_ENV, LEASE_NAME, LEASE_NAMESPACE, fresh_lease, install_crds

POLL = 0.05


def _operator(cluster: Cluster, ns: str, out: Path, tag: str) -> Operator:
    """`nimop run` as installed: its identity may hold only the installed Lease."""
    env = {"NIMOP_NAMESPACES": ns, **LEASE_ENV}
    return Operator(cluster, argv=None, shell_cmd=None, env=env,
                    log_path=out / f"failover-{tag}.log")  # fmt: skip


async def _holder(kube: Kube, ns: str) -> str | None:
    path = f"/apis/coordination.k8s.io/v1/namespaces/{LEASE_NAMESPACE}/leases/{LEASE_NAME}"
    lease = await kube.request("GET", path, ok_missing=True)
    return ((lease or {}).get("spec") or {}).get("holderIdentity")


async def _until(check: Any, within: float = 120.0) -> float:
    """Seconds until ``await check()`` is truthy."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < within:
        if await check():
            return time.monotonic() - t0
        await asyncio.sleep(POLL)
    raise RuntimeError(f"not within {within}s")


async def _deployment(kube: Kube, ns: str, name: str) -> bool:
    got = await kube.request("GET", f"/apis/apps/v1/namespaces/{ns}/deployments/{name}",
                             ok_missing=True)  # fmt: skip
    return got is not None


async def _case(cluster: Cluster, kube: Kube, ns: str, node: str, out: Path, *,
                standby: bool, round_: int) -> dict[str, Any]:  # fmt: skip
    fresh_lease(cluster)  # no holder left by an earlier case delays the first start
    first = _operator(cluster, ns, out, f"{round_}-a").start()
    second = _operator(cluster, ns, out, f"{round_}-b").start() if standby else None
    try:
        ops = [op for op in (first, second) if op is not None]
        await _until(lambda: _leader_known(ops))
        leader = next(op for op in ops if _leads(op))
        leader_identity = await _holder(kube, ns)
        svc = f"before-{round_}"
        await kube.create(f"{GROUP_PATH}/namespaces/{ns}/nimservices",
                          manifests.nimservice(ns, svc, CACHE, node))  # fmt: skip
        await _until(lambda: _deployment(kube, ns, svc))
        os.killpg(leader.pid, signal.SIGKILL)
        killed = time.monotonic()
        svc = f"after-{round_}"
        await kube.create(f"{GROUP_PATH}/namespaces/{ns}/nimservices",
                          manifests.nimservice(ns, svc, CACHE, node))  # fmt: skip
        replacement = (second if leader is first else first) if standby else None
        if replacement is None:
            replacement = _operator(cluster, ns, out, f"{round_}-restart").start()
            second = replacement
        await _until(lambda: _holder_changed(kube, ns, leader_identity))
        lease_s = time.monotonic() - killed
        await _until(lambda: _deployment(kube, ns, svc))
        write_s = time.monotonic() - killed
    finally:
        for op in (first, second):
            if op is not None:
                op.stop()
    return {"standby": standby, "lease_taken_s": round(lease_s, 2),
            "first_child_write_s": round(write_s, 2)}  # fmt: skip


async def _leader_known(ops: list[Operator]) -> bool:
    return any(_leads(op) for op in ops)


def _leads(op: Operator) -> bool:
    """The operator's own word (its ``leader_election_master_status`` gauge)."""
    return any(line.startswith("leader_election_master_status") and line.endswith(" 1.0")
               for line in op.metrics().splitlines())  # fmt: skip


async def _holder_changed(kube: Kube, ns: str, old: str | None) -> bool:
    now = await _holder(kube, ns)
    return bool(now) and now != old


async def measure(cluster: Cluster, out: Path, rounds: int = 3) -> dict[str, Any]:
    install_crds(cluster)
    suffix = os.urandom(3).hex()
    ns, node = f"bench-failover-{suffix}", f"kwok-bench-{suffix}"
    results: list[dict[str, Any]] = []
    load_start = os.getloadavg()
    async with Kube(cluster) as kube:
        await kube.create("/api/v1/namespaces", manifests.namespace(ns))
        await kube.create("/api/v1/nodes", manifests.node(node, 50))
        try:
            await _wait_node_ready(kube, node)
            await kube.create(f"{GROUP_PATH}/namespaces/{ns}/nimcaches",
                              manifests.nimcache(ns, CACHE))  # fmt: skip
            for i in range(rounds):
                for standby in (True, False):
                    results.append(await _case(cluster, kube, ns, node, out, standby=standby,
                                               round_=2 * i + int(standby)))  # fmt: skip
        finally:
            await kube.delete(f"/api/v1/namespaces/{ns}")
            await kube.delete(f"/api/v1/nodes/{node}")
    return {"loadavg_start": load_start, "loadavg_end": os.getloadavg(), "runs": results}


def markdown(result: dict[str, Any]) -> str:
    load = f"{result['loadavg_start'][0]:.1f} → {result['loadavg_end'][0]:.1f}"
    lines = [f"load average {load}", "",
             "| replicas | kill → Lease taken s | kill → first child write s |",
             "|---|---:|---:|"]  # fmt: skip
    for run in result["runs"]:
        kind = "2 (standby running)" if run["standby"] else "1 (restarted after the kill)"
        lines.append(f"| {kind} | {run['lease_taken_s']} | {run['first_child_write_s']} |")
    return "\n".join(lines) + "\n"
