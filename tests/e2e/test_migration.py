"""Taking over a cluster that ran NVIDIA's NIM Operator (docs/migration.md).

The starting state is built the way upstream leaves it: CRDs applied by its Helm chart (an
Update by the `helm` field manager, Helm's ownership label and annotations, and a schema
without nimop's stricter rules — nimop's CRDs minus their CEL rules stand in for upstream's),
CRs carrying upstream's finalizer (one of them stored with a value nimop's rules reject),
children shaped as upstream's templates make them (managed-by k8s-nim-operator, a controller
ownerReference to the CR, upstream's labels and no security context) and its
ValidatingWebhookConfiguration with `failurePolicy: Fail` and no endpoints.

Then the documented switch: `nimop migrate --check` lists the blockers (exit 1), their
commands are run, the check passes (exit 0), nimop's CRDs are installed and nimop starts.
Asserted: every CR Ready, no object lost (same UIDs), the foreign object untouched, exactly
the adopted Deployment rolled, upstream's finalizers released, no write of nimop refused, and
validation ratcheting for the object stored under the looser schema.

Disruptive: the CRDs are swapped for the duration, so it runs last with the session's operator
paused.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from nimop.offline import validated
from nimop.render import render_nimservice
from nimop.render.facts import ClusterFacts
from tests.cluster import Cluster
from tests.e2e.crs import nimservice, wait_state
from tests.operator_process import OperatorProcess, install_crds
from tests.support import eventually, get

pytestmark = pytest.mark.disruptive

REPO = Path(__file__).resolve().parents[2]
UPSTREAM = "k8s-nim-operator"
FINALIZER = "finalizer.nimservice.apps.nvidia.com"
HELM = {"labels": {"app.kubernetes.io/managed-by": "Helm"},
        "annotations": {"meta.helm.sh/release-name": "nim-operator",
                        "meta.helm.sh/release-namespace": "nim-operator"}}  # fmt: skip
WEBHOOK = "k8s-nim-operator-validating-webhook-configuration"


def _strip_rules(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip_rules(v) for k, v in node.items() if k != "x-kubernetes-validations"}
    if isinstance(node, list):
        return [_strip_rules(v) for v in node]
    return node


def upstream_crds() -> list[dict[str, Any]]:
    """The CRDs as upstream's chart leaves them: looser schema, owned by a Helm release."""
    out = []
    for path in sorted((REPO / "api" / "crds").glob("*.yaml")):
        crd = _strip_rules(yaml.safe_load(path.read_text()))
        for key, values in HELM.items():
            crd["metadata"].setdefault(key, {}).update(values)
        out.append(crd)
    return out


def _install_as_helm(cluster: Cluster) -> None:
    for crd in upstream_crds():
        live = get(cluster, "crd", crd["metadata"]["name"], None)
        if live is not None:
            crd["metadata"]["resourceVersion"] = live["metadata"]["resourceVersion"]
        verb = "replace" if live is not None else "create"
        cluster.kubectl(verb, "--field-manager=helm", "-f", "-", input=yaml.safe_dump(crd))
    cluster.kubectl("wait", "--for=condition=Established", "crd", "--all", "--timeout=60s")


def _as_upstream_child(obj: dict[str, Any], owner: dict[str, Any]) -> dict[str, Any]:
    """A child the way upstream's templates render it: its labels, no security context."""
    child = copy.deepcopy(obj)
    for md in _metadatas(child):
        labels = md.setdefault("labels", {})
        if "app.kubernetes.io/managed-by" in labels:
            labels["app.kubernetes.io/managed-by"] = UPSTREAM
            labels["app.kubernetes.io/operator-version"] = ""
    pod = ((child.get("spec") or {}).get("template") or {}).get("spec")
    if pod is not None:
        pod.pop("securityContext", None)
        for c in pod.get("containers", []) + pod.get("initContainers", []):
            c.pop("securityContext", None)
    child["metadata"]["ownerReferences"] = [{
        "apiVersion": owner["apiVersion"], "kind": owner["kind"],
        "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"],
        "controller": True, "blockOwnerDeletion": True,
    }]  # fmt: skip
    return child


def _metadatas(obj: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield obj["metadata"]
    template = (obj.get("spec") or {}).get("template")
    if isinstance(template, dict) and "metadata" in template:
        yield template["metadata"]


def _webhook(namespace: str) -> dict[str, Any]:
    return {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingWebhookConfiguration",
        "metadata": {"name": WEBHOOK, "labels": {"app.kubernetes.io/name": UPSTREAM}},
        "webhooks": [{
            "name": "vnimservice-v1alpha1.kb.io",
            "admissionReviewVersions": ["v1"],
            "sideEffects": "None",
            "failurePolicy": "Fail",
            "timeoutSeconds": 2,
            # scoped to the test's namespace so the rest of the session never meets it
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}},
            "clientConfig": {"service": {"name": "k8s-nim-operator-webhook-service",
                                         "namespace": namespace,
                                         "path": "/validate-apps-nvidia-com-v1alpha1"}},
            "rules": [{"apiGroups": ["apps.nvidia.com"], "apiVersions": ["v1alpha1"],
                       "operations": ["CREATE", "UPDATE"],
                       "resources": ["nimcaches", "nimservices"]}],
        }],
    }  # fmt: skip


