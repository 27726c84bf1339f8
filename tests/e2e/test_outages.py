"""Outages the operator must survive, on the real control plane, running as installed:

* a hung apiserver: SIGSTOP for longer than the operator's request timeout, then SIGCONT. The
  operator's requests time out instead of hanging forever, it stays up and live, and work sent
  after the apiserver comes back converges;
* one of nimop's CRDs deleted while it runs (NIMBuild): the operator does not crash, the other
  kinds are still reconciled, and once the CRD is installed again its CRs are reconciled again.
"""

from __future__ import annotations

import os
import signal
import time
import urllib.request

import pytest

from tests.cluster import Cluster
from tests.cluster.processes import pid_of
from tests.e2e.test_chaos import apply, converged, exclusive, private_operator, service
from tests.e2e.test_nimbuild import nimbuild
from tests.operator_process import install_crds
from tests.support import eventually, get

pytestmark = [pytest.mark.chaos, pytest.mark.disruptive]
__all__ = ["exclusive"]  # the fixture, re-used

REQUEST_TIMEOUT = 5
HANG = 3 * REQUEST_TIMEOUT


def healthz(port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as resp:
            return int(resp.status)
    except OSError:
        return 0


def test_a_hung_apiserver_is_survived(cluster: Cluster, namespace: str, exclusive: None) -> None:
    op = private_operator(
        cluster, namespace, "nimop-outage-hung", NIMOP_REQUEST_TIMEOUT=str(REQUEST_TIMEOUT)
    ).start()
    try:
        first = [f"svc-{i:02d}" for i in range(6)]
        rounds = dict.fromkeys(first, 0)
        apply(cluster, namespace, [service(n, 0) for n in first])
        eventually(lambda: converged(cluster, namespace, rounds), timeout=180, interval=2,
                   what="first NIMServices Ready")  # fmt: skip
        pid = pid_of("kube-apiserver", cluster.layout.pids)
        assert pid is not None
        os.kill(pid, signal.SIGSTOP)
        try:
            time.sleep(HANG)  # requests in flight and new ones hang on the frozen apiserver
            assert op.proc is not None and op.proc.poll() is None, op.log_tail()
            live_during = healthz(op.health_port)
        finally:
            os.kill(pid, signal.SIGCONT)
        print(f"apiserver stopped {HANG}s (request timeout {REQUEST_TIMEOUT}s); "
              f"/healthz during the hang: {live_during}")  # fmt: skip
        assert live_during == 200, "the event loop kept running while the apiserver hung"
        later = [f"late-{i:02d}" for i in range(3)]
        for name in first[:2]:
            rounds[name] = 1
        rounds |= dict.fromkeys(later, 0)
        apply(cluster, namespace, [service(n, rounds[n]) for n in rounds])
        start = time.monotonic()
        eventually(lambda: converged(cluster, namespace, rounds), timeout=240, interval=2,
                   what="convergence after the apiserver came back")  # fmt: skip
        print(f"converged {time.monotonic() - start:.0f}s after SIGCONT")
        assert op.proc is not None and op.proc.poll() is None
        assert healthz(op.health_port) == 200
    finally:
        op.stop()


def test_a_deleted_crd_is_survived_and_its_kind_comes_back(
    cluster: Cluster, namespace: str, exclusive: None
) -> None:
    crd = "nimbuilds.apps.nvidia.com"
    op = private_operator(cluster, namespace, "nimop-outage-crd").start()
    try:
        cluster.kubectl("delete", "crd", crd, "--wait=true")
        time.sleep(8)  # discovery refreshes every 5 s here (NIMOP_DISCOVERY_REFRESH)
        assert op.proc is not None and op.proc.poll() is None, op.log_tail()
        rounds = {"after-delete": 0}
        apply(cluster, namespace, [service("after-delete", 0)])
        eventually(lambda: converged(cluster, namespace, rounds), timeout=180, interval=2,
                   what="the other kinds still reconciled")  # fmt: skip
        install_crds(cluster)
        apply(cluster, namespace, [nimbuild("back", "no-such-cache")])

        def reconciled() -> bool:
            obj = get(cluster, "nimbuild", "back", namespace) or {}
            return bool((obj.get("status") or {}).get("state"))

        eventually(reconciled, timeout=120, interval=2, what="a NIMBuild reconciled again")
        assert op.proc is not None and op.proc.poll() is None
        assert healthz(op.health_port) == 200
    finally:
        op.stop()
        install_crds(cluster)
