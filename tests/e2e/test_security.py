"""Security properties of the running operator.

- No Secret value or token ever reaches the operator's log or an Event: a canary value sits in
  every Secret the CRs reference (and in one the operator caches), the operator runs at debug
  level through create/update/failure/delete flows, and the log and every Event are searched.
  The SSH private key the operator itself generates for multi-node services is searched too.
- Cross-namespace references are refused: a NIMService cannot mount another namespace's
  NIMCache (the API has no namespace field; a `ns/name` spelling or a same-named cache elsewhere
  finds nothing) and nothing is rendered against the other namespace's PVC.
- Pod Security `restricted`: what nimop creates in a namespace enforcing it is admitted — the
  NIMService, NIMCache and multi-node pods, the endpoint picker's Deployment (its pod runs), and
  the pod nimop asks Knative to run for a Serverless InferenceService (Knative is not run
  locally: that pod, built from the predictor as Knative's revision would, is created with a
  server-side dry run, so the real PodSecurity admission judges exactly nimop's fields).
"""

from __future__ import annotations

import base64
import functools
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from tests.cluster import Cluster
from tests.operator_process import OperatorProcess
from tests.support import condition, eventually, get, items

CANARY = f"nimop-canary-{uuid.uuid4().hex}"
TOKEN = f"nvapi-{uuid.uuid4().hex}{uuid.uuid4().hex}"
IMAGE = {"repository": "nvcr.io/nim/meta/llama-3.2-1b-instruct", "tag": "1.12.0"}


def state(cluster: Cluster, kind: str, name: str, namespace: str) -> str:
    return str(((get(cluster, kind, name, namespace) or {}).get("status") or {}).get("state") or "")


def is_ready(cluster: Cluster, kind: str, name: str, namespace: str) -> bool:
    return state(cluster, kind, name, namespace) == "Ready"


def with_status(cluster: Cluster, name: str, namespace: str) -> dict[str, Any] | None:
    obj = get(cluster, "nimservice", name, namespace)
    return obj if obj and (obj.get("status") or {}).get("state") else None


def apply(cluster: Cluster, namespace: str, *docs: dict[str, Any]) -> None:
    cluster.kubectl(
        "apply", "--server-side", "-n", namespace, "-f", "-", input=yaml.safe_dump_all(list(docs))
    )


@pytest.fixture
def own_operator(
    cluster: Cluster, namespace: str, request: pytest.FixtureRequest
) -> Iterator[OperatorProcess]:
    """A debug-level operator watching only this test's namespace; the shared one paused."""
    shared: OperatorProcess = request.getfixturevalue("operator")
    shared.stop()
    op = OperatorProcess(
        cluster,
        agent="nimop-security",
        env={"NIMOP_NAMESPACES": namespace, "NIMOP_LOG_LEVEL": "debug"},
    ).start()
    try:
        yield op
    finally:
        op.stop()
        shared.start()


def canary_secrets() -> list[dict[str, Any]]:
    docker = json.dumps(
        {
            "auths": {
                "nvcr.io": {
                    "username": "$oauthtoken",
                    "password": TOKEN,
                    "auth": base64.b64encode(TOKEN.encode()).decode(),
                }
            }
        }
    )
    return [
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "ngc-api-secret"},
            "stringData": {"NGC_API_KEY": CANARY, "HF_TOKEN": TOKEN},
        },
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "ngc-secret"},
            "type": "kubernetes.io/dockerconfigjson",
            "stringData": {".dockerconfigjson": docker},
        },
        # One the operator's Secret informer caches (its label selector matches).
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {
                "name": "cached-canary",
                "labels": {"app.kubernetes.io/managed-by": "nimop"},
            },
            "stringData": {"token": TOKEN, "value": CANARY},
        },
    ]


