"""The oldest Kubernetes nimop supports (docs/compatibility.md "Supported Kubernetes"): its
kube-apiserver and the etcd it pins, built from the Go module proxy like every pinned tool.

Kubernetes' own module cannot be built from its go.mod alone: it replaces every staging module
(`k8s.io/api`, `k8s.io/apiserver`, ...) with a local path. The wrapper module replaces each with
its published `v0.<minor>.<patch>` tag instead, the list read from the go.mod itself
(the recipe tests/cluster/build.sh uses for the current control plane).
"""

from __future__ import annotations

import re

from tests.tools import GoTool, go_mod_of

#: The floor: Kubernetes 1.32 is the oldest minor still run by a big managed offering on
#: 2026-12-01 (Amazon EKS extended support); the patch is the newest the proxy serves.
FLOOR_VERSION = "1.32.13"

_STAGING = re.compile(r"^\s*(k8s\.io/[A-Za-z0-9._-]+) v0\.0\.0( // indirect)?$", re.MULTILINE)
_ETCD = re.compile(r"^\s*go\.etcd\.io/etcd/server/v3 (v\S+)", re.MULTILINE)


def _stamp(version: str) -> str:
    minor = version.split(".")[1]
    base = "k8s.io/component-base/version"
    return (
        f"-s -w -X {base}.gitVersion=v{version} -X {base}.gitMajor=1 -X {base}.gitMinor={minor} "
        f"-X {base}.gitTreeState=clean"
    )


def apiserver(version: str = FLOOR_VERSION) -> GoTool:
    """kube-apiserver `version` (reads the module's go.mod from the proxy for its replaces)."""
    gomod = go_mod_of("k8s.io/kubernetes", f"v{version}")
    patch = "v0." + version.split(".", 1)[1]
    replaces = {m: f"{m}@{patch}" for m, _ in _STAGING.findall(gomod)}
    return GoTool(
        "kube-apiserver", "k8s.io/kubernetes", f"v{version}",
        package="k8s.io/kubernetes/cmd/kube-apiserver", replaces=replaces,
        ldflags=_stamp(version), tags="selinux,notest,grpcnotrace",
    )  # fmt: skip


def etcd(version: str = FLOOR_VERSION) -> GoTool:
    """The etcd server that kube-apiserver `version` pins in its go.mod."""
    found = _ETCD.search(go_mod_of("k8s.io/kubernetes", f"v{version}"))
    if found is None:
        raise LookupError(f"k8s.io/kubernetes v{version} pins no go.etcd.io/etcd/server/v3")
    return GoTool("etcd", "go.etcd.io/etcd/server/v3", found.group(1))
