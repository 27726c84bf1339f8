"""Run `nimop run` as a real process against the local cluster (e2e tests, chaos tests, the
demo and benchmarks all use this), with the identity and RBAC it has when installed.

Every operator process authenticates as `deploy/base`'s ServiceAccount (`nimop-system:nimop`),
bound to nothing but the generated ClusterRole and leader-election Role — never an
admin group — so a permission the code needs and the install lacks is a
403 in the audit log (the e2e conftest fails the test on one). Processes are told apart in the
audit log by their User-Agent (`agent`)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar, Self

from nimop.deploygen import objects as installed
from nimop.permissions import LEADER_LEASE
from nimop.watch.flags import settings_environment
from tests.cluster import Cluster
from tests.cluster.processes import die_with_parent

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "deploy" / "base"
#: The installed operator's identity: its ServiceAccount, as the apiserver authenticates it.
SA_USER = f"system:serviceaccount:{installed.NAMESPACE}:{installed.NAME}"
SA_GROUPS = ("system:serviceaccounts", f"system:serviceaccounts:{installed.NAMESPACE}")
#: Leader election as installed: this Lease in the operator's namespace (RBAC grants no other).
LEASE_NAMESPACE, LEASE_NAME = installed.NAMESPACE, LEADER_LEASE
LEASE_ENV = {
    "NIMOP_LEADER_ELECTION": "true",
    "NIMOP_LEASE_NAMESPACE": LEASE_NAMESPACE,
    "NIMOP_LEASE_NAME": LEASE_NAME,
}
_IDENTITY_INSTALLED: set[str] = set()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def install_identity(cluster: Cluster, *, force: bool = False) -> Path:
    """`deploy/base`'s namespace, ServiceAccount, ClusterRole, leader-election Role and their
    bindings, applied as generated (once per cluster); a kubeconfig authenticating as the
    ServiceAccount. Waits until the authorizer honours the bindings, so no start-up 403 is a
    propagation race."""
    if force or str(cluster.kubeconfig) not in _IDENTITY_INSTALLED:
        cluster.kubectl(
            "apply", "--server-side", "--force-conflicts",
            "-f", str(BASE / "namespace.yaml"), "-f", str(BASE / "rbac.yaml"),
        )  # fmt: skip
        deadline = time.monotonic() + 30
        # A kind every apiserver serves: nimop's own CRDs may not be installed yet, and
        # `can-i` answers "no" for a resource type the server does not know.
        while not _can(cluster, "watch", "customresourcedefinitions.apiextensions.k8s.io"):
            if time.monotonic() > deadline:
                raise RuntimeError(f"RBAC for {SA_USER} not effective after 30 s")
            time.sleep(0.3)
        _IDENTITY_INSTALLED.add(str(cluster.kubeconfig))
    return cluster.kubeconfig_for(SA_USER, SA_GROUPS)


def fresh_lease(cluster: Cluster) -> str:
    """The installed Lease, deleted first so no holder of an earlier test delays a start."""
    cluster.kubectl("delete", "lease", LEASE_NAME, "-n", LEASE_NAMESPACE, "--ignore-not-found")
    return LEASE_NAME


def _can(cluster: Cluster, verb: str, resource: str, *where: str) -> bool:
    result = cluster.kubectl(
        "auth", "can-i", verb, resource, *where, f"--as={SA_USER}",
        *(f"--as-group={g}" for g in SA_GROUPS), check=False,
    )  # fmt: skip
    return result.stdout.strip() == "yes"


def install_crds(cluster: Cluster) -> None:
    cluster.kubectl("apply", "--server-side", "--force-conflicts", "-f", str(ROOT / "api" / "crds"))
    cluster.kubectl("wait", "--for=condition=Established", "crd", "--all", "--timeout=60s")


class OperatorProcess:
    """`nimop run` with its own metrics/health ports and a log file; stop() sends SIGTERM."""

    #: the pytest session's shared operator (the `operator` fixture), when one runs — a test
    #: that needs the cluster to itself (e.g. proving RBAC with another identity) pauses it
    session: ClassVar[OperatorProcess | None] = None

    def __init__(
        self,
        cluster: Cluster,
        *,
        kubeconfig: Path | None = None,
        env: dict[str, str] | None = None,
        log_path: Path | None = None,
        attached: bool = True,
        args: Sequence[str] = (),
        agent: str | None = None,
    ) -> None:
        self.cluster = cluster
        self.kubeconfig = kubeconfig or install_identity(cluster)
        self.metrics_port = free_port()
        self.health_port = free_port()
        #: the User-Agent of its requests: how the audit log tells this process apart
        self.agent = agent or f"nimop-test/{self.health_port}"
        self.log_path = log_path or cluster.layout.logs / f"nimop-{self.health_port}.log"
        self.extra_env = env or {}
        #: attached: dies with this Python process; detached: lives on (the demo), tracked by a
        #: pid file so `python -m tests.cluster down` stops it with the cluster
        self.attached = attached
        self.proc: subprocess.Popen[bytes] | None = None
        #: `nimop run` flags (they win over the env above)
        self.args = list(args)

    def start(self, *, wait_ready: bool = True) -> Self:
        env = {
            **settings_environment(os.environ),
            "NIMOP_KUBECONFIG": str(self.kubeconfig),
            "NIMOP_METRICS_BIND_ADDRESS": f"127.0.0.1:{self.metrics_port}",
            "NIMOP_HEALTH_BIND_ADDRESS": f"127.0.0.1:{self.health_port}",
            "NIMOP_LOG_FORMAT": "json",
            "NIMOP_DISCOVERY_REFRESH": "5",
            "NIMOP_USER_AGENT": self.agent,
            # the images of the test CRs live on public registries, which tests never contact
            "NIMOP_IMAGE_INSPECTION": "false",
            # the NIMs of the cluster are kwok's, serving nothing to ask
            "NIMOP_SERVED_MODEL_PROBE": "false",
            **self.extra_env,
        }
        nimop = Path(sys.executable).with_name("nimop")
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [str(nimop), "run", *self.args],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=die_with_parent if self.attached else None,
                start_new_session=not self.attached,
            )
        if wait_ready:
            self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"nimop exited with {self.proc.returncode}:\n{self.log_tail()}")
            if self._get(self.health_port, "/readyz") is not None:
                return
            time.sleep(0.2)
        raise RuntimeError(f"nimop not ready after {timeout}s:\n{self.log_tail()}")

    def metrics(self) -> str:
        return self._get(self.metrics_port, "/metrics") or ""

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    @staticmethod
    def _get(port: int, path: str) -> str | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as resp:
                return str(resp.read().decode())
        except OSError:
            return None