def nimservice(name: str, **spec: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "image": {**IMAGE, "pullSecrets": ["ngc-secret"]},
        "authSecret": "ngc-api-secret",
        "storage": {"emptyDir": {"sizeLimit": "1Gi"}},
        "expose": {"service": {"type": "ClusterIP", "port": 8000}},
        "env": [
            {
                "name": "FROM_SECRET",
                "valueFrom": {"secretKeyRef": {"name": "ngc-api-secret", "key": "NGC_API_KEY"}},
            }
        ],
    }
    return {
        "apiVersion": "apps.nvidia.com/v1alpha1",
        "kind": "NIMService",
        "metadata": {"name": name},
        "spec": {**base, **spec},
    }


def nimcache(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "apps.nvidia.com/v1alpha1",
        "kind": "NIMCache",
        "metadata": {"name": name},
        "spec": {
            "source": {
                "ngc": {
                    "modelPuller": f"{IMAGE['repository']}:{IMAGE['tag']}",
                    "pullSecret": "ngc-secret",
                    "authSecret": "ngc-api-secret",
                    "model": {
                        "profiles": [
                            "8835c31752fbc67ef658b20a9f78e056914fdef0660206d82f252d62fd96064d"
                        ]
                    },
                }
            },
            "storage": {
                "pvc": {"create": True, "size": "1Gi", "volumeAccessMode": "ReadWriteOnce"}
            },
        },
    }


def _all_events(cluster: Cluster) -> str:
    core = cluster.kubectl("get", "events", "-A", "-o", "json").stdout
    new = cluster.kubectl("get", "events.events.k8s.io", "-A", "-o", "json").stdout
    return core + new


@pytest.mark.hostile
def test_no_secret_value_in_logs_or_events(
    cluster: Cluster, namespace: str, own_operator: OperatorProcess
) -> None:
    apply(cluster, namespace, *canary_secrets())
    multi = nimservice(
        "multi",
        replicas=1,
        resources={"limits": {"nvidia.com/gpu": 1}},
        multiNode={"backendType": "lws", "parallelism": {"pipeline": 2, "tensor": 1}},
    )
    apply(
        cluster,
        namespace,
        nimcache("cache"),
        nimservice("plain"),
        multi,
        nimservice("cached", storage={"nimCache": {"name": "cache"}}),
    )
    for kind, name in (
        ("nimcache", "cache"),
        ("nimservice", "plain"),
        ("nimservice", "cached"),
        ("nimservice", "multi"),
    ):
        eventually(
            functools.partial(is_ready, cluster, kind, name, namespace),
            timeout=180,
            what=f"{kind} {name} Ready",
        )
    # Failure flows: a child the apiserver refuses, a missing cache, an update, a deletion.
    apply(
        cluster,
        namespace,
        nimservice(
            "plain",
            env=[
                {
                    "name": "FROM_SECRET",
                    "valueFrom": {"secretKeyRef": {"name": "ngc-api-secret", "key": "NGC_API_KEY"}},
                },
                {"name": "BAD=NAME", "value": "x"},
            ],
        ),
    )
    apply(cluster, namespace, nimservice("orphan", storage={"nimCache": {"name": "missing"}}))
    eventually(
        lambda: state(cluster, "nimservice", "orphan", namespace) == "NotReady",
        timeout=60,
        what="orphan NotReady",
    )
    cluster.kubectl("delete", "nimservice", "cached", "-n", namespace)
    generated = [
        base64.b64decode(v).decode()
        for s in items(cluster, "secrets", namespace, "app.kubernetes.io/managed-by=nimop")
        if s["metadata"]["name"] != "cached-canary"
        for v in (s.get("data") or {}).values()
    ]
    assert generated, "the multi-node service should have an operator-generated SSH key"

    def refused_seen() -> bool:
        # The refused child shows in the status (or, until that is reported, in the log).
        ready = condition(get(cluster, "nimservice", "plain", namespace), "Ready") or {}
        log = own_operator.log_path.read_text(errors="replace")
        refused = [ln for ln in log.splitlines() if "BAD=NAME" in ln and "invalid" in ln]
        return "BAD=NAME" in str(ready.get("message")) or bool(refused)

    eventually(refused_seen, timeout=60, what="the refused Deployment update processed")
    log = own_operator.log_path.read_text(errors="replace")
    events = _all_events(cluster)
    assert namespace in events, "no events at all for the test namespace"
    secrets = [
        CANARY,
        TOKEN,
        base64.b64encode(TOKEN.encode()).decode(),
        base64.b64encode(CANARY.encode()).decode(),
    ]
    # The private key's body lines (PEM: 70-char lines) — any one of them is a leak.
    key_lines = [ln for g in generated for ln in g.splitlines() if len(ln) >= 40]
    for value in secrets + key_lines:
        assert value not in log, f"secret value in the operator log: {value[:12]}…"
        assert value not in events, f"secret value in an Event: {value[:12]}…"


