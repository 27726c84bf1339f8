"""Two managers with leader election on a real Lease: exactly one reconciles; when the leader
dies without releasing, the other takes over within the lease duration plus a few seconds."""

from __future__ import annotations

from typing import Any

import anyio

from nimop.watch import Manager

from .sample_controller import install, primary
from .watchkit import eventually, running, settings

LEASE = {"lease_duration": 6.0, "renew_deadline": 4.0, "retry_period": 1.0}


def manager(cluster: Any, namespace: str, identity: str) -> Manager:
    s = settings(cluster.kubeconfig, namespace, leader_election=True, lease_name="sample",
                 **LEASE)  # fmt: skip
    return Manager(s, identity=identity)


async def apply(cluster: Any, namespace: str, *names: str) -> None:
    docs = [primary(n, n) for n in names]
    for doc in docs:
        doc["metadata"]["namespace"] = namespace
    await anyio.to_thread.run_sync(cluster.apply, docs)


def holder(cluster: Any, namespace: str) -> str:
    out = cluster.kubectl("get", "lease", "sample", "-n", namespace, "--ignore-not-found",
                          "-o", "jsonpath={.spec.holderIdentity}")  # fmt: skip
    return str(out.stdout.strip())


async def test_one_leader_reconciles_and_a_dead_leader_is_replaced(
    cluster: Any, namespace: str
) -> None:
    async with manager(cluster, namespace, "mgr-a") as a, manager(cluster, namespace, "mgr-b") as b:
        _, rec_a = install(a)
        _, rec_b = install(b)
        recs = {"mgr-a": (a, rec_a), "mgr-b": (b, rec_b)}
        async with running(b) as scope_b, running(a) as scope_a:
            await eventually(lambda: holder(cluster, namespace) in recs, what="a leader")
            await apply(cluster, namespace, "one", "two", "three")
            leader_id = holder(cluster, namespace)
            leader, leader_rec = recs[leader_id]
            follower_id = "mgr-b" if leader_id == "mgr-a" else "mgr-a"
            follower, follower_rec = recs[follower_id]
            await eventually(lambda: len(leader_rec.calls) == 3, what="the leader reconciling")
            await anyio.sleep(2)  # give a (wrong) second reconciler time to show itself
            assert not follower_rec.calls
            assert not follower.is_leader and leader.is_leader

            # Kill the leader: no release, its Lease must expire.
            assert leader.elector is not None

            async def no_release() -> None:
                return None

            leader.elector.release = no_release  # type: ignore[method-assign]
            (scope_a if leader_id == "mgr-a" else scope_b).cancel()
            await anyio.sleep(0.5)
            assert holder(cluster, namespace) == leader_id  # not released: it must expire
            await apply(cluster, namespace, "four")
            await eventually(lambda: holder(cluster, namespace) == follower_id,
                             within=LEASE["lease_duration"] + 6, what="the takeover")  # fmt: skip
            await eventually(lambda: len(follower_rec.calls) >= 4, what="the new leader working")

            # A clean stop releases the Lease (ReleaseOnCancel) instead of letting it expire.
            follower.stop()
            await eventually(lambda: holder(cluster, namespace) == "", within=10,
                             what="the lease released")  # fmt: skip
