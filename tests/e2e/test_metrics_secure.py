"""`--metrics-secure` against the real apiserver: HTTPS; no token or a token the apiserver does
not know is 401; a ServiceAccount without RBAC for /metrics is 403; with a ClusterRole granting
`get` on the non-resource URL /metrics it reads the metrics (TokenReview + SubjectAccessReview,
as controller-runtime's WithAuthenticationAndAuthorization)."""

from __future__ import annotations

import ssl
import urllib.error
import urllib.request
import uuid

from nimop.deploygen import objects as installed
from nimop.permissions import METRICS_AUTH, rules
from tests.cluster import Cluster
from tests.operator_process import OperatorProcess, _can, install_crds, install_identity
from tests.support import eventually


def scrape(port: int, token: str | None) -> tuple[int, str]:
    request = urllib.request.Request(f"https://127.0.0.1:{port}/metrics")
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    insecure = ssl._create_unverified_context()  # the operator's self-signed certificate
    try:
        with urllib.request.urlopen(request, timeout=10, context=insecure) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def test_metrics_need_an_authenticated_authorized_caller(cluster: Cluster, namespace: str) -> None:
    install_crds(cluster)
    install_identity(cluster)
    role = f"nimop-metrics-reader-{uuid.uuid4().hex[:6]}"
    grant_metrics_auth(cluster, f"{role}-auth")  # what the chart adds with metrics.secure
    op = OperatorProcess(cluster, env={"NIMOP_NAMESPACES": namespace,
                                       "NIMOP_METRICS_SECURE": "true"}).start()  # fmt: skip
    try:
        assert scrape(op.metrics_port, None)[0] == 401
        assert scrape(op.metrics_port, "not-a-token")[0] == 401
        cluster.kubectl("create", "serviceaccount", "scraper", "-n", namespace)
        token = cluster.kubectl("create", "token", "scraper", "-n", namespace).stdout.strip()
        status, body = scrape(op.metrics_port, token)
        assert status == 403 and "may not get /metrics" in body
        cluster.kubectl("create", "clusterrole", role, "--verb=get", "--non-resource-url=/metrics")
        cluster.kubectl("create", "clusterrolebinding", role, f"--clusterrole={role}",
                        f"--serviceaccount={namespace}:scraper")  # fmt: skip

        def allowed() -> str | None:
            status, body = scrape(op.metrics_port, token)
            return body if status == 200 else None

        body = eventually(allowed, timeout=30, what="an authorized scrape (denials cached 10 s)")
        assert "controller_runtime_reconcile_total" in body
        assert "rest_client_requests_total{" in body
    finally:
        op.stop()
        for name in (role, f"{role}-auth"):
            cluster.kubectl("delete", "clusterrolebinding,clusterrole", name, check=False)


def grant_metrics_auth(cluster: Cluster, name: str) -> None:
    """The installed operator's ServiceAccount gets exactly nimop.permissions.METRICS_AUTH."""
    rbac = "rbac.authorization.k8s.io/v1"
    cluster.apply([
        {"apiVersion": rbac, "kind": "ClusterRole", "metadata": {"name": name},
         "rules": rules(METRICS_AUTH)},
        {"apiVersion": rbac, "kind": "ClusterRoleBinding", "metadata": {"name": name},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": name},
         "subjects": [{"kind": "ServiceAccount", "name": installed.NAME,
                       "namespace": installed.NAMESPACE}]},
    ])  # fmt: skip
    eventually(lambda: _can(cluster, "create", "tokenreviews.authentication.k8s.io")
               and _can(cluster, "create", "subjectaccessreviews.authorization.k8s.io"),
               timeout=30, what="the review RBAC in effect")  # fmt: skip
