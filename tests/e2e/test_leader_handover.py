"""One leader at a time, on the real control plane: two replicas under load (NIMServices being
created and edited), as installed (the ServiceAccount, the leader-election Role and Lease), and
the leader goes away in three ways:

* SIGTERM: it stops handing out keys, finishes what is in flight *while still renewing*, then
  releases the Lease; it exits 0 within the pod's grace period;
* its Lease's holder is rewritten (another identity took it) or
* its Lease is deleted: it stops at once (no drain) and exits non-zero.

In every case the apiserver's audit log shows no write of the old leader after the first write
of the new one (the old leader's last write *completed* before the new one's first arrived).
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any

import pytest
import yaml

from tests.audit import WRITES, AuditWindow, ref
from tests.cluster import Cluster
from tests.e2e.test_chaos import apply, converged, service
from tests.operator_process import BASE, LEASE_ENV, LEASE_NAMESPACE, OperatorProcess, fresh_lease
from tests.support import eventually, get

pytestmark = [pytest.mark.chaos]

N = 16
LEASE = 10.0
ENV = {
    **LEASE_ENV,
    "NIMOP_LEASE_DURATION": str(LEASE),
    "NIMOP_RENEW_DEADLINE": str(LEASE * 0.7),
    "NIMOP_RETRY_PERIOD": "2",
}


def grace_period() -> int:
    """The installed pod's terminationGracePeriodSeconds (deploy/base)."""
    docs = yaml.safe_load_all((BASE / "deployment.yaml").read_text())
    deployment = next(d for d in docs if d and d.get("kind") == "Deployment")
    return int(deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"])


def _holder(cluster: Cluster, lease: str) -> str:
    obj = get(cluster, "lease", lease, LEASE_NAMESPACE) or {}
    return str((obj.get("spec") or {}).get("holderIdentity") or "")


def _identity(op: OperatorProcess) -> str:
    def find() -> str | None:
        for line in op.log_path.read_text(errors="replace").splitlines():
            if "waiting for leadership" in line and line.startswith("{"):
                return str(json.loads(line)["identity"])
        return None

    return eventually(find, timeout=120, what=f"identity in {op.log_path}")


def _stamp(event: dict[str, Any], key: str) -> datetime:
    return datetime.fromisoformat(str(event[key]).replace("Z", "+00:00"))


def overlap(events: list[dict[str, Any]], old: str, new: str) -> tuple[list[str], str]:
    """Writes of `old` that completed after the first write of `new` arrived (its Lease
    attempts aside: they are how it becomes leader); and a one-line summary."""
    new_writes = [
        e
        for e in events
        if e["userAgent"].startswith(new)
        and e["verb"] in WRITES
        and ref(e).get("resource") != "leases"
    ]
    assert new_writes, "the new leader never wrote: the test proved nothing"
    first_new = min(_stamp(e, "requestReceivedTimestamp") for e in new_writes)
    old_writes = [e for e in events if e["userAgent"].startswith(old) and e["verb"] in WRITES]
    assert old_writes, "the old leader never wrote: the test proved nothing"
    last_old = max(_stamp(e, "stageTimestamp") for e in old_writes)
    late = [
        f"{e['verb']} {ref(e).get('resource')} {ref(e).get('name')} at {e['stageTimestamp']}"
        for e in old_writes
        if _stamp(e, "stageTimestamp") > first_new
    ]
    gap = (first_new - last_old).total_seconds()
    return late, (
        f"old leader: {len(old_writes)} writes, last completed {gap:.2f}s before the new "
        f"leader's first ({len(new_writes)} writes)"
    )


@pytest.mark.parametrize("how", ["sigterm", "holder-rewritten", "lease-deleted"])
def test_no_write_of_the_old_leader_after_the_new_leaders_first(
    cluster: Cluster, namespace: str, how: str, request: pytest.FixtureRequest
) -> None:
    shared: OperatorProcess = request.getfixturevalue("operator")
    shared.stop()
    lease = fresh_lease(cluster)
    agents = (f"nimop-lead-a-{how}", f"nimop-lead-b-{how}")
    audit = AuditWindow(cluster)
    ops = [
        OperatorProcess(
            cluster, agent=a, env={"NIMOP_NAMESPACES": namespace, **ENV}
        ).start(wait_ready=False)
        for a in agents
    ]  # fmt: skip
    try:
        ids = [_identity(op) for op in ops]
        holder = eventually(lambda: _holder(cluster, lease), timeout=60, what="a leader")
        leader = ids.index(holder)
        follower = 1 - leader
        names = [f"svc-{i:03d}" for i in range(N)]
        rounds = dict.fromkeys(names, 0)
        apply(cluster, namespace, [service(n, 0) for n in names])
        time.sleep(3)  # the leader is busy creating children
        for name in names[: N // 2]:  # and more work arrives as it goes away
            rounds[name] = 1
        apply(cluster, namespace, [service(n, rounds[n]) for n in names])
        start = time.monotonic()
        if how == "sigterm":
            code = ops[leader].stop()
            stopped = time.monotonic() - start
            print(f"SIGTERM: exit {code} after {stopped:.1f}s (grace {grace_period()}s)")
            assert code == 0, ops[leader].log_tail()
            assert stopped < grace_period()
        else:
            if how == "lease-deleted":
                cluster.kubectl("delete", "lease", lease, "-n", LEASE_NAMESPACE)
            else:
                patch = {"spec": {"holderIdentity": "intruder"}}
                cluster.kubectl(
                    "patch", "lease", lease, "-n", LEASE_NAMESPACE, "--type=merge",
                    "-p", json.dumps(patch),
                )  # fmt: skip
            proc = ops[leader].proc
            assert proc is not None
            code = proc.wait(timeout=LEASE)
            print(f"{how}: old leader exited {code} after {time.monotonic() - start:.1f}s")
            assert code != 0
            assert "leadership lost" in ops[leader].log_tail(80)
        eventually(
            lambda: _holder(cluster, lease) == ids[follower],
            timeout=LEASE * 3,
            interval=0.2,
            what="the follower holding the lease",
        )
        print(f"takeover {time.monotonic() - start:.1f}s after the leader went")
        for name in names[N // 2 :]:  # work only the new leader can do, so it must write
            rounds[name] = 1
        apply(cluster, namespace, [service(n, rounds[n]) for n in names])
        eventually(
            lambda: converged(cluster, namespace, rounds),
            timeout=240,
            interval=2,
            what="convergence under the new leader",
        )
        late, summary = overlap(audit.events(agents=agents), agents[leader], agents[follower])
        print(summary)
        assert not late, late[:10]
    finally:
        for op in ops:
            op.stop()
        shared.start()
