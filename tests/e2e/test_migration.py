"""Taking over a cluster that ran NVIDIA's NIM Operator (docs/migration.md).

The starting state is built the way upstream leaves it: upstream's own CRDs applied by its Helm
chart (tests/e2e/upstream-crds.json, derived from upstream's CRD YAML by
tests/e2e/upstream_crds.py; an Update by the `helm` field manager, Helm's ownership label and
annotations), CRs of every family carrying upstream's finalizer — NIMServices (plain, with an
HPA and an Ingress, with an HTTPRoute, multi-node on a LeaderWorkerSet), a NIMCache, a
NIMPipeline and a NemoEntitystore; two of them stored with values nimop's rules reject — their
children shaped as upstream's templates make them (managed-by k8s-nim-operator, a controller
ownerReference to the CR, upstream's labels and no security context: ServiceAccount, Role,
RoleBinding, Service, Deployment, HPA, Ingress, HTTPRoute, LeaderWorkerSet, the cache's PVC and
its completed Job, the pipeline's NIMService) and its ValidatingWebhookConfiguration with
`failurePolicy: Fail` and no endpoints.

Then the documented switch: `nimop migrate --check` lists the blockers (exit 1), their
commands are run, the check passes (exit 0), nimop's CRDs are installed and nimop starts.
Asserted: every CR Ready, no object lost (same UIDs), the foreign object untouched, exactly
the adopted Deployments rolled (their templates gain nimop's labels and security context) and
no other workload, upstream's finalizers released, no write of nimop refused, and validation
ratcheting for the objects stored under the looser schema (an update that leaves the bad part
alone is accepted; the status names what nimop's CRD refuses).

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
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import yaml

from nimop.offline import RENDERERS, validated
from nimop.render.facts import ClusterFacts
from tests.cluster import Cluster
from tests.e2e import upstream_crds as upstream_crd_fixture
from tests.e2e.crs import nimcache, nimservice, wait_state
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


def upstream_crds() -> list[dict[str, Any]]:
    """Upstream's CRDs as its chart leaves them: its schema, owned by a Helm release."""
    out = []
    for crd in upstream_crd_fixture.load():
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
    kinds = ("nimservices,nimcaches,nimpipelines,nemoentitystores,deployments,services,"
             "serviceaccounts,roles,rolebindings,configmaps,persistentvolumeclaims,jobs,"
             "horizontalpodautoscalers,ingresses,httproutes,leaderworkersets")  # fmt: skip
    listed = json.loads(cluster.kubectl("get", kinds, "-n", namespace, "-o", "json").stdout)
    return {f"{o['kind']}/{o['metadata']['name']}": o["metadata"]["uid"] for o in listed["items"]}


def _finalizer(kind: str) -> str:
    return f"finalizer.{kind.lower()}.apps.nvidia.com"


#: What upstream's templates create for a CR (its generated Secrets and probe pods aside).
UPSTREAM_CHILD_KINDS = {"ServiceAccount", "Role", "RoleBinding", "Service", "Deployment",
                        "HorizontalPodAutoscaler", "Ingress", "HTTPRoute", "LeaderWorkerSet",
                        "PersistentVolumeClaim", "NIMService"}  # fmt: skip
FACTS = ClusterFacts(lws=True, gateway_api=True)
STORAGE = {"pvc": {"name": "models"}}
DB = {"host": "pg.example", "databaseName": "es",
      "credentials": {"user": "es", "secretName": "pg-creds"}}  # fmt: skip


def _crs(namespace: str) -> list[dict[str, Any]]:
    """One CR of each family upstream's operator ran, each with upstream's finalizer."""
    scaled = nimservice(
        "llm-scaled", storage=STORAGE,
        scale={"enabled": True, "hpa": {"minReplicas": 1, "maxReplicas": 2}},
        expose={"service": {"port": 8000},
                "router": {"hostDomainName": "example.com", "ingress": {"ingressClass": "nginx"}}},
    )  # fmt: skip
    routed = nimservice(
        "llm-route", storage=STORAGE, replicas=1,
        expose={"service": {"port": 8000},
                "router": {"hostDomainName": "example.com",
                           "gateway": {"namespace": namespace, "name": "gw",
                                       "httpRoutesEnabled": True}}},
    )  # fmt: skip
    multi = nimservice(
        "llm-mn", storage=STORAGE,
        multiNode={"backendType": "lws", "parallelism": {"pipeline": 2, "tensor": 4}},
    )  # fmt: skip
    pipeline = {"apiVersion": "apps.nvidia.com/v1alpha1", "kind": "NIMPipeline",
                "metadata": {"name": "pipe"},
                "spec": {"services": [{"name": "pipe-llm", "enabled": True,
                                       "spec": nimservice("x", replicas=1)["spec"]}]}}  # fmt: skip
    entitystore = {"apiVersion": "apps.nvidia.com/v1alpha1", "kind": "NemoEntitystore",
                   "metadata": {"name": "es"},
                   "spec": {"image": {"repository": "nvcr.io/nvidia/nemo-microservices/"
                                      "entity-store", "tag": "25.08"},
                            "databaseConfig": DB,  # upstream requires datastore, and its
                            "datastore": {"endpoint": "http://datastore.example:8000/v1/hf"},
                            "expose": {"service": {"port": 8000}}}}  # rules read expose
    out = [nimservice("llm", storage=STORAGE, replicas=1), scaled, routed, multi,
           nimcache("cache", storage={"pvc": {"create": True, "size": "1Gi"}}), pipeline,
           entitystore]  # fmt: skip
    for cr in out:
        cr["metadata"]["finalizers"] = [_finalizer(cr["kind"])]
    return out


