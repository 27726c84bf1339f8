"""The local control plane: etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
kwok and the LeaderWorkerSet controller, all on 127.0.0.1 with ports picked at start.

`Cluster.up()` reuses a cluster that is already running from the same state directory, so
`python -m tests.cluster up` followed by `make test` starts nothing twice.
"""

from __future__ import annotations

import base64
import json
import shutil
import signal
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

from tests.cluster import assets, compute_domain_crd, config, kwok_stages, pki, processes, seed

#: Start order; `down` stops them in reverse.
COMPONENTS = (
    "etcd",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kwok",
    "lws-manager",
)
_PORTS = (
    "etcd",
    "etcd-peer",
    "apiserver",
    "kcm",
    "scheduler",
    "kwok",
    "lws-webhook",
    "lws-metrics",
    "lws-health",
)


class ClusterError(RuntimeError):
    """The control plane could not be started or did not become usable."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for(what: str, check: Callable[[], bool], timeout: float, interval: float = 0.25) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(interval)
    raise ClusterError(f"timed out after {timeout:.0f}s waiting for {what}")


class Cluster:
    """A handle on one local control plane (running or not) and its state directory."""

    def __init__(self, layout: config.Layout | None = None) -> None:
        self.layout = layout or config.default_layout()
        self.ports: dict[str, int] = {}
        if self.layout.ports_file.exists():
            self.ports = json.loads(self.layout.ports_file.read_text())

    # -- public surface -----------------------------------------------------------------

    @property
    def kubeconfig(self) -> Path:
        return self.layout.kubeconfig

    @property
    def server(self) -> str:
        return f"https://127.0.0.1:{self.ports['apiserver']}"

    @property
    def bin_dir(self) -> Path:
        return self.layout.bin

    def alive(self) -> bool:
        """Some component of this state directory's cluster is running (healthy or not)."""
        return any(processes.pid_of(c, self.layout.pids) is not None for c in COMPONENTS)

    def running(self) -> bool:
        """All components alive and the apiserver answering."""
        pids = self.layout.pids
        if not self.ports or any(processes.pid_of(c, pids) is None for c in COMPONENTS):
            return False
        return self._healthy("/readyz")

    def up(self, *, attached: bool) -> Cluster:
        """Start the cluster (or reuse the running one) and wait until it is usable.

        attached: the processes die with this Python process (pytest sessions); otherwise
        they are detached and live until `down()`.
        """
        assets.ensure_built(self.layout)
        if self.alive():
            # Never tear down a cluster that is up, even if it is unhealthy right now (e.g. an
            # apiserver restart in progress by another test run): wait for it instead.
            wait_for("kube-apiserver /readyz", lambda: self._healthy("/readyz"), 120)
            self._wait_usable()
            return self
        self.down()
        self._prepare_state()
        try:
            self._start_all(attached)
            self._wait_usable()
        except BaseException:
            self._dump_logs()
            self.down()
            raise
        return self

    def down(self) -> None:
        extras = (
            sorted(p.name for p in self.layout.pids.glob("*")) if self.layout.pids.exists() else []
        )
        for name in [e for e in extras if e not in COMPONENTS]:  # e.g. the demo's operator
            processes.stop(name, self.layout.pids)
        for name in reversed(COMPONENTS):
            processes.stop(name, self.layout.pids)
        if self.layout.state.exists():
            shutil.rmtree(self.layout.state, ignore_errors=True)
        self.ports = {}

    def status(self) -> dict[str, Any]:
        pids = self.layout.pids
        return {
            "state": str(self.layout.state),
            "kubeconfig": str(self.kubeconfig),
            "server": self.server if self.ports else None,
            "components": {c: processes.pid_of(c, pids) for c in COMPONENTS},
            "ready": self.running(),
        }

    def kubectl(
        self, *args: str, input: str | None = None, check: bool = True, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        """Run the cluster's own kubectl (same release) against its admin kubeconfig."""
        argv = [
            str(assets.binary("kubectl", self.layout)),
            f"--kubeconfig={self.kubeconfig}",
            *args,
        ]
        result = subprocess.run(argv, input=input, capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise ClusterError(f"kubectl {' '.join(args)} failed:\n{result.stderr}")
        return result

    def apply(self, manifests: Iterable[dict[str, Any]]) -> None:
        """Server-side apply a batch of manifests (as the admin)."""
        docs = yaml.safe_dump_all(list(manifests), sort_keys=False)
        self.kubectl(
            "apply",
            "--server-side",
            "--force-conflicts",
            "--field-manager=nimop-test-cluster",
            "-f",
            "-",
            input=docs,
        )

    #: (killed, ready) wall-clock times of every apiserver restart by this handle: its RBAC
    #: authorizer denies requests until its caches are warm, which tests must not blame on RBAC.
    apiserver_restarts: tuple[tuple[float, float], ...] = ()

    def restart_apiserver(self, extra_args: Sequence[str] = ()) -> None:
        """kill -9 the apiserver and start it again (same port), waiting until it is ready."""
        killed = time.time()
        processes.stop("kube-apiserver", self.layout.pids, sig=signal.SIGKILL)
        wait_for(
            "the apiserver port to be released", lambda: _port_free(self.ports["apiserver"]), 60
        )
        self._start(
            "kube-apiserver", [*self._apiserver_argv(), *extra_args], attached=self._attached()
        )
        wait_for("kube-apiserver /readyz", lambda: self._healthy("/readyz"), 120)
        self.apiserver_restarts = (*self.apiserver_restarts, (killed, time.time()))

    def restart_kwok(self) -> None:
        """Restart kwok with a freshly rendered stage config (used after the stages change)."""
        processes.stop("kwok", self.layout.pids)
        (self.layout.state / "kwok.yaml").write_text(
            kwok_stages.render(self.layout.crds / "kwok-stages")
        )
        self._start("kwok", self._kwok_argv(), attached=self._attached())

    def compact_etcd(self) -> int:
        """Compact etcd at its current revision, so older resourceVersions answer 410 Gone."""
        base = f"http://127.0.0.1:{self.ports['etcd']}/v3"
        key = base64.b64encode(b"/").decode()
        header = _post_json(f"{base}/kv/range", {"key": key, "limit": 1})["header"]
        revision = int(header["revision"])
        _post_json(f"{base}/kv/compaction", {"revision": str(revision), "physical": True})
        return revision

    def apiserver_metrics(self) -> str:
        return self._get("/metrics").decode()

    def kubeconfig_for(self, user: str, groups: tuple[str, ...] = ()) -> Path:
        """A kubeconfig authenticating as `user` in `groups` via a client cert from our CA
        (RBAC applies to it; the admin kubeconfig is in system:masters)."""
        name = "user-" + "".join(ch if ch.isalnum() else "-" for ch in user)
        crt, key = pki.client_cert(self.layout.pki, name, user, groups)
        path = self.layout.state / f"{name}.kubeconfig"
        path.write_text(self._kubeconfig_text(crt, key, user))
        return path

    def audit_events(self) -> list[dict[str, Any]]:
        """Every request the apiserver has seen since start, from its audit log (Metadata level)."""
        log = self.layout.logs / "audit.log"
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]

    # -- start-up -----------------------------------------------------------------------

    def _attached(self) -> bool:
        return (self.layout.state / "attached").exists()

    def _prepare_state(self) -> None:
        for d in (self.layout.state, self.layout.logs, self.layout.pids):
            d.mkdir(parents=True, exist_ok=True)
        pki.ensure_ca(self.layout.pki)
        self.ports = {name: free_port() for name in _PORTS}
        self.layout.ports_file.write_text(json.dumps(self.ports))
        self.kubeconfig.write_text(
            self._kubeconfig_text(
                self.layout.pki / "admin.crt", self.layout.pki / "admin.key", "admin"
            )
        )
        (self.layout.state / "audit-policy.yaml").write_text(_AUDIT_POLICY)
        (self.layout.state / "kwok.yaml").write_text(
            kwok_stages.render(self.layout.crds / "kwok-stages")
        )
        self._write_lws_config()

    def _start_all(self, attached: bool) -> None:
        if attached:
            (self.layout.state / "attached").touch()
        self._start("etcd", self._etcd_argv(), attached)
        wait_for("etcd", self._etcd_healthy, 60)
        self._start("kube-apiserver", self._apiserver_argv(), attached)
        wait_for("kube-apiserver /readyz", lambda: self._healthy("/readyz"), 120)
        self._start("kube-controller-manager", self._kcm_argv(), attached)
        self._start("kube-scheduler", self._scheduler_argv(), attached)
        self._start("kwok", self._kwok_argv(), attached)
        self._seed()
        self._start(
            "lws-manager", self._lws_argv(), attached, env={"KUBECONFIG": str(self.kubeconfig)}
        )

    def _start(
        self, name: str, argv: list[str], attached: bool, env: dict[str, str] | None = None
    ) -> None:
        processes.start(
            name, argv, logs=self.layout.logs, pids=self.layout.pids, attached=attached, env=env
        )

    def _seed(self) -> None:
        crds = sorted(p for p in self.layout.crds.glob("*.yaml"))
        for path in crds:
            self.kubectl("apply", "--server-side", "--force-conflicts", "-f", str(path))
        self.apply([seed.service_monitor_crd()])
        # NVIDIA's DRA driver module is not served by the proxy: its CRD is a derived fixture.
        self.kubectl("apply", "--server-side", "-f", str(compute_domain_crd.FIXTURE))
        self.apply(seed.device_classes() + seed.storage() + seed.runtime_classes())
        self.kubectl("create", "-f", "-", input=yaml.safe_dump_all(seed.nodes()))
        self.apply(seed.resource_slices())
        self.apply(self._lws_webhook_configurations())
        self._seed_logs()
        self.kubectl("wait", "--for=condition=Established", "crd", "--all", "--timeout=60s")

    def _seed_logs(self) -> None:
        """Every `nim-cache-ctr` container "prints" the model manifest in tests/cluster/data, the
        way a NIMCache's manifest probe pod does on a real node. A test can give one pod other
        logs with a kwok `Logs` object named like the pod."""
        for path in sorted((self.layout.crds / "kwok").glob("*.yaml")):
            self.kubectl("apply", "--server-side", "--force-conflicts", "-f", str(path))
        self.kubectl("wait", "--for=condition=Established", "crd", "--all", "--timeout=60s")
        manifest = Path(__file__).with_name("data") / "model_manifest.yaml"
        log = self.layout.state / "model-manifest.log"
        log.write_text(cri_log(manifest.read_text()))
        self.apply([kwok_logs("ClusterLogs", "nim-cache-manifest", None, "nim-cache-ctr", log)])

    def _wait_usable(self) -> None:
        wait_for(
            "the default ServiceAccount",
            lambda: self._exists("/api/v1/namespaces/default/serviceaccounts/default"),
            90,
        )
        wait_for("Ready, untainted nodes", self._nodes_ready, 120)
        wait_for("the LWS webhook server", self._lws_ready, 90)

    def _dump_logs(self) -> None:
        for log in sorted(self.layout.logs.glob("*.log")):
            if log.name == "audit.log":
                continue
            tail = log.read_text(errors="replace").splitlines()[-15:]
            print(f"--- {log.name} (last lines)\n" + "\n".join(tail))

    # -- component command lines ------------------------------------------------------------

    def _bin(self, name: str) -> str:
        return str(assets.binary(name, self.layout))

    def _etcd_argv(self) -> list[str]:
        client, peer = (
            f"http://127.0.0.1:{self.ports['etcd']}",
            f"http://127.0.0.1:{self.ports['etcd-peer']}",
        )
        return [
            self._bin("etcd"),
            "--name=nimop",
            f"--data-dir={self.layout.state / 'etcd'}",
            "--unsafe-no-fsync",
            "--log-level=warn",
            f"--listen-client-urls={client}",
            f"--advertise-client-urls={client}",
            f"--listen-peer-urls={peer}",
            f"--initial-advertise-peer-urls={peer}",
            f"--initial-cluster=nimop={peer}",
            "--max-request-bytes=8388608",
            "--listen-metrics-urls=",
        ]

    def _apiserver_argv(self) -> list[str]:
        p, s = self.layout.pki, self.layout.state
        return [
            self._bin("kube-apiserver"),
            f"--etcd-servers=http://127.0.0.1:{self.ports['etcd']}",
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            f"--secure-port={self.ports['apiserver']}",
            f"--tls-cert-file={p / 'apiserver.crt'}",
            f"--tls-private-key-file={p / 'apiserver.key'}",
            f"--client-ca-file={p / 'ca.crt'}",
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            f"--service-account-key-file={p / 'sa.pub'}",
            f"--service-account-signing-key-file={p / 'sa.key'}",
            "--service-cluster-ip-range=10.96.0.0/16",
            "--authorization-mode=Node,RBAC",
            "--allow-privileged=true",
            "--endpoint-reconciler-type=none",
            "--profiling=false",
            f"--audit-policy-file={s / 'audit-policy.yaml'}",
            f"--audit-log-path={self.layout.logs / 'audit.log'}",
            "--audit-log-format=json",
            "--audit-log-maxsize=512",
            "--audit-log-maxbackup=1",
            # kwok nodes report 127.0.0.1 as InternalIP; their hostnames resolve nowhere.
            "--kubelet-preferred-address-types=InternalIP",
        ]

    def _component_auth(self) -> list[str]:
        k = self.kubeconfig
        return [
            f"--kubeconfig={k}",
            f"--authentication-kubeconfig={k}",
            f"--authorization-kubeconfig={k}",
        ]

    def _kcm_argv(self) -> list[str]:
        p = self.layout.pki
        return [
            self._bin("kube-controller-manager"),
            *self._component_auth(),
            "--bind-address=127.0.0.1",
            f"--secure-port={self.ports['kcm']}",
            "--leader-elect=false",
            f"--service-account-private-key-file={p / 'sa.key'}",
            f"--root-ca-file={p / 'ca.crt'}",
            f"--cluster-signing-cert-file={p / 'ca.crt'}",
            f"--cluster-signing-key-file={p / 'ca.key'}",
            "--use-service-account-credentials=false",
            "--enable-hostpath-provisioner=true",
            "--concurrent-gc-syncs=10",
            "--kube-api-qps=200",
            "--kube-api-burst=400",
        ]

    def _scheduler_argv(self) -> list[str]:
        return [
            self._bin("kube-scheduler"),
            *self._component_auth(),
            "--bind-address=127.0.0.1",
            f"--secure-port={self.ports['scheduler']}",
            "--leader-elect=false",
        ]

    def _kwok_argv(self) -> list[str]:
        return [
            self._bin("kwok"),
            f"--kubeconfig={self.kubeconfig}",
            f"--config={self.layout.state / 'kwok.yaml'}",
            "--manage-all-nodes=false",
            "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
            "--node-lease-duration-seconds=40",
            "--cidr=10.244.0.0/16",
            "--node-ip=127.0.0.1",
            # kwok's kubelet API on loopback: the apiserver reaches it for `pods/log`, and it
            # serves container logs from files (ClusterLogs/Logs objects, see _seed_logs).
            f"--server-address=127.0.0.1:{self.ports['kwok']}",
            f"--node-port={self.ports['kwok']}",
            f"--tls-cert-file={self.layout.pki / 'webhook.crt'}",
            f"--tls-private-key-file={self.layout.pki / 'webhook.key'}",
            "--enable-crds=Logs,ClusterLogs",
        ]

    def _lws_argv(self) -> list[str]:
        return [
            self._bin("lws-manager"),
            f"--config={self.layout.state / 'lws.yaml'}",
            "--leader-elect=false",
        ]

    # -- LeaderWorkerSet webhooks on loopback ----------------------------------------------------

    def _write_lws_config(self) -> None:
        certs = self.layout.state / "lws-certs"
        certs.mkdir(exist_ok=True)
        shutil.copy(self.layout.pki / "webhook.crt", certs / "tls.crt")
        shutil.copy(self.layout.pki / "webhook.key", certs / "tls.key")
        cfg = {
            "apiVersion": "config.lws.x-k8s.io/v1alpha1",
            "kind": "Configuration",
            "leaderElection": {"leaderElect": False},
            "internalCertManagement": {"enable": False},
            "webhook": {
                "port": self.ports["lws-webhook"],
                "host": "127.0.0.1",
                "certDir": str(certs),
            },
            "metrics": {"bindAddress": f"127.0.0.1:{self.ports['lws-metrics']}"},
            "health": {"healthProbeBindAddress": f"127.0.0.1:{self.ports['lws-health']}"},
        }
        (self.layout.state / "lws.yaml").write_text(yaml.safe_dump(cfg))

    def _lws_webhook_configurations(self) -> list[dict[str, Any]]:
        """LWS's own webhook manifests, pointed at its server on loopback by URL; the pod
        webhooks only see LWS pods, so no other pod creation depends on LWS being up."""
        ca = base64.b64encode((self.layout.pki / "ca.crt").read_bytes()).decode()
        docs = [
            d
            for d in yaml.safe_load_all((self.layout.crds / "lws-webhooks.yaml.in").read_text())
            if d
        ]
        for doc in docs:
            doc["metadata"]["name"] = "lws-" + doc["metadata"]["name"]
            for hook in doc.get("webhooks", []):
                path = hook["clientConfig"]["service"]["path"]
                hook["clientConfig"] = {
                    "url": f"https://127.0.0.1:{self.ports['lws-webhook']}{path}",
                    "caBundle": ca,
                }
                if any("pods" in r.get("resources", []) for r in hook.get("rules", [])):
                    hook["objectSelector"] = {
                        "matchExpressions": [
                            {"key": "leaderworkerset.sigs.k8s.io/name", "operator": "Exists"}
                        ]
                    }
        return docs

    # -- HTTP helpers -----------------------------------------------------------------------

    def _kubeconfig_text(self, crt: Path, key: Path, user: str) -> str:
        def b64(p: Path) -> str:
            return base64.b64encode(p.read_bytes()).decode()

        kubeconfig = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": "nimop-local",
                    "cluster": {
                        "server": self.server,
                        "certificate-authority-data": b64(self.layout.pki / "ca.crt"),
                    },
                }
            ],
            "users": [
                {
                    "name": user,
                    "user": {"client-certificate-data": b64(crt), "client-key-data": b64(key)},
                }
            ],
            "contexts": [
                {"name": "nimop-local", "context": {"cluster": "nimop-local", "user": user}}
            ],
            "current-context": "nimop-local",
        }
        return yaml.safe_dump(kubeconfig)

    def _ssl(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=str(self.layout.pki / "ca.crt"))
        ctx.load_cert_chain(self.layout.pki / "admin.crt", self.layout.pki / "admin.key")
        return ctx

    def _get(self, path: str) -> bytes:
        with urllib.request.urlopen(self.server + path, context=self._ssl(), timeout=5) as resp:
            body: bytes = resp.read()
            return body

    def _healthy(self, path: str) -> bool:
        try:
            self._get(path)
        except (OSError, urllib.error.URLError, KeyError):
            return False
        return True

    def _exists(self, path: str) -> bool:
        return self._healthy(path)

    def _etcd_healthy(self) -> bool:
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{self.ports['etcd']}/health", timeout=2
            ) as r:
                return bool(json.loads(r.read()).get("health") == "true")
        except (OSError, ValueError):
            return False

    def _nodes_ready(self) -> bool:
        """Every seeded node is Ready and untainted (tests may add nodes of their own)."""
        try:
            items = json.loads(self._get("/api/v1/nodes"))["items"]
        except (OSError, ValueError):
            return False
        usable = {n["metadata"]["name"] for n in items if _node_usable(n)}
        return {n["metadata"]["name"] for n in seed.nodes()} <= usable

    def _lws_ready(self) -> bool:
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{self.ports['lws-health']}/readyz", timeout=2
            ):
                pass
            with socket.create_connection(("127.0.0.1", self.ports["lws-webhook"]), timeout=2):
                return True
        except OSError:
            return False


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def cri_log(text: str) -> str:
    """`text` in the CRI container-log format kwok's log server reads."""
    stamp = "2026-01-01T00:00:00.000000000Z"
    return "".join(f"{stamp} stdout F {line}\n" for line in text.splitlines())


