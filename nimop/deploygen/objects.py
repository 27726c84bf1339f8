"""The operator's own Kubernetes objects, described once and shared by all three outputs.

`Install` holds everything that differs between a kustomize base, an OLM bundle and a Helm
chart: names, namespace, labels, image, replicas, resources, env and the pod's scheduling
fields. The builders below turn one `Install` into manifests. Kustomize and OLM pass concrete
values (`Install()`); the Helm generator passes placeholders for template expressions
(`nimop.deploygen.template`) in the same places, so the chart cannot drift from the other two.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from nimop import __version__
from nimop.permissions import LEADER_LEASE, Permission, rules
from nimop.watch.settings import WatchSettings

Manifest = dict[str, Any]

NAME = "nimop"
NAMESPACE = "nimop-system"
IMAGE_REPOSITORY = "ghcr.io/nimop/nimop"
IMAGE_TAG = f"v{__version__}"
IMAGE = f"{IMAGE_REPOSITORY}:{IMAGE_TAG}"
PULL_POLICY = "IfNotPresent"
METRICS_PORT = 8080
HEALTH_PORT = 8081
REPLICAS = 2
UID = 65532
RBAC = "rbac.authorization.k8s.io/v1"
RESOURCES = {"requests": {"cpu": "100m", "memory": "128Mi"},
             "limits": {"cpu": "1", "memory": "512Mi"}}

#: Selector labels (immutable on a Deployment, so kept minimal).
SELECTOR = {"app.kubernetes.io/name": NAME, "app.kubernetes.io/component": "controller"}
LABELS = {**SELECTOR, "app.kubernetes.io/part-of": NAME, "app.kubernetes.io/version": __version__,
          "app.kubernetes.io/managed-by": "kustomize"}

NAMESPACE_ENV = "NIMOP_LEASE_NAMESPACE"
WATCH_ENV = "NIMOP_NAMESPACES"
#: KServe's namespace, read as upstream reads it (nimop.controllers.kserve_config); empty: found
#: from KServe's controller Deployment. Spelled here too: deploygen imports no controllers.
KSERVE_ENV = "KSERVE_NAMESPACE"
LOG_LEVEL = "info"
LOG_FORMAT = "json"


def flag(setting: str, value: Any) -> str:
    """`--name=value` with the name `nimop run` gives the setting (controller-runtime's)."""
    return f"{WatchSettings.flags(setting)[0]}={value}"


def settings_args(*, leader_election: Any = "true", metrics_port: Any = METRICS_PORT,
                  metrics_secure: Any = "false", health_port: Any = HEALTH_PORT,
                  log_level: Any = LOG_LEVEL, log_format: Any = LOG_FORMAT) -> list[str]:
    """The `nimop run` flags the Deployment passes (the image's entrypoint is `nimop run`), so
    the args of an upstream-style chart or CSV carry over."""
    return [
        flag("leader_election", leader_election),
        flag("lease_name", LEADER_LEASE),
        flag("metrics_bind_address", f"0.0.0.0:{metrics_port}"),
        flag("metrics_secure", metrics_secure),
        flag("health_bind_address", f"0.0.0.0:{health_port}"),
        flag("log_format", log_format),
        flag("log_level", log_level),
    ]


def downward_env() -> list[dict[str, Any]]:
    """Settings only the pod knows: the Lease goes in the operator's own namespace."""
    return [{"name": NAMESPACE_ENV,
             "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}}]


@dataclass(frozen=True)
class Install:
    """One description of the operator's install. Every field is a plain value, or (Helm) a
    placeholder string standing for a template expression; `pod_extra` carries the keys
    only the chart sets (scheduling, pull secrets)."""

    name: Any = NAME
    namespace: Any = NAMESPACE
    labels: Any = field(default_factory=lambda: dict(LABELS))
    selector: Any = field(default_factory=lambda: dict(SELECTOR))
    pod_labels: Any = field(default_factory=lambda: dict(LABELS))
    pod_annotations: Any = None
    image: Any = IMAGE
    pull_policy: Any = PULL_POLICY
    replicas: Any = REPLICAS
    resources: Any = field(default_factory=lambda: dict(RESOURCES))
    args: list[Any] = field(default_factory=settings_args)
    env: list[Any] = field(default_factory=downward_env)
    #: The NIMOP_NAMESPACES source: `{"value": ...}` or `{"valueFrom": ...}`.
    watch: Any = field(default_factory=lambda: {"value": ""})
    #: The KSERVE_NAMESPACE value (empty: KServe's namespace is looked up).
    kserve_namespace: Any = ""
    metrics_port: Any = METRICS_PORT
    health_port: Any = HEALTH_PORT
    pod_extra: dict[str, Any] = field(default_factory=dict)

    def with_(self, **changes: Any) -> Install:
        return replace(self, **changes)


DEFAULT = Install()


def meta(name: Any, namespace: Any = None, *, install: Install = DEFAULT,
         **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name}
    if namespace:
        out["namespace"] = namespace
    out["labels"] = install.labels
    out.update(extra)
    return out


def namespace(install: Install = DEFAULT) -> Manifest:
    """`restricted` Pod Security enforced: the operator's own pods must pass it."""
    labels = {**LABELS, "pod-security.kubernetes.io/enforce": "restricted",
              "pod-security.kubernetes.io/enforce-version": "latest"}
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": install.namespace, "labels": labels}}


def service_account(install: Install = DEFAULT) -> Manifest:
    return {"apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": meta(install.name, install.namespace, install=install)}


def role(kind: str, name: Any, perms: Iterable[Permission], namespace: Any = None,
         install: Install = DEFAULT) -> Manifest:
    return {"apiVersion": RBAC, "kind": kind,
            "metadata": meta(name, namespace, install=install), "rules": rules(perms)}


def binding(kind: str, name: Any, role_kind: str, role_name: Any, namespace: Any = None,
            install: Install = DEFAULT) -> Manifest:
    return {
        "apiVersion": RBAC, "kind": kind, "metadata": meta(name, namespace, install=install),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role_name},
        "subjects": [{"kind": "ServiceAccount", "name": install.name,
                      "namespace": install.namespace}],
    }


def _probe(path: str, delay: int, period: int) -> dict[str, Any]:
    return {"httpGet": {"path": path, "port": "health"}, "initialDelaySeconds": delay,
            "periodSeconds": period, "timeoutSeconds": 2, "failureThreshold": 3}


def container(install: Install = DEFAULT) -> dict[str, Any]:
    """The manager container: restricted security context, read-only root with /tmp writable."""
    return {
        "name": "manager",
        "image": install.image,
        "imagePullPolicy": install.pull_policy,
        "args": install.args,
        "env": [*install.env, {"name": WATCH_ENV, **install.watch},
                {"name": KSERVE_ENV, "value": install.kserve_namespace}],
        "ports": [{"name": "metrics", "containerPort": install.metrics_port, "protocol": "TCP"},
                  {"name": "health", "containerPort": install.health_port, "protocol": "TCP"}],
        "livenessProbe": _probe("/healthz", 15, 20),
        "readinessProbe": _probe("/readyz", 5, 10),
        "resources": install.resources,
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


def pod_spec(install: Install = DEFAULT) -> dict[str, Any]:
    return {
        "serviceAccountName": install.name,
        "automountServiceAccountToken": True,
        **install.pod_extra,
        "securityContext": {"runAsNonRoot": True, "runAsUser": UID, "runAsGroup": UID,
                            "fsGroup": UID, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [container(install)],
        "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}],
        "terminationGracePeriodSeconds": 30,
        # Two replicas on two nodes, so losing a node never loses both the leader and the standby.
        "topologySpreadConstraints": [{
            "maxSkew": 1, "topologyKey": "kubernetes.io/hostname",
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": {"matchLabels": install.selector},
        }],
    }


def deployment_spec(install: Install = DEFAULT) -> dict[str, Any]:
    template_meta: dict[str, Any] = {"labels": install.pod_labels}
    if install.pod_annotations is not None:
        template_meta["annotations"] = install.pod_annotations
    return {
        "replicas": install.replicas,
        "selector": {"matchLabels": install.selector},
        "strategy": {"type": "RollingUpdate",
                     "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 1}},
        "template": {"metadata": template_meta, "spec": pod_spec(install)},
    }


def deployment(install: Install = DEFAULT) -> Manifest:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": meta(install.name, install.namespace, install=install),
            "spec": deployment_spec(install)}


def metrics_service(install: Install = DEFAULT) -> Manifest:
    return {
        "apiVersion": "v1", "kind": "Service",
        "metadata": meta(f"{install.name}-metrics", install.namespace, install=install),
        "spec": {"type": "ClusterIP", "selector": install.selector,
                 "ports": [{"name": "metrics", "port": install.metrics_port,
                            "targetPort": "metrics", "protocol": "TCP"}]},
    }


def service_monitor(install: Install = DEFAULT) -> Manifest:
    """No `namespaceSelector`: the Prometheus Operator then looks for the Service in the
    ServiceMonitor's own namespace, so moving both (kustomize `namespace:`, a Helm release
    namespace) keeps it right."""
    return {
        "apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor",
        "metadata": meta(install.name, install.namespace, install=install),
        "spec": {"selector": {"matchLabels": install.selector},
                 "endpoints": [{"port": "metrics", "path": "/metrics", "interval": "30s"}]},
    }
