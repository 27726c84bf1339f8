"""Start the operator under test as a process: nimop by default, or any command.

Every operator gets the same environment: `KUBECONFIG` (and `NIMOP_KUBECONFIG`) for a client
certificate of the installed operator's user (deploy/base's ServiceAccount) — so the audit
log tells its requests apart from everyone else's — plus the `NIMOP_*` settings the benchmark
wants (watched namespace, resync period, metrics port). A foreign operator may ignore the
`NIMOP_*` ones; point `--metrics-url` at its metrics endpoint if it has one.

nimop runs as it runs when installed: that ServiceAccount bound to the generated ClusterRole
only (`tests.operator_process.install_identity`), so the benchmark measures the RBAC users
get. A foreign command's RBAC is not nimop's to know: it gets the same user name (the audit
filters stay the same) in `system:masters`.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from nimop.watch.flags import settings_environment
from tests.cluster import Cluster
from tests.cluster.processes import die_with_parent
from tests.operator_process import SA_GROUPS, SA_USER, free_port, install_identity

NIMOP = [str(Path(sys.executable).with_name("nimop")), "run"]


def profiled(session: Path) -> list[str]:
    """nimop under pyinstrument's statistical profiler; the session is saved on exit."""
    return [
        sys.executable,
        "-m",
        "pyinstrument",
        "-r",
        "session",
        "-o",
        str(session),
        "-m",
        "nimop.cli",
        "run",
    ]


class Operator:
    def __init__(
        self,
        cluster: Cluster,
        *,
        argv: list[str] | None,
        shell_cmd: str | None,
        env: dict[str, str],
        log_path: Path,
        metrics_url: str | None = None,
    ) -> None:
        self.kubeconfig = (
            cluster.kubeconfig_for(SA_USER, (*SA_GROUPS, "system:masters"))
            if shell_cmd
            else install_identity(cluster)
        )
        self.metrics_port = free_port()
        self.health_port = free_port()
        self.argv = argv or NIMOP
        self.shell_cmd = shell_cmd
        self.log_path = log_path
        self.metrics_url = metrics_url or f"http://127.0.0.1:{self.metrics_port}/metrics"
        self.env = {
            **settings_environment(os.environ),
            "KUBECONFIG": str(self.kubeconfig),
            "NIMOP_KUBECONFIG": str(self.kubeconfig),
            "NIMOP_METRICS_BIND_ADDRESS": f"127.0.0.1:{self.metrics_port}",
            "NIMOP_HEALTH_BIND_ADDRESS": f"127.0.0.1:{self.health_port}",
            "NIMOP_LOG_FORMAT": "json",
            # the benchmark's images are on public registries and its NIMs are kwok's: neither
            # is asked (image inspection, /v1/models)
            "NIMOP_IMAGE_INSPECTION": "false",
            "NIMOP_SERVED_MODEL_PROBE": "false",
            **env,
        }
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def command(self) -> str:
        return self.shell_cmd or shlex.join(self.argv)

    @property
    def pid(self) -> int:
        if self.proc is None:
            raise RuntimeError("operator not started")
        return self.proc.pid

    def start(self) -> Operator:
        argv = ["/bin/sh", "-c", f"exec {self.shell_cmd}"] if self.shell_cmd else self.argv
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                argv,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=die_with_parent,
                start_new_session=True,
            )
        return self

    def wait_ready(self, timeout: float = 60) -> float:
        """Seconds until /readyz answers (nimop) or, for a command without it, until it has
        run for two seconds without exiting."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            self.check_alive()
            if self._get(f"http://127.0.0.1:{self.health_port}/readyz") is not None:
                return time.monotonic() - t0
            if self.shell_cmd and time.monotonic() - t0 > 2:
                return time.monotonic() - t0
            time.sleep(0.1)
        raise RuntimeError(f"operator not ready after {timeout}s:\n{self.log_tail()}")

    def check_alive(self) -> None:
        if self.proc is not None and self.proc.poll() is not None:
            raise RuntimeError(f"operator exited with {self.proc.returncode}:\n{self.log_tail()}")

    def metrics(self) -> str:
        return self._get(self.metrics_url) or ""

    def stop(self, timeout: float = 60) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            return self.proc.wait()

    def log_tail(self, lines: int = 30) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    @staticmethod
    def _get(url: str) -> str | None:
        try:
            with urllib.request.urlopen(url, timeout=3) as resp:
                body: bytes = resp.read()
                return body.decode()
        except OSError:
            return None
