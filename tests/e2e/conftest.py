"""E2E fixtures: nimop's CRDs installed and one `nimop run` process for the session, running
as it runs when installed (deploy/base's ServiceAccount and RBAC); any RBAC denial of the
operator during a test fails that test."""

from __future__ import annotations

from collections.abc import Iterator

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
    denied = forbidden(window.events(users=[SA_USER]))
    assert not denied, "the installed RBAC denied the operator:\n" + "\n".join(sorted(set(denied)))