def _loose_crs() -> list[dict[str, Any]]:
    """Stored under upstream's looser schema: nimop's rules reject one value of each."""
    service = nimservice("llm-loose", storage=STORAGE, replicas=1,
                         scale={"enabled": False, "hpa": {"minReplicas": 3, "maxReplicas": 2}})
    cache = nimcache("cache-loose", storage={"pvc": {"create": True, "size": "1Gi"}})
    cache["spec"]["source"]["ngc"]["model"] = {"profiles": ["abc"], "precision": "fp8"}
    for cr in (service, cache):
        cr["metadata"]["finalizers"] = [_finalizer(cr["kind"])]
    return [service, cache]


def _upstream_children(cr: dict[str, Any], namespace: str) -> list[dict[str, Any]]:
    """The children upstream made for `cr`: nimop's render of the same CR, reshaped as
    upstream's templates shape them (a NIMCache's Job is upstream's own, completed)."""
    rendered = RENDERERS[cr["kind"]](validated(copy.deepcopy(cr)), FACTS)
    children = [o for o in rendered.objects if o["kind"] in UPSTREAM_CHILD_KINDS]
    out = []
    for child in children:
        child["metadata"]["namespace"] = namespace
        if child["kind"] == "NIMService":  # the pipeline's: upstream's finalizer too
            child["metadata"]["finalizers"] = [_finalizer("NIMService")]
        out.append(_as_upstream_child(child, cr))
    if cr["kind"] == "NIMCache":
        job = _as_upstream_child(_upstream_job(cr), cr)
        pod = job["spec"]["template"]["spec"]
        # restricted, or the test namespace's Pod Security admission refuses the pod
        pod["securityContext"] = RESTRICTED_POD
        pod["containers"][0]["securityContext"] = RESTRICTED_CTR
        job["metadata"]["namespace"] = namespace
        out.append(job)
    return out


RESTRICTED_POD = {"runAsNonRoot": True, "runAsUser": 1000,
                  "seccompProfile": {"type": "RuntimeDefault"}}  # fmt: skip
RESTRICTED_CTR = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}


def _upstream_job(cache: dict[str, Any]) -> dict[str, Any]:
    """Upstream's caching Job, already run: kwok completes its pod."""
    name = cache["metadata"]["name"]
    return {"apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": f"{name}-job",
                         "labels": {"app.kubernetes.io/managed-by": UPSTREAM}},
            "spec": {"backoffLimit": 0, "template": {
                "metadata": {"labels": {"app": f"{name}-job"}},
                "spec": {"restartPolicy": "Never", "containers": [{
                    "name": "nim-cache", "image": cache["spec"]["source"]["ngc"]["modelPuller"],
                    "command": ["download-to-cache"]}]}}}}  # fmt: skip


def _rolled(cluster: Cluster, namespace: str) -> list[str]:
    """Deployments past their first revision: those whose pod template changed."""
    deployments = json.loads(
        cluster.kubectl("get", "deployments", "-n", namespace, "-o", "json").stdout
    )["items"]
    return sorted(d["metadata"]["name"] for d in deployments
                  if d["metadata"].get("annotations", {}).get(
                      "deployment.kubernetes.io/revision") not in (None, "1"))  # fmt: skip


