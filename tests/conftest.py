"""Fixtures shared by every test tier.

`cluster` is the real local control plane (session-scoped): reused when one is already
running (`python -m tests.cluster up`), otherwise started for this session and stopped at its
end — its processes die with the test run even when it is killed. `namespace` gives each
test a fresh namespace enforcing Pod Security `restricted`, so every pod nimop creates in any
test must pass it.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator

import pytest

from tests.cluster import Cluster


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    handle = Cluster()
    reused = handle.alive()
    handle.up(attached=not reused)
    os.environ["PATH"] = f"{handle.bin_dir}{os.pathsep}{os.environ['PATH']}"
    try:
        yield handle
    finally:
        if not reused:
            handle.down()


#: Pod Security admission labels of every test namespace.
RESTRICTED = (
    "pod-security.kubernetes.io/enforce=restricted",
    "pod-security.kubernetes.io/enforce-version=latest",
)


@pytest.fixture
def namespace(cluster: Cluster, request: pytest.FixtureRequest) -> Iterator[str]:
    base = re.sub(r"[^a-z0-9-]+", "-", request.node.name.lower()).strip("-")[:40].strip("-")
    name = f"t-{base}-{uuid.uuid4().hex[:6]}"
    cluster.kubectl("create", "namespace", name)
    cluster.kubectl("label", "namespace", name, *RESTRICTED)
    yield name
    cluster.kubectl("delete", "namespace", name, "--wait=false", check=False)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs the control plane, so `-m 'not cluster'` runs the pure tiers;
    run the tests that disrupt the shared control plane (apiserver restarts, etcd compaction,
    chaos) last, so the others never see a cluster that is still recovering."""
    for item in items:
        if "cluster" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.cluster)
    disruptive = {"disruptive", "chaos"}
    items.sort(key=lambda item: any(item.get_closest_marker(m) for m in disruptive))
