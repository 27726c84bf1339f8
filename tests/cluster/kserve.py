"""KServe's own controller manager on the local control plane, in Standard (RawDeployment) mode.

The manager is KServe's `cmd/manager` built from its Go module (tests/tools, `kserve-manager`,
the version whose CRDs the cluster serves) and run as a process beside the control plane, the
way LWS runs: its CRDs, its `inferenceservice-config` ConfigMap and its webhook configurations
all come from the same module, unchanged except where a cluster without Knative or an
in-cluster Service forces a change:

- the ConfigMap's default mode is `Standard` (Knative is not run here);
- the webhooks point by URL at the manager's server on 127.0.0.1, with the cluster's webhook
  serving certificate (signed by the cluster CA, SAN 127.0.0.1) in the directory
  controller-runtime reads (`$TMPDIR/k8s-webhook-server/serving-certs`), so no cert-manager;
- the manager authenticates with the cluster's admin kubeconfig (as LWS does here), not as
  KServe's ServiceAccount.

Its metrics and health servers bind 127.0.0.1; KServe's main has no flag for the webhook
server's host, so that one listens on its port on every interface (only 127.0.0.1 calls it).

KServe's webhooks fail closed (`failurePolicy: Fail`) for every InferenceService, so they are
registered only while the manager runs: `stop()` removes them before it stops the process.
Knative-mode InferenceServices cannot be served by it (no Knative): tests of that mode play the
controller's part themselves and say so.
"""

from __future__ import annotations

import base64
import json
import shutil
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import yaml

from tests.cluster import config, processes
from tests.cluster.controlplane import Cluster, free_port, wait_for
from tests.tools import ensure, module_dir
from tests.tools.catalog import KSERVE as KSERVE_TOOL

NAMESPACE = "kserve"
PROCESS = "kserve-manager"
MODULE = "github.com/kserve/kserve"


class KServe:
    """KServe's controller manager for one local cluster: `start()`, `stop()`, `running()`."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.state = cluster.layout.state / "kserve"
        self.ports_file = self.state / "ports.json"

    # -- public surface ---------------------------------------------------------------------

    def running(self) -> bool:
        return processes.pid_of(PROCESS, self.cluster.layout.pids) is not None and self._ready()

    def start(self, *, attached: bool = True) -> KServe:
        """Build (once) and start the manager, or reuse the running one; returns when its
        webhooks are registered and it answers /readyz."""
        binary = ensure(KSERVE_TOOL)
        if self.running():
            return self
        self.install()
        self.state.mkdir(parents=True, exist_ok=True)
        ports = {name: free_port() for name in ("webhook", "metrics", "health")}
        self.ports_file.write_text(json.dumps(ports))
        certs = self.state / "tmp" / "k8s-webhook-server" / "serving-certs"
        certs.mkdir(parents=True, exist_ok=True)
        shutil.copy(self.cluster.layout.pki / "webhook.crt", certs / "tls.crt")
        shutil.copy(self.cluster.layout.pki / "webhook.key", certs / "tls.key")
        argv = [
            str(binary),
            f"--metrics-addr=127.0.0.1:{ports['metrics']}",
            f"--health-probe-addr=127.0.0.1:{ports['health']}",
            f"--webhook-port={ports['webhook']}",
            "--leader-elect=false",
        ]
        env = {"KUBECONFIG": str(self.cluster.kubeconfig), "POD_NAMESPACE": NAMESPACE,
               "TMPDIR": str(self.state / "tmp")}  # fmt: skip
        processes.start(PROCESS, argv, logs=self.cluster.layout.logs,
                        pids=self.cluster.layout.pids, attached=attached, env=env)  # fmt: skip
        try:
            wait_for("KServe's controller manager /readyz", self._ready, 120)
        except BaseException:
            log = self.cluster.layout.logs / f"{PROCESS}.log"
            print("\n".join(log.read_text(errors="replace").splitlines()[-30:]))
            processes.stop(PROCESS, self.cluster.layout.pids)
            raise
        self.cluster.apply(self.webhook_configurations(ports["webhook"]))
        return self

    def stop(self) -> None:
        """Unregister the webhooks (they fail closed), then stop the manager."""
        for doc in self.webhook_configurations(0):
            self.cluster.kubectl("delete", doc["kind"].lower(), doc["metadata"]["name"],
                                 "--ignore-not-found", check=False)  # fmt: skip
        processes.stop(PROCESS, self.cluster.layout.pids)

    # -- what the manager needs in the cluster ---------------------------------------------------

    def install(self) -> None:
        """KServe's CRDs, its namespace and its `inferenceservice-config`."""
        source = self.source()
        for crd in sorted((source / "config" / "crd" / "full").glob("serving.kserve.io_*.yaml")):
            self.cluster.kubectl("apply", "--server-side", "--force-conflicts", "-f", str(crd))
        self.cluster.kubectl("wait", "--for=condition=Established", "crd", "--all",
                             "--timeout=60s")  # fmt: skip
        namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}}
        self.cluster.apply([namespace, self.config_map()])

    def source(self) -> Path:
        return module_dir(MODULE, config.KSERVE_VERSION)

    def config_map(self) -> dict[str, Any]:
        """KServe's own `inferenceservice-config`, defaulting to Standard mode."""
        path = self.source() / "config" / "configmap" / "inferenceservice.yaml"
        cm: dict[str, Any] = yaml.safe_load(path.read_text())
        cm["metadata"] = {"name": cm["metadata"]["name"], "namespace": NAMESPACE}
        deploy = json.loads(cm["data"]["deploy"])
        deploy["defaultDeploymentMode"] = "Standard"
        cm["data"]["deploy"] = json.dumps(deploy)
        return cm

    def webhook_configurations(self, port: int) -> list[dict[str, Any]]:
        """KServe's webhook configurations, each hook pointed by URL at 127.0.0.1:`port`."""
        path = self.source() / "config" / "webhook" / "manifests.yaml"
        ca = base64.b64encode((self.cluster.layout.pki / "ca.crt").read_bytes()).decode()
        docs = [d for d in yaml.safe_load_all(path.read_text()) if d]
        for doc in docs:
            doc["metadata"] = {"name": doc["metadata"]["name"]}
            for hook in doc.get("webhooks", []):
                hook_path = hook["clientConfig"]["service"]["path"]
                hook["clientConfig"] = {"url": f"https://127.0.0.1:{port}{hook_path}",
                                        "caBundle": ca}  # fmt: skip
        return docs

    # -- health -------------------------------------------------------------------------------

    def _ready(self) -> bool:
        try:
            ports = json.loads(self.ports_file.read_text())
            url = f"http://127.0.0.1:{ports['health']}/readyz"
            with urllib.request.urlopen(url, timeout=2):
                return True
        except (OSError, ValueError, KeyError, urllib.error.URLError):
            return False
