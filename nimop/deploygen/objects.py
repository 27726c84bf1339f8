"""The operator's own Kubernetes objects, built once and shared by kustomize and OLM output.

Every value a user may want to change (image, namespace, resources) is a module constant here
or a kustomize patch away; nothing is templated.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nimop import __version__
from nimop.permissions import LEADER_LEASE, Permission, rules

Manifest = dict[str, Any]

NAME = "nimop"
NAMESPACE = "nimop-system"
IMAGE = f"ghcr.io/nimop/nimop:v{__version__}"
METRICS_PORT = 8080
HEALTH_PORT = 8081
REPLICAS = 2
UID = 65532
RBAC = "rbac.authorization.k8s.io/v1"

#: Selector labels (immutable on a Deployment, so kept minimal).
SELECTOR = {"app.kubernetes.io/name": NAME, "app.kubernetes.io/component": "controller"}
LABELS = {**SELECTOR, "app.kubernetes.io/part-of": NAME, "app.kubernetes.io/version": __version__,
          "app.kubernetes.io/managed-by": "kustomize"}

#: Settings the Deployment sets (nimop.watch settings, `NIMOP_` prefix). The operator namespace
#: comes from the downward API so leader election works wherever it is installed.
SETTINGS_ENV: tuple[tuple[str, str], ...] = (
    ("NIMOP_LEADER_ELECTION", "true"),
    ("NIMOP_LEASE_NAME", LEADER_LEASE),
    ("NIMOP_METRICS_BIND_ADDRESS", f"0.0.0.0:{METRICS_PORT}"),
    ("NIMOP_HEALTH_BIND_ADDRESS", f"0.0.0.0:{HEALTH_PORT}"),
    ("NIMOP_LOG_FORMAT", "json"),
)
NAMESPACE_ENV = "NIMOP_LEASE_NAMESPACE"
WATCH_ENV = "NIMOP_NAMESPACES"


def meta(name: str, namespace: str | None = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name}
    if namespace:
        out["namespace"] = namespace
    out["labels"] = dict(LABELS)
    out.update(extra)
    return out


def namespace() -> Manifest:
    """`restricted` Pod Security enforced: the operator's own pods must pass it."""
    labels = {**LABELS, "pod-security.kubernetes.io/enforce": "restricted",
              "pod-security.kubernetes.io/enforce-version": "latest"}
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": NAMESPACE, "labels": labels}}


def service_account() -> Manifest:
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta(NAME, NAMESPACE)}


def role(kind: str, name: str, perms: Iterable[Permission],
         namespace: str | None = None) -> Manifest:
    return {"apiVersion": RBAC, "kind": kind, "metadata": meta(name, namespace),
            "rules": rules(perms)}


def binding(kind: str, name: str, role_kind: str, role_name: str,
            namespace: str | None = None) -> Manifest:
    return {
        "apiVersion": RBAC, "kind": kind, "metadata": meta(name, namespace),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role_name},
        "subjects": [{"kind": "ServiceAccount", "name": NAME, "namespace": NAMESPACE}],
    }


def _env(watch: dict[str, Any]) -> list[dict[str, Any]]:
    env: list[dict[str, Any]] = [{"name": k, "value": v} for k, v in SETTINGS_ENV]
    env.append({"name": NAMESPACE_ENV,
                "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}})
    env.append({"name": WATCH_ENV, **watch})
    return env


def _probe(path: str, delay: int, period: int) -> dict[str, Any]:
    return {"httpGet": {"path": path, "port": "health"}, "initialDelaySeconds": delay,
            "periodSeconds": period, "timeoutSeconds": 2, "failureThreshold": 3}


def container(watch: dict[str, Any]) -> dict[str, Any]:
    """The manager container: restricted security context, read-only root with /tmp writable."""
    return {
        "name": "manager",
        "image": IMAGE,
        "imagePullPolicy": "IfNotPresent",
        "env": _env(watch),
        "ports": [{"name": "metrics", "containerPort": METRICS_PORT, "protocol": "TCP"},
                  {"name": "health", "containerPort": HEALTH_PORT, "protocol": "TCP"}],
        "livenessProbe": _probe("/healthz", 15, 20),
        "readinessProbe": _probe("/readyz", 5, 10),
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"},
                      "limits": {"cpu": "1", "memory": "512Mi"}},
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "runAsUser": UID,
            "runAsGroup": UID,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }


def pod_spec(watch: dict[str, Any]) -> dict[str, Any]:
    return {
        "serviceAccountName": NAME,
        "automountServiceAccountToken": True,
        "securityContext": {"runAsNonRoot": True, "runAsUser": UID, "runAsGroup": UID,
                            "fsGroup": UID, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [container(watch)],
        "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}],
        "terminationGracePeriodSeconds": 30,
        # Two replicas on two nodes, so losing a node never loses both the leader and the standby.
        "topologySpreadConstraints": [{
            "maxSkew": 1, "topologyKey": "kubernetes.io/hostname",
            "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": {"matchLabels": dict(SELECTOR)},
        }],
    }


def deployment_spec(watch: dict[str, Any]) -> dict[str, Any]:
    """`watch` is the NIMOP_NAMESPACES env source: `{"value": ...}` or `{"valueFrom": ...}`."""
    return {
        "replicas": REPLICAS,
        "selector": {"matchLabels": dict(SELECTOR)},
        "strategy": {"type": "RollingUpdate",
                     "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 1}},
        "template": {"metadata": {"labels": dict(LABELS)}, "spec": pod_spec(watch)},
    }


def deployment(watch: dict[str, Any]) -> Manifest:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta(NAME, NAMESPACE),
            "spec": deployment_spec(watch)}


def metrics_service() -> Manifest:
    return {
        "apiVersion": "v1", "kind": "Service", "metadata": meta(f"{NAME}-metrics", NAMESPACE),
        "spec": {"type": "ClusterIP", "selector": dict(SELECTOR),
                 "ports": [{"name": "metrics", "port": METRICS_PORT, "targetPort": "metrics",
                            "protocol": "TCP"}]},
    }


def service_monitor() -> Manifest:
    return {
        "apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor",
        "metadata": meta(NAME, NAMESPACE),
        "spec": {"selector": {"matchLabels": dict(SELECTOR)},
                 "namespaceSelector": {"matchNames": [NAMESPACE]},
                 "endpoints": [{"port": "metrics", "path": "/metrics", "interval": "30s"}]},
    }