def test_takeover_of_upstreams_objects(
    cluster: Cluster, namespace: str, paused_session: None
) -> None:
    _install_as_helm(cluster)
    pvc = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "models"},
           "spec": {"accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": "1Gi"}}}}  # fmt: skip
    _create(cluster, namespace, pvc)
    _create(cluster, namespace, {"apiVersion": "v1", "kind": "Secret",
                                 "metadata": {"name": "pg-creds"},
                                 "stringData": {"password": "pw"}})  # fmt: skip
    crs = _crs(namespace)
    adopted_deployments: list[str] = []
    for cr in crs:
        stored = _create(cluster, namespace, cr)
        for child in _upstream_children(stored, namespace):
            _create(cluster, namespace, child)
            if child["kind"] == "Deployment":
                adopted_deployments.append(child["metadata"]["name"])
    loose = [_create(cluster, namespace, cr) for cr in _loose_crs()]
    owner = _create(cluster, namespace, {"apiVersion": "v1", "kind": "ConfigMap",
                                         "metadata": {"name": "someone-else"}})  # fmt: skip
    foreign = _create(cluster, namespace, _as_upstream_child(
        {"apiVersion": "v1", "kind": "ConfigMap",
         "metadata": {"name": "llm-extra", "labels": {"app.kubernetes.io/managed-by": UPSTREAM}},
         "data": {"k": "v"}}, owner))  # fmt: skip
    eventually(lambda: (get(cluster, "job", "cache-job", namespace) or {}).get("status", {})
               .get("succeeded"), timeout=60, what="upstream's caching Job completed")  # fmt: skip
    cluster.apply([_webhook(namespace)])
    before = _uids(cluster, namespace)
    assert sorted(adopted_deployments) == ["es", "llm", "llm-route", "llm-scaled"]
    assert {k.split("/")[0] for k in before} >= {
        "HorizontalPodAutoscaler", "Ingress", "HTTPRoute", "LeaderWorkerSet", "Job",
        "PersistentVolumeClaim", "NIMPipeline", "NemoEntitystore", "NIMCache"}  # fmt: skip

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
        for cr in [*crs, {"kind": "NIMService", "metadata": {"name": "pipe-llm"}}, loose[0]]:
            wait_state(cluster, cr["kind"].lower(), cr["metadata"]["name"], namespace, "Ready",
                       timeout=180)  # fmt: skip
        after = _uids(cluster, namespace)
        lost = {k: v for k, v in before.items() if after.get(k) != v}
        assert not lost, f"objects lost or re-created: {lost}"
        live_foreign = get(cluster, "configmap", "llm-extra", namespace)
        assert live_foreign is not None
        assert (
            live_foreign["metadata"]["resourceVersion"] == foreign["metadata"]["resourceVersion"]
        ), "nimop touched an object another owner controls"
        # Each adopted Deployment rolls once (nimop's labels and security context); the ones
        # nimop created (llm-loose, pipe-llm) are at their first revision.
        assert _rolled(cluster, namespace) == sorted(adopted_deployments)
        for name in adopted_deployments:
            dep = get(cluster, "deployment", name, namespace) or {}
            assert dep["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "nimop", name

        def released() -> bool:
            objs = [get(cluster, cr["kind"].lower(), cr["metadata"]["name"], namespace) or {}
                    for cr in [*crs, *loose]]  # fmt: skip
            pipe_llm = get(cluster, "nimservice", "pipe-llm", namespace) or {}
            return all(not (o["metadata"].get("finalizers") or []) for o in [*objs, pipe_llm])

        eventually(released, timeout=60, what="upstream finalizers released")
        writes = _write_counts(proc.metrics())
        assert any(code.startswith("2") for _, code in writes), "no write was counted at all"
        refused_writes = {k: n for k, n in writes.items() if k[1] not in ("404", "409") and
                          not k[1].startswith("2")}  # fmt: skip
        assert not refused_writes, refused_writes

        # -- ratcheting: an update that leaves the offending part alone is accepted ---------
        for kind, name in (("nimservice", "llm-loose"), ("nimcache", "cache-loose")):
            cluster.kubectl("label", kind, name, "-n", namespace, "team=ml")
        cluster.kubectl("patch", "nimservice", "llm-loose", "-n", namespace, "--type=merge",
                        "-p", json.dumps({"spec": {"labels": {"team": "ml"}}}))  # fmt: skip
        touched = cluster.kubectl(
            "patch", "nimservice", "llm-loose", "-n", namespace, "--type=merge",
            "-p", json.dumps({"spec": {"scale": {"hpa": {"maxReplicas": 1}}}}), check=False,
        )  # fmt: skip
        assert touched.returncode != 0
        assert "minReplicas must not exceed scale.hpa.maxReplicas" in touched.stderr
        for kind, name, field in (("nimservice", "llm-loose", "spec.scale.hpa"),
                                  ("nimcache", "cache-loose", "spec.source.ngc.model")):
            status = eventually(partial(_stricter_status, cluster, kind, name, namespace),
                                timeout=60, what=f"{kind} {name}: a status that says what to fix")
            assert status["message"].startswith(field), status["message"]
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


def _stricter_status(cluster: Cluster, kind: str, name: str, namespace: str
                     ) -> dict[str, Any] | None:  # fmt: skip
    return _stricter_condition(get(cluster, kind, name, namespace))


def _stricter_condition(obj: dict[str, Any] | None) -> dict[str, Any] | None:
    for cond in ((obj or {}).get("status") or {}).get("conditions") or ():
        if cond.get("type") == "SpecValid" and cond.get("status") == "False":
            return dict(cond)
    return None
