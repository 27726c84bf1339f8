"""The oldest supported Kubernetes (MIN_KUBE_VERSION, docs/compatibility.md "Supported
Kubernetes"): nimop's generated CRDs install on a real kube-apiserver of that minor, and every
example, upstream sample and invalid-corpus case gets the same verdict there as on the current
control plane (1.36) — so no CEL rule relies on a function the floor lacks.

kube-apiserver and the etcd it pins are built from the Go module proxy by tests/tools (cached;
`make tools` builds them ahead). Only etcd and kube-apiserver run: admission needs nothing else.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from nimop.api import GROUP
from nimop.deploygen.olm import MIN_KUBE_VERSION
from tests.cluster import Cluster, config
from tests.cluster.controlplane import wait_for
from tests.e2e.test_api_admission import (
    CRDS,
    EXAMPLES,
    INVALID,
    KINDS,
    _dry_run_create,
    _expectations,
    _nim_docs,
    crds,
)
from tests.integration.create_only import BUILT_IN, verdicts
from tests.tools import ensure
from tests.tools.kube_floor import FLOOR_VERSION, apiserver, etcd

__all__ = ["crds"]  # the fixture, imported for this module's tests

REPO = Path(__file__).resolve().parents[2]
SAMPLES = sorted((REPO / "tests" / "golden" / "inputs" / "samples").glob("*.yaml"))


class FloorApiserver(Cluster):
    """etcd + kube-apiserver of the floor release, with the local cluster's PKI recipe."""

    def __init__(self, state: Path) -> None:
        super().__init__(config.Layout(build=config.default_layout().build, state=state))
        self.binaries = {"etcd": ensure(etcd()), "kube-apiserver": ensure(apiserver())}

    def _bin(self, name: str) -> str:
        return str(self.binaries[name])

    def _start_all(self, attached: bool) -> None:
        self._start("etcd", self._etcd_argv(), attached)
        wait_for("etcd", self._etcd_healthy, 60)
        self._start("kube-apiserver", self._apiserver_argv(), attached)
        wait_for("kube-apiserver /readyz", lambda: self._healthy("/readyz"), 120)

    def _wait_usable(self) -> None:
        wait_for("the default namespace", lambda: self._exists("/api/v1/namespaces/default"), 60)


@pytest.fixture(scope="module")
def floor() -> Iterator[FloorApiserver]:
    with tempfile.TemporaryDirectory(prefix="nimop-floor-") as state:
        handle = FloorApiserver(Path(state))
        handle.up(attached=True)
        try:
            handle.kubectl("apply", "--server-side", "-f", str(CRDS))
            names = [f"crd/{k}.apps.nvidia.com" for k in KINDS]
            handle.kubectl("wait", "--for=condition=Established", "--timeout=60s", *names)
            yield handle
        finally:
            handle.down()


def _verdict(cluster: Cluster, namespace: str, path: Path, suffix: str) -> str:
    """'' when accepted, else the apiserver's error (the corpus's two-document cases are
    updates: create the first, then apply the second)."""
    # nimop's CRs only: a sample's ResourceClaimTemplate is resource.k8s.io/v1, which 1.32
    # does not serve (DRA itself needs a newer cluster; nimop's CRDs do not).
    docs = [d for d in _nim_docs(path) if str(d.get("apiVersion", "")).startswith(GROUP)]
    if path not in INVALID or len(docs) == 1:
        return _dry_run_create(cluster, namespace, docs)
    original, update = docs
    for doc in (original, update):
        doc["metadata"]["name"] = f"{doc['metadata']['name']}-{suffix}"
    cluster.kubectl("create", "-n", namespace, "-f", "-", input=yaml.safe_dump(original))
    result = cluster.kubectl(
        "apply", "--server-side", "--force-conflicts", "-n", namespace, "-f", "-",
        input=yaml.safe_dump(update), check=False,
    )  # fmt: skip
    return "" if result.returncode == 0 else result.stderr


def test_the_floor_is_the_declared_minimum(floor: FloorApiserver) -> None:
    version = yaml.safe_load(floor.kubectl("version", "-o", "yaml").stdout)["serverVersion"]
    assert version["gitVersion"] == f"v{FLOOR_VERSION}"
    assert FLOOR_VERSION.split(".")[:2] == MIN_KUBE_VERSION.split(".")[:2]


@pytest.mark.parametrize("path", EXAMPLES + SAMPLES + INVALID, ids=lambda p: p.name)
def test_same_verdict_as_on_the_current_release(
    floor: FloorApiserver, crds: Cluster, namespace: str, path: Path
) -> None:
    suffix = namespace[-6:]
    old = _verdict(floor, "default", path, suffix)
    new = _verdict(crds, namespace, path, suffix)
    assert bool(old) == bool(new), f"1.32: {old or 'accepted'}\n1.36: {new or 'accepted'}"
    if path in INVALID:
        for fragment in _expectations(path):
            assert fragment in old, f"{path.name}: {fragment!r} not in:\n{old}"


async def test_a_create_only_apply_behaves_as_on_the_current_release(
    floor: FloorApiserver,
) -> None:
    """The no-adoption rule's create-only apply (nimop.watch.sync.create_only) on the floor:
    every built-in child kind created when absent, refused and unchanged when present."""
    floor.kubectl("create", "namespace", "create-only")
    assert await verdicts(floor.kubeconfig, "create-only", BUILT_IN) == {
        res.kind: (True, True, True) for res, _ in BUILT_IN
    }
