"""E2E fixtures: nimop's CRDs installed and one `nimop run` process for the session, running
as it runs when installed (deploy/base's ServiceAccount and RBAC); any RBAC denial of the
operator during a test fails that test."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from tests.audit import AuditWindow, forbidden
from tests.cluster import Cluster
from tests.operator_process import SA_USER, OperatorProcess, install_crds, install_identity


@pytest.fixture(scope="session")
def operator(cluster: Cluster) -> Iterator[OperatorProcess]:
    install_crds(cluster)
    proc = OperatorProcess(cluster, agent="nimop-e2e-session").start()
    OperatorProcess.session = proc
    try:
        yield proc
    finally:
        OperatorProcess.session = None
        proc.stop()


@pytest.fixture(autouse=True)
def no_rbac_denial_of_the_operator(cluster: Cluster) -> Iterator[None]:
    """A 403 (authorization decision `forbid`) for the operator's ServiceAccount in the audit
    log during the test fails it: the installed RBAC lacks something the code does."""
    install_identity(cluster)
    window = AuditWindow(cluster)
    yield
    events = window.events(users=[SA_USER])
    denied = forbidden(e for e in events if not _rbac_warming_up(e, cluster.apiserver_restarts))
    assert not denied, "the installed RBAC denied the operator:\n" + "\n".join(sorted(set(denied)))


#: After a restart the apiserver answers /readyz before its RBAC authorizer's caches are warm;
#: for this long it may deny what the installed RBAC grants.
RBAC_WARMUP_S = 20.0


def _rbac_warming_up(event: dict[str, Any], restarts: tuple[tuple[float, float], ...]) -> bool:
    """True for a request received while a restarted apiserver's authorizer was warming up."""
    stamp = str(event.get("requestReceivedTimestamp", "")).replace("Z", "+00:00")
    received = datetime.fromisoformat(stamp).timestamp() if stamp else 0.0
    return any(killed <= received <= ready + RBAC_WARMUP_S for killed, ready in restarts)
