"""The Helm chart on the real control plane: `helm install`, `upgrade` and `uninstall` with the
pinned helm binary (tests.tools), and the operator running as the chart installed it.

The chart's own pods are kwok-simulated (there is no image to run), so the operator is run here
as `nimop run`, authenticated as the chart's ServiceAccount (bound only to the chart's RBAC) and
configured with the env of the chart's Deployment, the way tests/e2e/test_deploy.py proves the
kustomize base. It takes the standalone example (NIMCache, then the NIMService using it) to
Ready in a namespace the release watches.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import yaml

from tests.cluster import Cluster
from tests.e2e.test_deploy import no_other_operator, state  # noqa: F401 (fixture)
from tests.operator_process import OperatorProcess
from tests.support import eventually, get
from tests.unit.deploy.helmcli import CHART, ROOT, helm

pytestmark = pytest.mark.tools
EXAMPLE = ROOT / "api" / "examples" / "standalone-basic.yaml"
#: Settings the test process sets itself (its own free ports, its kubeconfig).
LOCAL = ("--metrics-bind-address", "--health-probe-bind-address", "--kubeconfig",
         "NIMOP_METRICS_BIND_ADDRESS", "NIMOP_HEALTH_BIND_ADDRESS", "NIMOP_KUBECONFIG")


class Release:
    """A release named so its objects (cluster-scoped ones too) never meet the kustomize
    install's `nimop` objects that other tests create."""

    def __init__(self, cluster: Cluster, namespace: str, name: str = "nimop-e2e") -> None:
        self.cluster, self.namespace, self.name = cluster, namespace, name

    def helm(self, *args: str, check: bool = True) -> Any:
        return helm(*args, "--kubeconfig", str(self.cluster.kubeconfig), "-n", self.namespace,
                    check=check)

    def install(self, *sets: str) -> None:
        self.helm("install", self.name, str(CHART), "--create-namespace", "--wait",
                  "--timeout", "3m", *(a for s in sets for a in ("--set", s)))

    def upgrade(self, *sets: str) -> None:
        self.helm("upgrade", self.name, str(CHART), "--reuse-values", "--wait", "--timeout", "3m",
                  *(a for s in sets for a in ("--set", s)))

    def manifest(self) -> list[dict[str, Any]]:
        out = self.helm("get", "manifest", self.name).stdout
        return [d for d in yaml.safe_load_all(out) if d]

    def revision(self) -> int:
        status = json.loads(self.helm("status", self.name, "-o", "json").stdout)
        return int(status["version"])

    def container(self) -> dict[str, Any]:
        deployment = next(d for d in self.manifest() if d["kind"] == "Deployment")
        return dict(deployment["spec"]["template"]["spec"]["containers"][0])

    def operator_args(self) -> list[str]:
        """The chart Deployment's `nimop run` flags."""
        return [a for a in self.container().get("args", []) if a.split("=")[0] not in LOCAL]

    def operator_env(self) -> dict[str, str]:
        """The chart Deployment's env, as the pod would see it (downward API resolved)."""
        env = {}
        for entry in self.container()["env"]:
            if entry["name"] in LOCAL:
                continue
            field = (entry.get("valueFrom") or {}).get("fieldRef", {}).get("fieldPath")
            env[entry["name"]] = self.namespace if field == "metadata.namespace" else entry["value"]
        return env

    def service_account(self) -> tuple[str, tuple[str, ...]]:
        user = f"system:serviceaccount:{self.namespace}:{self.name}"
        return user, ("system:serviceaccounts", f"system:serviceaccounts:{self.namespace}")


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


def _ready(cluster: Cluster, namespace: str, operator: OperatorProcess) -> None:
    docs = [d for d in yaml.safe_load_all(EXAMPLE.read_text()) if d]
    cluster.kubectl("apply", "--server-side", "-n", namespace, "-f", str(EXAMPLE))
    for kind in ("NIMCache", "NIMService"):
        name = next(d["metadata"]["name"] for d in docs if d["kind"] == kind)
        try:
            eventually(lambda k=kind, n=name: state(cluster, k.lower(), n, namespace) == "Ready",
                       timeout=180, what=f"{kind} {name} Ready")
        except AssertionError as err:
            status = (get(cluster, kind.lower(), name, namespace) or {}).get("status")
            raise AssertionError(f"{err}\nstatus: {json.dumps(status, indent=1)}\n"
                                 f"operator log:\n{operator.log_tail(30)}") from None


def _exists(cluster: Cluster, kind: str, name: str, namespace: str | None = None) -> bool:
    return get(cluster, kind, name, namespace) is not None


def test_install_upgrade_uninstall(cluster: Cluster, no_other_operator: None) -> None:  # noqa: F811
    watched, later = _unique("helm-watched"), _unique("helm-later")
    for ns in (watched, later):
        cluster.kubectl("create", "namespace", ns)
    release = Release(cluster, _unique("helm-nimop"))
    release.install(f"watchNamespaces={{{watched}}}", "replicaCount=1")

    # install: the chart's objects, its Deployment ready (kwok runs the pod), RBAC per namespace
    name = release.name
    assert _exists(cluster, "deployment", name, release.namespace)
    assert _exists(cluster, "role", name, watched)
    assert not _exists(cluster, "role", name, later)
    assert _exists(cluster, "clusterrole", f"{name}-cluster")
    assert release.operator_env()["NIMOP_NAMESPACES"] == watched

    user, groups = release.service_account()
    assert "--leader-elect=true" in release.operator_args()
    operator = OperatorProcess(cluster, kubeconfig=cluster.kubeconfig_for(user, groups),
                               env=release.operator_env(), args=release.operator_args())
    operator.start()
    try:
        _ready(cluster, watched, operator)
    finally:
        code = operator.stop()
    assert code == 0, operator.log_tail(40)
    assert "forbidden" not in operator.log_tail(400).lower(), operator.log_tail(40)

    # upgrade, as docs/getting-started.md says: CRDs first (Helm never updates crds/; they may
    # have been created by Helm, so the apply takes the fields over), then the release
    result = cluster.kubectl("apply", "--server-side", "--force-conflicts",
                             "-f", str(CHART / "crds"), check=False)
    assert result.returncode == 0, result.stderr
    # a changed value reaches the Deployment, a new namespace gets its Role
    release.upgrade(f"watchNamespaces={{{watched},{later}}}", "logLevel=debug")
    assert release.revision() == 2
    assert release.operator_env()["NIMOP_NAMESPACES"] == f"{watched},{later}"
    assert "--log-level=debug" in release.operator_args()
    assert _exists(cluster, "role", name, later)
    deployment = get(cluster, "deployment", name, release.namespace) or {}
    assert "--log-level=debug" in deployment["spec"]["template"]["spec"]["containers"][0]["args"]

    # uninstall: the release's objects go; CRDs and the user's resources stay
    release.helm("uninstall", release.name, "--wait", "--timeout", "2m")
    eventually(lambda: not _exists(cluster, "deployment", name, release.namespace),
               timeout=60, what="Deployment removed")
    for kind, obj, ns in (("clusterrole", f"{name}-cluster", None), ("role", name, watched),
                          ("role", name, later), ("serviceaccount", name, release.namespace)):
        assert not _exists(cluster, kind, obj, ns), f"{kind} {obj} left behind"
    assert _exists(cluster, "crd", "nimservices.apps.nvidia.com")
    assert state(cluster, "nimservice", next(
        d["metadata"]["name"] for d in yaml.safe_load_all(EXAMPLE.read_text())
        if d and d["kind"] == "NIMService"), watched) == "Ready"
