"""E2E fixtures: nimop's CRDs installed and one `nimop run` process for the session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.cluster import Cluster
from tests.operator_process import OperatorProcess, install_crds


@pytest.fixture(scope="session")
def operator(cluster: Cluster) -> Iterator[OperatorProcess]:
    install_crds(cluster)
    proc = OperatorProcess(cluster).start()
    OperatorProcess.session = proc
    try:
        yield proc
    finally:
        OperatorProcess.session = None
        proc.stop()