def _migrate_check(cluster: Cluster) -> subprocess.CompletedProcess[str]:
    nimop = Path(sys.executable).with_name("nimop")
    return subprocess.run(
        [str(nimop), "migrate", "--check", "--kubeconfig", str(cluster.kubeconfig)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def _fix_commands(report: str) -> list[str]:
    return [m.group(1) for m in re.finditer(r"^\s+fix: (kubectl .+)$", report, re.MULTILINE)]


@pytest.fixture
def paused_session(cluster: Cluster) -> Iterator[None]:
    """The session's operator stopped, and nimop's CRDs put back afterwards."""
    session = OperatorProcess.session
    if session is not None and session.proc is not None:
        session.stop()
    try:
        yield
    finally:
        install_crds(cluster)
        for crd in upstream_crds():
            name = crd["metadata"]["name"]
            cluster.kubectl("label", "crd", name, "app.kubernetes.io/managed-by-", check=False)
        cluster.kubectl("delete", "validatingwebhookconfiguration", WEBHOOK,
                        "--ignore-not-found")  # fmt: skip
        if session is not None:
            session.start()


def _create(cluster: Cluster, namespace: str, obj: dict[str, Any]) -> dict[str, Any]:
    out = cluster.kubectl("create", "-n", namespace, "--field-manager=manager", "-o", "json",
                          "-f", "-", input=yaml.safe_dump(obj))  # fmt: skip
    created: dict[str, Any] = json.loads(out.stdout)
    return created


def _uids(cluster: Cluster, namespace: str) -> dict[str, str]:
    kinds = "nimservices,deployments,services,serviceaccounts,roles,rolebindings,configmaps"
    listed = json.loads(cluster.kubectl("get", kinds, "-n", namespace, "-o", "json").stdout)
    return {f"{o['kind']}/{o['metadata']['name']}": o["metadata"]["uid"] for o in listed["items"]}


def test_takeover_of_upstreams_objects(
    cluster: Cluster, namespace: str, paused_session: None
) -> None:
    _install_as_helm(cluster)
    pvc = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "models"},
           "spec": {"accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": "1Gi"}}}}  # fmt: skip
    _create(cluster, namespace, pvc)
    storage = {"pvc": {"name": "models"}}
    adopted = nimservice("llm", storage=storage, replicas=1)
    adopted["metadata"]["finalizers"] = [FINALIZER]
    # Stored under the looser schema: nimop's rule minReplicas <= maxReplicas rejects it.
    loose = nimservice(
        "llm-loose",
        storage=storage,
        replicas=1,
        scale={"enabled": False, "hpa": {"minReplicas": 3, "maxReplicas": 2}},
    )
    loose["metadata"]["finalizers"] = [FINALIZER]  # fmt: skip
    svc = _create(cluster, namespace, adopted)
    _create(cluster, namespace, loose)
    rendered = render_nimservice(validated(copy.deepcopy(svc)), ClusterFacts())
    children = [
        o
        for o in rendered.objects
        if o["kind"] in {"ServiceAccount", "Role", "RoleBinding", "Service", "Deployment"}
    ]
    for child in children:
        child["metadata"]["namespace"] = namespace
        _create(cluster, namespace, _as_upstream_child(child, svc))
    owner = _create(cluster, namespace, {"apiVersion": "v1", "kind": "ConfigMap",
                                         "metadata": {"name": "someone-else"}})  # fmt: skip
    foreign = _create(
        cluster,
        namespace,
        _as_upstream_child(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {
                    "name": "llm-extra",
                    "labels": {"app.kubernetes.io/managed-by": UPSTREAM},
                },
                "data": {"k": "v"},
            },
            owner,
        ),
    )
    cluster.apply([_webhook(namespace)])
    before = _uids(cluster, namespace)
    revisions = {d["metadata"]["name"]: d for d in children if d["kind"] == "Deployment"}
    assert len(revisions) == 1

    # -- the check finds the blockers, their commands clear them ----------------------------
    first = _migrate_check(cluster)
    assert first.returncode == 1, first.stdout + first.stderr
    assert f"ValidatingWebhookConfiguration {WEBHOOK}" in first.stdout
    assert "CRD nimservices.apps.nvidia.com belongs to Helm release nim-operator" in first.stdout
    assert f"NIMService {namespace}/llm carries upstream's finalizer" in first.stdout
    assert "Deployment " + namespace + "/llm" in first.stdout  # adopted child, listed
    assert f"ConfigMap {namespace}/llm-extra is labelled" in first.stdout
    refused = cluster.kubectl("label", "nimservice", "llm", "-n", namespace, "x=y", check=False)
    assert refused.returncode != 0, "the dangling webhook refuses writes to NIM CRs"
    for command in _fix_commands(first.stdout):
        if "delete configmap" in command or "finalizers" in command:
            continue  # notices: the foreign ConfigMap stays; nimop releases finalizers itself
        argv = command.replace("kubectl ", "", 1).replace(" && kubectl ", " \0 ").split(" \0 ")
        for part in argv:
            cluster.kubectl(*part.split())
    install_crds(cluster)
    second = _migrate_check(cluster)
    assert second.returncode == 0, second.stdout + second.stderr

    # -- nimop takes over ------------------------------------------------------------------
    proc = OperatorProcess(cluster).start()
    try:
        for name in ("llm", "llm-loose"):
            wait_state(cluster, "nimservice", name, namespace, "Ready", timeout=120)
        after = _uids(cluster, namespace)
        lost = {k: v for k, v in before.items() if after.get(k) != v}
        assert not lost, f"objects lost or re-created: {lost}"
        live_foreign = get(cluster, "configmap", "llm-extra", namespace)
        assert live_foreign is not None
        assert (
            live_foreign["metadata"]["resourceVersion"] == foreign["metadata"]["resourceVersion"]
        ), "nimop touched an object another owner controls"
        deployments = json.loads(
            cluster.kubectl("get", "deployments", "-n", namespace, "-o", "json").stdout
        )["items"]
        rolled = [d["metadata"]["name"] for d in deployments
                  if d["metadata"].get("annotations", {}).get(
                      "deployment.kubernetes.io/revision") not in (None, "1")]  # fmt: skip
        assert rolled == ["llm"], rolled
        adopted_dep = next(d for d in deployments if d["metadata"]["name"] == "llm")
        assert adopted_dep["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "nimop"

        def released() -> bool:
            names = ("llm", "llm-loose")
            objs = [get(cluster, "nimservice", n, namespace) or {} for n in names]
            return all(FINALIZER not in (o["metadata"].get("finalizers") or []) for o in objs)

        eventually(released, timeout=60, what="upstream finalizers released")
        writes = _write_counts(proc.metrics())
        assert any(code.startswith("2") for _, code in writes), "no write was counted at all"
        refused_writes = {k: n for k, n in writes.items() if k[1] not in ("404", "409") and
                          not k[1].startswith("2")}  # fmt: skip
        assert not refused_writes, refused_writes

        # -- ratcheting: an update that leaves the offending part alone is accepted ---------
        cluster.kubectl("label", "nimservice", "llm-loose", "-n", namespace, "team=ml")
        cluster.kubectl("patch", "nimservice", "llm-loose", "-n", namespace, "--type=merge",
                        "-p", json.dumps({"spec": {"labels": {"team": "ml"}}}))  # fmt: skip
        touched = cluster.kubectl(
            "patch",
            "nimservice",
            "llm-loose",
            "-n",
            namespace,
            "--type=merge",
            "-p",
            json.dumps({"spec": {"scale": {"hpa": {"maxReplicas": 1}}}}),
            check=False,
        )
        assert touched.returncode != 0
        assert "minReplicas must not exceed scale.hpa.maxReplicas" in touched.stderr
        status = eventually(
            lambda: _stricter_condition(get(cluster, "nimservice", "llm-loose", namespace)),
            timeout=60,
            what="a status that says what to fix",
        )
        assert "spec.scale.hpa.minReplicas" in status["message"]
    finally:
        proc.stop()


WRITE_VERBS = {"create", "update", "patch", "apply", "delete"}


def _write_counts(metrics: str) -> dict[tuple[str, str], float]:
    """(verb, code) -> requests, for the operator's write requests (nimop_api_requests_total:
    controller-runtime's rest_client_requests_total carries the HTTP method, not the verb)."""
    out: dict[tuple[str, str], float] = {}
    for labels, value in re.findall(r"^nimop_api_requests_total\{([^}]*)\} (\S+)$", metrics,
                                    re.MULTILINE):  # fmt: skip
        label = dict(re.findall(r'(\w+)="([^"]*)"', labels))
        if label.get("verb") in WRITE_VERBS:
            key = (label["verb"], label.get("code", ""))
            out[key] = out.get(key, 0.0) + float(value)
    return out


def _stricter_condition(obj: dict[str, Any] | None) -> dict[str, Any] | None:
    for cond in ((obj or {}).get("status") or {}).get("conditions") or ():
        if cond.get("type") == "SpecValid" and cond.get("status") == "False":
            return dict(cond)
    return None
