"""Least privilege, derived from what the operator sends: every verb the installed RBAC grants
is one some request of the operator needed, or is marked "held, not sent" in
`nimop.permissions` with the reason.

One scenario drives every controller as installed (deploy/base's ServiceAccount and roles):
every example of api/examples (all nine kinds: a NIMCache with its download Job and manifest
probe, a NIMBuild, a NIMPipeline, multi-node on LeaderWorkerSet with its SSH key Secret, KServe,
routes, the endpoint picker, DRA, autoscaling, metrics, the five NeMo services) on a cluster
that serves OpenShift's SCC API, each custom resource carrying the finalizer upstream's operator
left, one cache's Job name held by a user's Job; then the children are relabelled as upstream's
and adopted back (the one GET the sync sends reads the holder of a name it was refused). Then
every NIMService is cut down to a plain Deployment and the SCC API goes (so each
optional child is pruned), and the pipeline drops a service. The audit log of that run gives
the (group, resource, verb) triples the ServiceAccount was authorized for; the ClusterRole,
the leader-election Role and the namespaced overlay's Role must grant nothing else, except
what the table marks as held.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from nimop import permissions
from nimop.api import kinds
from nimop.controllers.base import LEGACY_FINALIZER
from tests.audit import Access, AuditWindow, accesses
from tests.cluster import Cluster
from tests.e2e.test_openshift import SCC_CRD, scc_api  # noqa: F401 (the SCC API fixture)
from tests.operator_process import LEASE_ENV, SA_USER, OperatorProcess, fresh_lease
from tests.support import apply, eventually, get

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "api" / "examples").glob("*.yaml"))
BASE_RBAC = ROOT / "deploy" / "base" / "rbac.yaml"
OVERLAY_RBAC = ROOT / "deploy" / "overlays" / "namespaced" / "rbac.yaml"
AGENT = "nimop-rbac-verbs"
OWN = {k.kind for k in kinds.PRIMARIES}
#: Children the first phase must have produced before the second prunes them.
CHILDREN = ("leaderworkersets", "inferenceservices", "horizontalpodautoscalers", "ingresses",
            "httproutes", "grpcroutes", "inferencepools", "servicemonitors",
            "resourceclaimtemplates", "roles", "rolebindings", "jobs", "deployments",
            "persistentvolumeclaims", "configmaps", "pods")  # fmt: skip
#: Children relabelled as upstream's between the phases (adopted back through a GET each).
ADOPTED = (*CHILDREN, "services", "serviceaccounts", "nimservices", "inferenceservices",
           "computedomains")  # fmt: skip
MANAGED_BY = "app.kubernetes.io/managed-by"
UPSTREAM = "k8s-nim-operator"
#: What the second phase prunes.
PRUNED = ("leaderworkersets", "inferenceservices", "horizontalpodautoscalers", "ingresses",
          "httproutes", "grpcroutes", "inferencepools", "servicemonitors", "roles",
          "rolebindings")  # fmt: skip


def granted(path: Path, *, names: Iterable[str] | None = None) -> set[Access]:
    """Every (group, resource, verb) the Roles/ClusterRoles of a generated RBAC file grant."""
    wanted = set(names) if names is not None else None
    out: set[Access] = set()
    for doc in yaml.safe_load_all(path.read_text()):
        if not doc or doc["kind"] not in ("Role", "ClusterRole"):
            continue
        if wanted is not None and doc["metadata"]["name"] not in wanted:
            continue
        for rule in doc["rules"]:
            for group in rule["apiGroups"]:
                for resource in rule["resources"]:
                    out.update((group, resource, verb) for verb in rule["verbs"])
    return out


def held() -> dict[Access, str]:
    """The grants the table holds on purpose although no request sends them, with why."""
    return {
        (p.group, resource, verb): p.held
        for p in permissions.PERMISSIONS
        if p.held
        for resource in p.resources
        for verb in p.verbs
    }


def scenario_docs() -> list[dict[str, Any]]:
    """Every example, each of nimop's own resources with upstream's finalizer on it."""
    docs: dict[tuple[str, str], dict[str, Any]] = {}
    for path in EXAMPLES:
        for doc in yaml.safe_load_all(path.read_text()):
            if not doc:
                continue
            if doc["kind"] in OWN:
                doc["metadata"]["finalizers"] = [LEGACY_FINALIZER.format(kind=doc["kind"].lower())]
            docs[(doc["kind"], doc["metadata"]["name"])] = doc
    return list(docs.values())


def present(
    cluster: Cluster, namespace: str, resources: Iterable[str], owner: str | None = None
) -> set[str]:
    """Which of these resource types have at least one object in the namespace (controlled by
    an object of kind `owner`, when given)."""
    found = set()
    for resource in resources:
        result = cluster.kubectl("get", resource, "-n", namespace, "-o", "json", check=False)
        objects = json.loads(result.stdout)["items"] if result.returncode == 0 else []
        if any(owner is None or owner in owners(o) for o in objects):
            found.add(resource)
    return found


def owners(obj: dict[str, Any]) -> set[str]:
    return {r["kind"] for r in obj["metadata"].get("ownerReferences") or () if r.get("controller")}


def reported(cluster: Cluster, kind: str, name: str, namespace: str) -> bool:
    return bool(((get(cluster, kind.lower(), name, namespace) or {}).get("status") or {})
                .get("state"))  # fmt: skip


def plain(spec: dict[str, Any]) -> dict[str, Any]:
    """A NIMService spec cut down to a standalone Deployment with nothing optional."""
    return {
        "image": spec["image"],
        "authSecret": spec.get("authSecret", "ngc-api-secret"),
        "storage": {"emptyDir": {}},
        "expose": {"service": {"port": 8000}},
    }


@pytest.fixture
def watched_operator(
    cluster: Cluster, request: pytest.FixtureRequest, scc_api: None  # noqa: F811
) -> Iterator[AuditWindow]:
    """An operator of its own as installed, with leader election (the shared one paused),
    started on an OpenShift cluster; the audit window opened before it starts, so its
    start-up requests count."""
    shared: OperatorProcess = request.getfixturevalue("operator")
    shared.stop()
    fresh_lease(cluster)
    window = AuditWindow(cluster)
    op = OperatorProcess(cluster, agent=AGENT, env=LEASE_ENV).start()
    try:
        yield window
    finally:
        op.stop()
        shared.start()


def take_over(cluster: Cluster, namespace: str) -> None:
    """Every child labelled as upstream's operator labels its own: gone from nimop's
    label-selected caches, so the next create-only apply of each answers 409 and the sync
    reads the object (the one GET it sends) to tell an adoptable child from a stranger. Each
    is owned by its CR, so each must come back labelled as nimop's. Not a NIMCache's: a Ready
    cache desires no Job any more and keeps only the manifest ConfigMap it sees, so nothing of
    its would be applied (its Job's GET comes from :func:`hold_a_cache_job_name`)."""
    taken: list[tuple[str, str]] = []
    for resource in ADOPTED:
        result = cluster.kubectl("get", resource, "-n", namespace, "-o", "json", check=False)
        for obj in json.loads(result.stdout)["items"] if result.returncode == 0 else []:
            ours = owners(obj) & OWN - {"NIMCache"}
            if ours and not obj["metadata"].get("deletionTimestamp"):
                name = obj["metadata"]["name"]
                cluster.kubectl("label", resource, name, "-n", namespace, "--overwrite",
                                f"{MANAGED_BY}={UPSTREAM}")  # fmt: skip
                taken.append((resource, name))
    assert {r for r, _ in taken} >= set(CHILDREN) - {"persistentvolumeclaims", "jobs"}, taken

    def manager(resource: str, name: str) -> str | None:
        """Who the child's label says manages it (None once it is gone)."""
        md = (get(cluster, resource, name, namespace) or {}).get("metadata") or {}
        return (md.get("labels") or {}).get(MANAGED_BY)

    def relabelled() -> list[tuple[str, str]]:
        return [(r, n) for r, n in taken if manager(r, n) not in ("nimop", None)]

    try:
        eventually(lambda: not relabelled(), timeout=180,
                   what="every child taken over from upstream's label adopted again")  # fmt: skip
    except AssertionError as exc:
        raise AssertionError(f"{exc}; left: {relabelled()}") from None


def hold_a_cache_job_name(cluster: Cluster, namespace: str, cache: str) -> str:
    """A user's suspended Job holding the name of `cache`'s caching Job: the create-only apply
    of the caching Job answers 409 and the sync reads the holder (a GET) and leaves it alone."""
    job = {
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": f"{cache}-job", "namespace": namespace},
        "spec": {"suspend": True, "template": {"spec": {
            "restartPolicy": "Never",
            "securityContext": {"runAsNonRoot": True, "runAsUser": 1000,
                                "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "c", "image": "busybox", "securityContext": {
                "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}}],
        }}},
    }  # fmt: skip
    apply(cluster, namespace, job)
    return str(job["metadata"]["name"])


def conflicted(cluster: Cluster, kind: str, name: str, namespace: str) -> bool:
    status = (get(cluster, kind.lower(), name, namespace) or {}).get("status") or {}
    return any(c.get("reason") == "ChildConflict" for c in status.get("conditions") or ())


def run_scenario(cluster: Cluster, namespace: str) -> None:
    docs = scenario_docs()
    cache = next(d["metadata"]["name"] for d in docs if d["kind"] == "NIMCache")
    stranger = hold_a_cache_job_name(cluster, namespace, cache)
    apply(cluster, namespace, *docs)
    eventually(lambda: conflicted(cluster, "NIMCache", cache, namespace), timeout=180,
               what=f"NIMCache {cache} reports the user's Job {stranger}")  # fmt: skip
    cluster.kubectl("delete", "job", stranger, "-n", namespace)
    eventually(lambda: set(CHILDREN) <= present(cluster, namespace, CHILDREN), timeout=240,
               what=f"every child kind in {namespace}")  # fmt: skip
    own = [(d["kind"], d["metadata"]["name"]) for d in docs if d["kind"] in OWN]
    try:
        eventually(lambda: all(reported(cluster, k, n, namespace) for k, n in own),
                   timeout=180, what="every custom resource reports a state")  # fmt: skip
    except AssertionError as exc:
        silent = [f"{k}/{n}" for k, n in own if not reported(cluster, k, n, namespace)]
        raise AssertionError(f"{exc}; no state: {silent}") from None
    take_over(cluster, namespace)
    for doc in docs:
        if doc["kind"] == "NIMService":
            name = doc["metadata"]["name"]
            replace = [{"op": "replace", "path": "/spec", "value": plain(doc["spec"])}]
            cut = cluster.kubectl("patch", "nimservice", name, "-n", namespace, "--type=json",
                                  "-p", json.dumps(replace), check=False)  # fmt: skip
            if cut.returncode != 0:  # immutable settings (multi-node, DRA, a created PVC)
                cluster.kubectl("delete", "nimservice", name, "-n", namespace, "--wait=false")
        if doc["kind"] == "NIMPipeline":
            services = [s for s in doc["spec"]["services"] if not s.get("dependencies")][:1]
            replace = [{"op": "replace", "path": "/spec/services", "value": services}]
            cluster.kubectl("patch", "nimpipeline", doc["metadata"]["name"], "-n", namespace,
                            "--type=json", "-p", json.dumps(replace))  # fmt: skip
        if doc["kind"] == "NemoDatastore":
            stop = [{"op": "replace", "path": "/spec/pvc/create", "value": False}]
            cluster.kubectl("patch", "nemodatastore", doc["metadata"]["name"], "-n", namespace,
                            "--type=json", "-p", json.dumps(stop))  # fmt: skip
    cluster.kubectl("delete", "crd", SCC_CRD["metadata"]["name"])
    try:
        eventually(lambda: not present(cluster, namespace, PRUNED, "NIMService"), timeout=120,
                   what="every optional child of a NIMService pruned")  # fmt: skip
    except AssertionError as exc:
        left = sorted(present(cluster, namespace, PRUNED, "NIMService"))
        raise AssertionError(f"{exc}; left: {left}") from None
    data = get(cluster, "pvc", "pvc-shared-data", namespace)
    assert data is not None and not data["metadata"].get("deletionTimestamp"), (
        "a PVC the data store stopped creating is kept (nimop never deletes data)"
    )


def test_every_granted_verb_is_sent_or_held_with_a_reason(
    cluster: Cluster, namespace: str, watched_operator: AuditWindow
) -> None:
    window = watched_operator
    run_scenario(cluster, namespace)
    sent = accesses(window.events(agents=[AGENT], users=[SA_USER]))
    base = granted(BASE_RBAC, names=["nimop", "nimop-leader-election"])
    kept = held()
    report = "\n".join(f"  {g or 'core'}/{r} {v}" for g, r, v in sorted(base - sent - set(kept)))
    assert not base - sent - set(kept), (
        "the installed RBAC grants what no request sent (remove it, or mark it held with the "
        f"reason in nimop/permissions.py):\n{report}"
    )
    wrongly_held = sorted(set(kept) & sent)
    assert not wrongly_held, f"marked held but sent: {wrongly_held}"
    assert set(kept) <= base, f"held but not granted: {sorted(set(kept) - base)}"
    rules = sum(1 for p in permissions.PERMISSIONS if p.held)
    print(f"{len(sent)} (group, resource, verb) sent; {len(base)} granted, {len(kept)} of them "
          f"held in {rules} rules")
    overlay = granted(OVERLAY_RBAC)
    assert not overlay - sent - set(kept), sorted(overlay - sent - set(kept))