def kwok_logs(
    kind: str, name: str, namespace: str | None, container: str, path: Path
) -> dict[str, Any]:
    """A kwok ClusterLogs (all pods) or Logs (the pod named `name`) object serving `path`."""
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    return {
        "apiVersion": "kwok.x-k8s.io/v1alpha1",
        "kind": kind,
        "metadata": meta,
        "spec": {"logs": [{"containers": [container], "logsFile": str(path), "follow": False}]},
    }


def _node_usable(node: dict[str, Any]) -> bool:
    ready = any(
        c["type"] == "Ready" and c["status"] == "True"
        for c in node.get("status", {}).get("conditions", [])
    )
    tainted = any(
        t["key"].startswith("node.kubernetes.io/") for t in node.get("spec", {}).get("taints", [])
    )
    return ready and not tainted


def _post_json(url: str, body: dict[str, Any]) -> dict[str, Any]:
    req = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        result: dict[str, Any] = json.loads(resp.read())
        return result


_AUDIT_POLICY = """\
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
omitManagedFields: true
rules:
- level: None
  users: [system:apiserver]
- level: None
  resources: [{group: coordination.k8s.io, resources: [leases]}]
  users: [system:kube-controller-manager, system:kube-scheduler, nimop-admin]
  verbs: [get, update]
- level: Metadata
"""
