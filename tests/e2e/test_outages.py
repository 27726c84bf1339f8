"""Outages the operator must survive, on the real control plane, running as installed:

* a hung apiserver: SIGSTOP for longer than the operator's request timeout, then SIGCONT. The
  operator's requests time out instead of hanging forever, it stays up and live, and work sent
  after the apiserver comes back converges;
* one of nimop's CRDs deleted while it runs (NIMBuild): the operator does not crash, the other
  kinds are still reconciled, and once the CRD is installed again its CRs are reconciled again;
* a wedged worker: an admission webhook that answers only after 20 s holds one reconcile's
  write; with `--wedged-after=4` the process's /healthz turns 503 naming the controller and
  the key (the kubelet would restart the pod), and turns 200 again once the write returns.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.cluster import Cluster
from tests.cluster.processes import pid_of
from tests.e2e.test_chaos import apply, converged, exclusive, private_operator, service
from tests.e2e.test_nimbuild import nimbuild
from tests.operator_process import free_port, install_crds
from tests.support import apply as apply_docs
from tests.support import eventually, get

pytestmark = [pytest.mark.chaos, pytest.mark.disruptive]
__all__ = ["exclusive"]  # the fixture, re-used

REQUEST_TIMEOUT = 5
HANG = 3 * REQUEST_TIMEOUT


def healthz(port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as resp:
            return int(resp.status)
    except OSError:
        return 0


def test_a_hung_apiserver_is_survived(cluster: Cluster, namespace: str, exclusive: None) -> None:
    op = private_operator(
        cluster, namespace, "nimop-outage-hung", NIMOP_REQUEST_TIMEOUT=str(REQUEST_TIMEOUT)
    ).start()
    try:
        first = [f"svc-{i:02d}" for i in range(6)]
        rounds = dict.fromkeys(first, 0)
        apply(cluster, namespace, [service(n, 0) for n in first])
        eventually(lambda: converged(cluster, namespace, rounds), timeout=180, interval=2,
                   what="first NIMServices Ready")  # fmt: skip
        pid = pid_of("kube-apiserver", cluster.layout.pids)
        assert pid is not None
        os.kill(pid, signal.SIGSTOP)
        try:
            time.sleep(HANG)  # requests in flight and new ones hang on the frozen apiserver
            assert op.proc is not None and op.proc.poll() is None, op.log_tail()
            live_during = healthz(op.health_port)
        finally:
            os.kill(pid, signal.SIGCONT)
        print(f"apiserver stopped {HANG}s (request timeout {REQUEST_TIMEOUT}s); "
              f"/healthz during the hang: {live_during}")  # fmt: skip
        assert live_during == 200, "the event loop kept running while the apiserver hung"
        later = [f"late-{i:02d}" for i in range(3)]
        for name in first[:2]:
            rounds[name] = 1
        rounds |= dict.fromkeys(later, 0)
        apply(cluster, namespace, [service(n, rounds[n]) for n in rounds])
        start = time.monotonic()
        eventually(lambda: converged(cluster, namespace, rounds), timeout=240, interval=2,
                   what="convergence after the apiserver came back")  # fmt: skip
        print(f"converged {time.monotonic() - start:.0f}s after SIGCONT")
        assert op.proc is not None and op.proc.poll() is None
        assert healthz(op.health_port) == 200
    finally:
        op.stop()


def test_a_deleted_crd_is_survived_and_its_kind_comes_back(
    cluster: Cluster, namespace: str, exclusive: None
) -> None:
    crd = "nimbuilds.apps.nvidia.com"
    op = private_operator(cluster, namespace, "nimop-outage-crd").start()
    try:
        cluster.kubectl("delete", "crd", crd, "--wait=true")
        time.sleep(8)  # discovery refreshes every 5 s here (NIMOP_DISCOVERY_REFRESH)
        assert op.proc is not None and op.proc.poll() is None, op.log_tail()
        rounds = {"after-delete": 0}
        apply(cluster, namespace, [service("after-delete", 0)])
        eventually(lambda: converged(cluster, namespace, rounds), timeout=180, interval=2,
                   what="the other kinds still reconciled")  # fmt: skip
        install_crds(cluster)
        apply(cluster, namespace, [nimbuild("back", "no-such-cache")])

        def reconciled() -> bool:
            obj = get(cluster, "nimbuild", "back", namespace) or {}
            return bool((obj.get("status") or {}).get("state"))

        eventually(reconciled, timeout=120, interval=2, what="a NIMBuild reconciled again")
        assert op.proc is not None and op.proc.poll() is None
        assert healthz(op.health_port) == 200
    finally:
        op.stop()
        install_crds(cluster)


# -- a wedged worker ------------------------------------------------------------------------

#: How long the slow webhook holds each request, and the operator's wedged threshold.
HOLD, WEDGED_AFTER = 20, 4


def health(port: int) -> tuple[int, str]:
    """/healthz status and body (0 when it does not answer)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as resp:
            return int(resp.status), resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()
    except OSError:
        return 0, ""