def test_nimservice_cannot_mount_another_namespaces_cache(
    cluster: Cluster, namespace: str, operator: OperatorProcess
) -> None:
    other = f"{namespace[:50]}-other"
    cluster.kubectl("create", "namespace", other)
    try:
        apply(cluster, other, nimcache("shared"))
        eventually(
            lambda: state(cluster, "nimcache", "shared", other) == "Ready",
            timeout=180,
            what="the other namespace's cache Ready",
        )
        pvc = (get(cluster, "nimcache", "shared", other) or {})["status"]["pvc"]
        apply(
            cluster,
            namespace,
            nimservice("same-name", storage={"nimCache": {"name": "shared"}}),
            nimservice("qualified", storage={"nimCache": {"name": f"{other}/shared"}}),
        )
        for name in ("same-name", "qualified"):
            obj = eventually(
                functools.partial(with_status, cluster, name, namespace),
                timeout=60,
                what=f"{name} has a status",
            )
            ready = condition(obj, "Ready") or {}
            assert obj["status"]["state"] == "NotReady", obj["status"]
            assert ready.get("reason") == "NIMCacheNotFound", ready
            assert namespace in ready.get("message", ""), ready
        # Nothing in this namespace points at the other namespace's volume.
        for deploy in items(cluster, "deployments", namespace):
            claims = [
                v.get("persistentVolumeClaim", {}).get("claimName")
                for v in deploy["spec"]["template"]["spec"].get("volumes") or []
            ]
            assert pvc not in claims, deploy["metadata"]["name"]
    finally:
        cluster.kubectl("delete", "namespace", other, "--wait=false", check=False)


def test_rendered_pods_pass_restricted_pod_security(
    cluster: Cluster, namespace: str, operator: OperatorProcess
) -> None:
    cluster.kubectl(
        "label",
        "namespace",
        namespace,
        "--overwrite",
        "pod-security.kubernetes.io/enforce=restricted",
        "pod-security.kubernetes.io/enforce-version=latest",
    )
    multi = nimservice(
        "multi",
        resources={"limits": {"nvidia.com/gpu": 1}},
        multiNode={"backendType": "lws", "parallelism": {"pipeline": 2, "tensor": 1}},
    )
    apply(
        cluster,
        namespace,
        nimcache("cache"),
        nimservice("cached", storage={"nimCache": {"name": "cache"}}),
        nimservice("plain"),
        multi,
    )
    for kind, name in (
        ("nimcache", "cache"),
        ("nimservice", "cached"),
        ("nimservice", "plain"),
        ("nimservice", "multi"),
    ):
        eventually(
            functools.partial(is_ready, cluster, kind, name, namespace),
            timeout=180,
            what=f"{kind} {name} Ready under restricted",
        )
    refused = [
        e.get("message", "")
        for e in json.loads(cluster.kubectl("get", "events", "-n", namespace, "-o", "json").stdout)[
            "items"
        ]
        if "PodSecurity" in e.get("message", "")
    ]
    assert not refused, refused[:3]


