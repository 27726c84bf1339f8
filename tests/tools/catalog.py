"""The pinned tools the tests use, by name (`python -m tests.tools build NAME`)."""

from __future__ import annotations

from pathlib import Path

from tests.cluster.config import KSERVE_VERSION
from tests.tools import GoTool, kube_floor

HELM_VERSION = "v3.22.0"

#: The Kubernetes version helm assumes without a cluster (`helm template`, `helm lint`): helm's
#: Makefile stamps the client-go minor it is built with (v0.37 -> 1.37); unstamped it says 1.20.
HELM_KUBE_MINOR = "37"
_HELM_X = {
    "internal/version.version": HELM_VERSION,
    "pkg/lint/rules.k8sVersionMajor": "1", "pkg/lint/rules.k8sVersionMinor": HELM_KUBE_MINOR,
    "pkg/chartutil.k8sVersionMajor": "1", "pkg/chartutil.k8sVersionMinor": HELM_KUBE_MINOR,
}
HELM = GoTool(
    "helm", "helm.sh/helm/v3", HELM_VERSION, package="helm.sh/helm/v3/cmd/helm",
    ldflags="-s -w " + " ".join(f"-X helm.sh/helm/v3/{k}={v}" for k, v in _HELM_X.items()),
)  # fmt: skip

#: operator-sdk is refused by the module proxy (403 for every version asked: v1.42.0, v1.41.1,
#: v1.39.2), so its `bundle validate` is reproduced by a small main over the validation library
#: it calls (github.com/operator-framework/api), default validators plus the optional suite.
BUNDLE_VALIDATE = GoTool(
    "bundlevalidate", "github.com/operator-framework/api", "v0.36.0",
    source=Path(__file__).with_name("bundlevalidate"),
)  # fmt: skip

#: KServe's controller manager, run by the local control plane in Standard (RawDeployment) mode
#: (tests/cluster/kserve.py). The version is the one whose CRDs the cluster serves; its go.mod
#: replaces controller-runtime, a replace a dependency cannot pass on, so the wrapper repeats it.
KSERVE = GoTool(
    "kserve-manager", "github.com/kserve/kserve", KSERVE_VERSION,
    package="github.com/kserve/kserve/cmd/manager",
    replaces={"sigs.k8s.io/controller-runtime": "sigs.k8s.io/controller-runtime@v0.19.7"},
)  # fmt: skip

#: The oldest supported kube-apiserver and its etcd (tests/e2e/test_old_apiserver.py); their
#: definitions read Kubernetes' go.mod from the proxy (cached by Go after the first time).
FLOOR = (kube_floor.apiserver(), kube_floor.etcd())

#: A real OCI distribution registry and a client to push to it (go-containerregistry's `registry`
#: and `crane`), for the NIM image inspection tests (tests/e2e/test_native_cache.py): images are
#: pushed to a registry on loopback, never read from a public one.
GCR_VERSION = "v0.22.1"
REGISTRY = GoTool(
    "registry", "github.com/google/go-containerregistry", GCR_VERSION,
    package="github.com/google/go-containerregistry/cmd/registry",
)  # fmt: skip
CRANE = GoTool(
    "crane", "github.com/google/go-containerregistry", GCR_VERSION,
    package="github.com/google/go-containerregistry/cmd/crane",
)  # fmt: skip

TOOLS = {tool.name: tool for tool in (HELM, BUNDLE_VALIDATE, KSERVE, *FLOOR, REGISTRY, CRANE)}