def failing(port: int) -> tuple[int, str] | None:
    answer = health(port)
    return answer if answer[0] == 503 else None


class SlowWebhook(BaseHTTPRequestHandler):
    """Allows every admission review, after holding it HOLD seconds."""

    def do_POST(self) -> None:
        review = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        time.sleep(HOLD)
        body = json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                           "response": {"uid": review["request"]["uid"], "allowed": True}})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def slow_webhook(cluster: Cluster, namespace: str) -> Iterator[None]:
    """A validating webhook on Service writes in `namespace`, served on loopback with the
    cluster's webhook certificate, that answers each request after HOLD seconds."""
    pki, port = cluster.layout.pki, free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), SlowWebhook)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(pki / "webhook.crt"), str(pki / "webhook.key"))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    name = f"slow-{namespace}"
    apply_docs(cluster, None, {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingWebhookConfiguration",
        "metadata": {"name": name},
        "webhooks": [{
            "name": "slow.nimop.test",
            "clientConfig": {"url": f"https://127.0.0.1:{port}/",
                             "caBundle": base64.b64encode((pki / "ca.crt").read_bytes()).decode()},
            "rules": [{"apiGroups": [""], "apiVersions": ["v1"], "resources": ["services"],
                       "operations": ["CREATE", "UPDATE"]}],
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}},
            "failurePolicy": "Ignore",
            "sideEffects": "None",
            "admissionReviewVersions": ["v1"],
            "timeoutSeconds": HOLD + 5,
        }],
    })  # fmt: skip
    try:
        yield
    finally:
        cluster.kubectl("delete", "validatingwebhookconfiguration", name, "--ignore-not-found")
        server.shutdown()


def test_a_wedged_worker_fails_healthz_until_it_returns(
    cluster: Cluster, namespace: str, exclusive: None, slow_webhook: None
) -> None:
    op = private_operator(cluster, namespace, "nimop-outage-wedged",
                          NIMOP_WEDGED_AFTER=str(WEDGED_AFTER),
                          NIMOP_REQUEST_TIMEOUT=str(HOLD + 10)).start()  # fmt: skip
    try:
        assert health(op.health_port)[0] == 200
        apply(cluster, namespace, [service("held", 0)])
        start = time.monotonic()
        _, body = eventually(lambda: failing(op.health_port), timeout=HOLD, interval=0.5,
                             what="/healthz 503 while a reconcile is held")  # fmt: skip
        failed_after = time.monotonic() - start
        assert "worker wedged: controller nimservice" in body and f"{namespace}/held" in body, body
        eventually(lambda: health(op.health_port)[0] == 200, timeout=3 * HOLD, interval=0.5,
                   what="/healthz 200 once the held write returned")  # fmt: skip
        print(f"/healthz 503 {failed_after:.1f}s after the apply (threshold {WEDGED_AFTER}s), "
              f"200 again {time.monotonic() - start:.1f}s after it (webhook holds {HOLD}s)")
        assert op.proc is not None and op.proc.poll() is None, op.log_tail()
    finally:
        op.stop()
