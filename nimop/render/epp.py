"""Gateway API Inference Extension for a NIMService (standalone or multi-node): the endpoint
picker (EPP) stack `<name>-epp` and the InferencePool `<name>` (§4.7; kubernetes-sigs/
gateway-api-inference-extension `api/v1/inferencepool_types.go`).

The inline `eppConfig.config` is written as JSON (a YAML subset the EPP reads), since renderers
import only the standard library.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from nimop.api.expose import EPPConfig
from nimop.render.facts import ClusterFacts
from nimop.render.names import child_name, label_value, service_name
from nimop.render.objects import manifest, merge_maps, metadata
from nimop.render.owners import ServiceOwner
from nimop.render.pod import CONTAINER_SECURITY, pull_secrets
from nimop.render.result import Collector
from nimop.render.wire import image_ref, wire, wires
from nimop.render.workload import Ports

POOL_API = "inference.networking.k8s.io/v1"
RBAC = "rbac.authorization.k8s.io/v1"
CONFIG_FILE = "default-plugins.yaml"
DEFAULT_PORTS = [("grpc-ext-proc", 9002), ("grpc-health", 9003), ("http-metrics", 9090)]


def render_epp(owner: ServiceOwner, labels: Mapping[str, str], ports: Ports, facts: ClusterFacts,
               out: Collector, *, pods: Mapping[str, str] | None = None) -> None:
    """The endpoint picker and its InferencePool, which selects `pods` (default: the
    standalone pods, `app: <name>`; a multi-node group passes its leaders)."""
    router = owner.spec.expose.router if owner.spec.expose else None
    epp = router.epp_config if router else None
    if epp is None:
        return
    if not facts.inference_pool:
        out.problem("InferencePoolAPIMissing", "spec.expose.router.eppConfig needs the "
                    "InferencePool API (inference.networking.k8s.io/v1)", failed=True)
        return
    if epp.config is None and not (epp.config_map_ref and epp.config_map_ref.name):
        out.problem("InvalidEPPConfig", "spec.expose.router.eppConfig: set config or "
                    "configMapRef (upstream renders a nameless volume, §9 bug 17b)", failed=True)
        return
    name = child_name(owner.name, "-epp")
    lbl = merge_maps(labels, {"app": label_value(name)})
    out.add(*rbac(owner, name, lbl))
    if epp.config is not None:
        out.add(manifest("v1", "ConfigMap", metadata(owner, child_name(owner.name, "-epp-config"),
                                                     lbl),
                         data={CONFIG_FILE: json.dumps(wire(epp.config), indent=2) + "\n"}))
    svc_ports = [{"name": p.get("name"), "port": p["containerPort"],
                  "targetPort": p["containerPort"], "protocol": p.get("protocol", "TCP")}
                 for p in container_ports(epp) if p.get("name") != "grpc-health"]
    out.add(manifest("v1", "Service", metadata(owner, service_name(owner.name, "-epp"), lbl),
                     spec={"type": "ClusterIP", "selector": {"app": label_value(name)},
                           "ports": [{k: v for k, v in p.items() if v is not None}
                                     for p in svc_ports]}))
    out.add(deployment(owner, name, lbl, epp))
    out.add(inference_pool(owner, labels, ports, name, pods))


def rbac(owner: ServiceOwner, name: str, labels: Mapping[str, str]) -> list[dict[str, Any]]:
    rules = [{"apiGroups": ["inference.networking.k8s.io", "inference.networking.x-k8s.io"],
              "resources": ["inferencepools", "inferenceobjectives"],
              "verbs": ["get", "watch", "list"]},
             {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "watch", "list"]}]
    return [
        manifest("v1", "ServiceAccount", metadata(owner, name, labels)),
        manifest(RBAC, "Role", metadata(owner, name, labels), rules=rules),
        manifest(RBAC, "RoleBinding", metadata(owner, name, labels),
                 roleRef={"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
                 subjects=[{"kind": "ServiceAccount", "name": name,
                            "namespace": owner.namespace}]),
    ]


def container_ports(epp: EPPConfig) -> list[dict[str, Any]]:
    if epp.ports:
        return wires(epp.ports)
    return [{"name": n, "containerPort": p, "protocol": "TCP"} for n, p in DEFAULT_PORTS]


def default_args(owner: ServiceOwner, config_file: str) -> list[str]:
    return ["--pool-name", owner.name, "--pool-namespace", owner.namespace,
            "--pool-group", "inference.networking.k8s.io", "--zap-encoder", "json",
            "--config-file", f"/config/{config_file}", "--v", "6",
            "--model-server-metrics-path", "/v1/metrics"]


#: The endpoint picker runs as the distroless `nonroot` user of its image (65532), so its pod
#: passes Pod Security `restricted`.
EPP_POD_SECURITY: dict[str, Any] = {
    "runAsNonRoot": True, "runAsUser": 65532, "runAsGroup": 65532,
    "seccompProfile": {"type": "RuntimeDefault"},
}


def deployment(owner: ServiceOwner, name: str, labels: Mapping[str, str],
               epp: EPPConfig) -> dict[str, Any]:
    """`<name>-epp`: image from containerSpec (tag default `latest`), pull secrets and policy of
    the NIMService image, gRPC health probes on 9003 by default (§4.7)."""
    spec = epp.container_spec
    ref = epp.config_map_ref
    config_file = (ref.key if ref else None) or CONFIG_FILE
    grpc_probe = {"grpc": {"port": 9003, "service": "inference-extension"},
                  "initialDelaySeconds": 5, "periodSeconds": 10}
    ctr: dict[str, Any] = {
        "name": "epp", "image": image_ref(spec.image),
        "imagePullPolicy": owner.spec.image.pull_policy,
        "command": spec.command,
        "args": spec.args or default_args(owner, config_file),
        "env": None if spec.env is None else wires(spec.env), "ports": container_ports(epp),
        "readinessProbe": wire(epp.readiness_probe) or grpc_probe,
        "livenessProbe": wire(epp.liveness_probe) or grpc_probe,
        "startupProbe": None if epp.startup_probe is None else wire(epp.startup_probe),
        "volumeMounts": [{"name": "epp-config", "mountPath": "/config", "readOnly": True}],
        "securityContext": dict(CONTAINER_SECURITY),
    }
    cm = (ref.name if ref else None) or child_name(owner.name, "-epp-config")
    pod = {"serviceAccountName": name, "securityContext": EPP_POD_SECURITY,
           "imagePullSecrets": pull_secrets(owner.spec.image.pull_secrets),
           "containers": [{k: v for k, v in ctr.items() if v is not None}],
           "volumes": [{"name": "epp-config", "configMap": {"name": cm}}]}
    select = {"app": label_value(name)}
    return manifest("apps/v1", "Deployment", metadata(owner, name, labels), spec={
        "replicas": 1, "selector": {"matchLabels": select},
        "template": {"metadata": {"labels": dict(labels)},
                     "spec": {k: v for k, v in pod.items() if v is not None}}})


def inference_pool(owner: ServiceOwner, labels: Mapping[str, str], ports: Ports,
                   epp_name: str, pods: Mapping[str, str] | None = None) -> dict[str, Any]:
    select = dict(pods) if pods else {"app": label_value(owner.name)}
    return manifest(POOL_API, "InferencePool", metadata(owner, child_name(owner.name), labels),
                    spec={"selector": {"matchLabels": select},
                          "targetPorts": [{"number": ports.api}],
                          "endpointPickerRef": {"name": service_name(owner.name, "-epp"),
                                                "port": {"number": 9002}}})
