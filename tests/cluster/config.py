"""Pinned versions and on-disk locations of the local control plane.

Binaries are built once into a cache directory keyed by the versions (outside the repo);
each running cluster keeps its state (PKI, etcd data, logs, pids, ports) in a state directory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

K8S_VERSION = os.environ.get("NIMOP_K8S_VERSION", "1.36.3")
KWOK_VERSION = os.environ.get("NIMOP_KWOK_VERSION", "v0.8.0")
# v0.10.0's module zip is refused by the module proxy; v0.9.0 is the newest that builds.
LWS_VERSION = os.environ.get("NIMOP_LWS_VERSION", "v0.9.0")
GATEWAY_API_VERSION = "v1.6.3"
INFERENCE_EXTENSION_VERSION = "v1.3.0"
KSERVE_VERSION = "v0.16.0"

#: Binaries the cluster runs (all built by build.sh unless KUBEBUILDER_ASSETS has them).
BINARIES = (
    "etcd",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kubectl",
    "kwok",
    "lws-manager",
)


def cache_root() -> Path:
    return Path(os.environ.get("NIMOP_CACHE", Path.home() / ".cache" / "nimop"))


@dataclass(frozen=True)
class Layout:
    """Where one build and one running cluster live on disk."""

    build: Path
    state: Path

    @property
    def bin(self) -> Path:
        return self.build / "bin"

    @property
    def crds(self) -> Path:
        return self.build / "crds"

    @property
    def pki(self) -> Path:
        return self.state / "pki"

    @property
    def logs(self) -> Path:
        return self.state / "logs"

    @property
    def pids(self) -> Path:
        return self.state / "pids"

    @property
    def kubeconfig(self) -> Path:
        return self.state / "kubeconfig"

    @property
    def ports_file(self) -> Path:
        return self.state / "ports.json"


def default_layout() -> Layout:
    key = f"k8s-{K8S_VERSION}-kwok-{KWOK_VERSION}-lws-{LWS_VERSION}"
    state = Path(os.environ.get("NIMOP_CLUSTER_STATE", cache_root() / "cluster"))
    return Layout(build=cache_root() / key, state=state)
