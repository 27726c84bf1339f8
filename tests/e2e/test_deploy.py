"""How nimop is installed, proven on the real control plane.

(a) `kubectl apply --server-side -k deploy/base` installs everything, and the operator's own pods
    pass the `restricted` Pod Security level its namespace enforces.
(b) The generated RBAC is enough, and what the operator needs: `nimop run` authenticated as the
    `nimop-system:nimop` ServiceAccount — bound to nothing but the generated ClusterRole and the
    leader-election Role — takes the standalone example (NIMCache, then the NIMService using it)
    to Ready, with leader election on, and the apiserver's audit log holds no 403 for it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from nimop.deploygen import objects as o
from nimop.permissions import LEADER_LEASE, PERMISSIONS, rules
from tests.cluster import Cluster
from tests.operator_process import OperatorProcess
from tests.support import eventually, get, items

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "deploy" / "base"
EXAMPLE = ROOT / "api" / "examples" / "standalone-basic.yaml"
SA_USER = f"system:serviceaccount:{o.NAMESPACE}:{o.NAME}"
SA_GROUPS = ("system:serviceaccounts", f"system:serviceaccounts:{o.NAMESPACE}")


@pytest.fixture(scope="module")
def installed(cluster: Cluster) -> Cluster:
    result = cluster.kubectl("apply", "--server-side", "-k", str(BASE), check=False)
    assert result.returncode == 0, result.stderr
    cluster.kubectl("wait", "--for=condition=Established", "crd", "--all", "--timeout=60s")
    return cluster


def test_base_installs_every_object(installed: Cluster) -> None:
    ns = get(installed, "namespace", o.NAMESPACE)
    assert ns is not None
    assert ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    for kind, name in (
        ("serviceaccount", o.NAME),
        ("deployment", o.NAME),
        ("service", f"{o.NAME}-metrics"),
        ("role", f"{o.NAME}-leader-election"),
        ("rolebinding", f"{o.NAME}-leader-election"),
    ):
        assert get(installed, kind, name, o.NAMESPACE) is not None, kind
    cluster_role = get(installed, "clusterrole", o.NAME)
    assert cluster_role is not None
    assert cluster_role["rules"] == rules(p for p in PERMISSIONS if p.scope != "operator")
    assert get(installed, "clusterrolebinding", o.NAME) is not None
    for crd in sorted((BASE / "crds").glob("*.yaml")):
        name = yaml.safe_load(crd.read_text())["metadata"]["name"]
        assert get(installed, "crd", name) is not None, name


def test_operator_pods_pass_restricted_pod_security(installed: Cluster) -> None:
    """The ReplicaSet could create both pods in a namespace enforcing `restricted` (a violation
    is a FailedCreate event and no pod); kwok then runs them to Ready."""
    selector = ",".join(f"{k}={v}" for k, v in o.SELECTOR.items())

    def ready() -> int:
        dep = get(installed, "deployment", o.NAME, o.NAMESPACE) or {}
        return int((dep.get("status") or {}).get("readyReplicas") or 0)

    eventually(lambda: ready() == o.REPLICAS, timeout=120, what="2 ready operator replicas")
    pods = items(installed, "pods", o.NAMESPACE, selector)
    assert len(pods) == o.REPLICAS
    events = items(installed, "events", o.NAMESPACE)
    assert not [e for e in events if e.get("reason") == "FailedCreate"], "pod creation refused"


def test_namespaced_overlay_is_accepted(cluster: Cluster) -> None:
    overlay = cluster.kubectl("kustomize", str(ROOT / "deploy" / "overlays" / "namespaced")).stdout
    docs = [d for d in yaml.safe_load_all(overlay) if d]
    watched = next(d for d in docs if d["kind"] == "Role" and d["metadata"]["name"] == o.NAME)
    cluster.kubectl("create", "namespace", watched["metadata"]["namespace"], check=False)
    result = cluster.kubectl(
        "apply", "--server-side", "--dry-run=server", "-f", "-", input=overlay, check=False
    )
    assert result.returncode == 0, result.stderr
    assert not [d for d in docs if d["kind"] == "ClusterRole" and d["metadata"]["name"] == o.NAME]


@pytest.fixture
def no_other_operator(request: pytest.FixtureRequest) -> Iterator[None]:
    """Other e2e tests share one admin `nimop run` for the session (the `operator` fixture); it
    would reconcile our CRs too and hide a missing permission, so when it is running it is
    paused for this test. It is not started just to be stopped."""
    shared = _running_session_operator()
    if shared is not None:
        shared.stop()
    try:
        yield
    finally:
        if shared is not None:
            shared.start()


def _running_session_operator() -> OperatorProcess | None:
    shared = OperatorProcess.session
    return (
        shared
        if shared is not None and shared.proc is not None and shared.proc.poll() is None
        else None
    )


def state(cluster: Cluster, kind: str, name: str, namespace: str) -> str:
    obj = get(cluster, kind, name, namespace) or {}
    return str((obj.get("status") or {}).get("state") or "")


def since(events: list[dict[str, Any]], start: str) -> list[dict[str, Any]]:
    return [
        e
        for e in events
        if e.get("user", {}).get("username") == SA_USER
        and e.get("stage") == "ResponseComplete"
        and e["requestReceivedTimestamp"] >= start
    ]


def request(event: dict[str, Any]) -> str:
    ref = event.get("objectRef") or {}
    return f"{event['verb']} {event['requestURI']} ({ref.get('resource')}/{ref.get('subresource')})"


def still_allowed(cluster: Cluster, event: dict[str, Any]) -> bool:
    """Whether RBAC allows the denied request now (a SubjectAccessReview through `kubectl auth
    can-i`). The shared test cluster's apiserver is restarted by chaos tests; until its RBAC
    caches sync it refuses everything (even discovery), and those denials are not missing rules."""
    ref = event.get("objectRef")
    who = [f"--as={SA_USER}", *(f"--as-group={g}" for g in SA_GROUPS)]
    if ref is None:
        args = [event["verb"], event["requestURI"].split("?")[0]]
    else:
        resource = ".".join(p for p in (ref["resource"], ref.get("apiGroup")) if p)
        args = [event["verb"], resource + (f"/{ref['name']}" if ref.get("name") else "")]
        if ref.get("subresource"):
            args.append(f"--subresource={ref['subresource']}")
        args += ["-n", ref["namespace"]] if ref.get("namespace") else ["--all-namespaces"]
    result = cluster.kubectl("auth", "can-i", *args, *who, check=False)
    return result.stdout.strip() == "yes"


def test_operator_with_generated_rbac_reaches_ready_without_a_403(
    installed: Cluster, namespace: str, no_other_operator: None
) -> None:
    start = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    kubeconfig = installed.kubeconfig_for(SA_USER, SA_GROUPS)
    operator = OperatorProcess(
        installed,
        kubeconfig=kubeconfig,
        env={
            "NIMOP_LEADER_ELECTION": "true",
            "NIMOP_LEASE_NAMESPACE": o.NAMESPACE,
            "NIMOP_LEASE_NAME": LEADER_LEASE,
        },
    )
    docs = [d for d in yaml.safe_load_all(EXAMPLE.read_text()) if d]
    cache = next(d["metadata"]["name"] for d in docs if d["kind"] == "NIMCache")
    service = next(d["metadata"]["name"] for d in docs if d["kind"] == "NIMService")
    operator.start()
    try:
        installed.kubectl("apply", "--server-side", "-n", namespace, "-f", str(EXAMPLE))
        for kind, name in (("nimcache", cache), ("nimservice", service)):
            try:
                eventually(
                    lambda k=kind, n=name: state(installed, k, n, namespace) == "Ready",
                    timeout=180,
                    what=f"{kind} {name} Ready",
                )
            except AssertionError as err:
                status = (get(installed, kind, name, namespace) or {}).get("status")
                raise AssertionError(
                    f"{err}\nstatus: {json.dumps(status, indent=1)}\n"
                    f"operator log:\n{operator.log_tail(30)}"
                ) from None
    finally:
        code = operator.stop()
        log = operator.log_tail(60)
    assert code == 0, log
    time.sleep(1)  # the audit log is written after the response
    mine = since(installed.audit_events(), start)
    forbidden = [
        e
        for e in mine
        if e.get("responseStatus", {}).get("code") == 403
        and e.get("annotations", {}).get("authorization.k8s.io/decision") == "forbid"
    ]
    missing = [request(e) for e in forbidden if not still_allowed(installed, e)]
    assert not missing, "RBAC denied:\n" + "\n".join(missing)

    def did(verbs: set[str], resource: str, sub: str | None = None) -> bool:
        return any(
            e["verb"] in verbs
            and (e.get("objectRef") or {}).get("resource") == resource
            and (e.get("objectRef") or {}).get("subresource") == sub
            and e["responseStatus"].get("code", 0) < 300
            for e in mine
        )

    # It was this operator, as the ServiceAccount, that did the work.
    assert did({"create", "update"}, "leases"), "leader election did not run"
    for resource in ("jobs", "deployments", "services", "persistentvolumeclaims"):
        assert did({"create", "patch"}, resource), f"no {resource} written by {SA_USER}"
    for resource in ("nimcaches", "nimservices"):
        assert did({"patch", "update"}, resource, "status"), f"no {resource} status by {SA_USER}"
    assert did({"list"}, "nodes") and did({"watch"}, "nimservices")


def test_namespaced_overlay_installed_for_real_is_enough(
    installed: Cluster, no_other_operator: None
) -> None:
    """`kubectl apply -k deploy/overlays/namespaced` for real (not a dry run), with the base's
    cluster-wide binding removed, so the operator holds only the overlay's RBAC: the Role in the
    one watched namespace plus the small cluster Role. It serves the standalone example there
    (the autouse fixture fails the test on any RBAC denial)."""
    from nimop.deploygen.kustomize import WATCHED_NAMESPACE
    from tests.operator_process import LEASE_ENV, fresh_lease, install_identity

    installed.kubectl("create", "namespace", WATCHED_NAMESPACE, check=False)
    overlay = ROOT / "deploy" / "overlays" / "namespaced"
    result = installed.kubectl(
        "apply", "--server-side", "--force-conflicts", "-k", str(overlay), check=False
    )
    assert result.returncode == 0, result.stderr
    installed.kubectl("delete", "clusterrolebinding", o.NAME, "--ignore-not-found")
    fresh_lease(installed)
    operator = OperatorProcess(
        installed,
        kubeconfig=installed.kubeconfig_for(SA_USER, SA_GROUPS),
        agent="nimop-namespaced-overlay",
        env={"NIMOP_NAMESPACES": WATCHED_NAMESPACE, **LEASE_ENV},
    )
    docs = [d for d in yaml.safe_load_all(EXAMPLE.read_text()) if d]
    names = {
        d["kind"]: d["metadata"]["name"] for d in docs if d["kind"] in ("NIMCache", "NIMService")
    }
    try:
        operator.start()
        installed.kubectl("apply", "--server-side", "-n", WATCHED_NAMESPACE, "-f", str(EXAMPLE))
        for kind, name in names.items():
            eventually(
                lambda k=kind, n=name: state(installed, k.lower(), n, WATCHED_NAMESPACE) == "Ready",
                timeout=180,
                what=f"{kind} {name} Ready under the namespaced overlay",
            )
    finally:
        operator.stop()
        installed.kubectl("delete", "namespace", WATCHED_NAMESPACE, "--wait=false", check=False)
        install_identity(installed, force=True)  # the base's cluster-wide binding back