EPP = {
    "hostDomainName": "example.com",
    "gateway": {"namespace": "gateway-system", "name": "inference-gateway",
                "backendRef": {"group": "inference.networking.k8s.io", "kind": "InferencePool",
                               "name": "picked"}},
    "eppConfig": {
        "containerSpec": {"name": "epp", "image": {
            "repository": "registry.k8s.io/gateway-api-inference-extension/epp",
            "tag": "v1.3.0"}},
        "config": {"apiVersion": "inference.networking.x-k8s.io/v1alpha1",
                   "kind": "EndpointPickerConfig",
                   "plugins": [{"type": "queue-scorer"}, {"type": "max-score-picker"}],
                   "schedulingProfiles": [{"name": "default", "plugins": [
                       {"pluginRef": "queue-scorer", "weight": 1},
                       {"pluginRef": "max-score-picker"}]}]},
    },
}  # fmt: skip


def test_the_endpoint_picker_runs_under_restricted(
    cluster: Cluster, namespace: str, operator: OperatorProcess
) -> None:
    """The endpoint picker's Deployment (`<name>-epp`) gets a pod admitted by a namespace that
    enforces `restricted` (the ReplicaSet would otherwise report FailedCreate)."""
    apply(cluster, namespace, nimservice("picked", expose={"service": {"port": 8000},
                                                            "router": EPP}))  # fmt: skip

    def epp_ready() -> bool:
        status = (get(cluster, "deployment", "picked-epp", namespace) or {}).get("status") or {}
        return int(status.get("readyReplicas") or 0) >= 1

    try:
        eventually(epp_ready, timeout=120, what="the endpoint picker's pod Ready")
    except AssertionError:
        events = cluster.kubectl("get", "events", "-n", namespace, "-o", "json").stdout
        refused = [e["message"] for e in json.loads(events)["items"]
                   if "PodSecurity" in e.get("message", "")]  # fmt: skip
        raise AssertionError(f"endpoint picker not Ready; PodSecurity: {refused[:3]}") from None


def test_the_knative_predictor_pod_is_admitted_under_restricted(
    cluster: Cluster, namespace: str, operator: OperatorProcess
) -> None:
    """A Serverless InferenceService's predictor becomes a Knative revision's pod: that pod
    (containers and pod fields as nimop rendered them) is created with a server-side dry run
    in a `restricted` namespace, and admitted."""
    serverless = {"serving.kserve.io/deploymentMode": "Serverless"}
    apply(cluster, namespace, nimservice("knative", inferencePlatform="kserve",
                                         annotations=serverless))  # fmt: skip
    isvc = eventually(lambda: get(cluster, "inferenceservice", "knative", namespace),
                      timeout=90, what="the InferenceService")  # fmt: skip
    predictor = dict(isvc["spec"]["predictor"])
    pod_fields = {k: v for k, v in predictor.items()
                  if k in POD_SPEC_FIELDS and k not in KNATIVE_ONLY}  # fmt: skip
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "knative-revision"},
           "spec": pod_fields}  # fmt: skip
    result = cluster.kubectl("create", "--dry-run=server", "-n", namespace, "-f", "-",
                             input=json.dumps(pod), check=False)  # fmt: skip
    assert result.returncode == 0, f"refused: {result.stderr}\npod: {json.dumps(pod_fields)}"
    assert "PodSecurity" not in result.stderr, result.stderr


#: PodSpec fields a KServe predictor may carry (the rest — minReplicas, scaleTarget... — are
#: KServe's own).
POD_SPEC_FIELDS = frozenset({
    "containers", "initContainers", "volumes", "securityContext", "serviceAccountName",
    "imagePullSecrets", "nodeSelector", "tolerations", "affinity", "runtimeClassName",
    "schedulerName", "priorityClassName", "hostIPC", "hostPID", "hostNetwork",
    "automountServiceAccountToken", "dnsPolicy", "enableServiceLinks",
})  # fmt: skip
#: Not sent to the pod: the ServiceAccount needs to exist for a dry run, and is not a pod
#: security field.
KNATIVE_ONLY = frozenset({"serviceAccountName"})
