"""Pod-level pieces shared by every workload: probes, security, scheduling, proxy/CA, user
containers. Mirrors §4.1 (pod fields), §4.1.1 (probe defaults), §4.1.3 (volumes) and
§4.12 (proxies and custom CA certificates).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from nimop.api.common import DEFAULT_GROUP_ID, DEFAULT_USER_ID, NIMContainerSpec, Probe, ProxySpec
from nimop.api.nimservice import NIMServiceSpec
from nimop.api.workload import WorkloadSpec
from nimop.render.env import env_var, merge_env
from nimop.render.wire import image_ref, wire, wires

#: §4.1.1: (path, initialDelaySeconds, failureThreshold) per probe when the user gives none.
PROBE_DEFAULTS: dict[str, tuple[str, int, int]] = {
    "livenessProbe": ("/v1/health/live", 15, 3),
    "readinessProbe": ("/v1/health/ready", 15, 3),
    "startupProbe": ("/v1/health/ready", 30, 120),
}


CA_INIT_SCRIPT = (
    "set -e; mkdir -p /usr/local/share/ca-certificates; "
    "for f in /custom/*.crt /custom/*.pem; do [ -e \"$f\" ] && "
    "cp \"$f\" \"/usr/local/share/ca-certificates/$(basename \"${f%.*}\").crt\"; done; "
    "update-ca-certificates; cp -R /etc/ssl/. /ca-certs/"
)


def default_probe(kind: str, port: int | str = "api") -> dict[str, Any]:
    path, delay, failures = PROBE_DEFAULTS[kind]
    return {
        "httpGet": {"path": path, "port": port},
        "initialDelaySeconds": delay, "timeoutSeconds": 1, "periodSeconds": 10,
        "successThreshold": 1, "failureThreshold": failures,
    }


def probe_config(spec: NIMServiceSpec, kind: str) -> Probe | None:
    """`spec.livenessProbe` / `readinessProbe` / `startupProbe` by its camelCase name."""
    return {"livenessProbe": spec.liveness_probe, "readinessProbe": spec.readiness_probe,
            "startupProbe": spec.startup_probe}[kind]


def probe(cfg: Probe | None, kind: str, port: int | str = "api") -> dict[str, Any] | None:
    """The container probe for `kind`: None when `enabled: false`, the user's probe verbatim when
    given, else the upstream default (§4.1.1; `enabled` unset means enabled)."""
    if cfg is not None and cfg.enabled is False:
        return None
    user = wire(cfg.probe) if cfg is not None else {}
    return user if user else default_probe(kind, port)


def pod_security_context(user_id: int | None, group_id: int | None) -> dict[str, Any]:
    """runAsUser/runAsGroup/fsGroup from userID/groupID (defaults 1000/2000, §4.1).

    Upstream adds `seccompProfile: RuntimeDefault` only on TKGS (C11); we always add it — it is
    what PodSecurity `baseline`/`restricted` expect and no NIM needs an unconfined profile.
    """
    uid = DEFAULT_USER_ID if user_id is None else user_id
    gid = DEFAULT_GROUP_ID if group_id is None else group_id
    return {
        "runAsUser": uid, "runAsGroup": gid, "fsGroup": gid, "runAsNonRoot": uid != 0,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


#: What every container nimop renders carries, so its pods pass Pod Security `restricted`
#: (NIM containers need no capability and never escalate). The CA-certificate init container
#: (`proxy.certConfigMap`) is the documented exception: it must run as root to update the store.
CONTAINER_SECURITY: dict[str, Any] = {
    "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
}


def placement(spec: WorkloadSpec, runtime_class: str | None, scheduler_name: str | None = None,
              priority_class_name: str | None = None) -> dict[str, Any]:
    """Node placement pass-through; unset fields are left out. Tolerations keep
    `tolerationSeconds` (upstream drops it, C12); the deprecated top-level `podAffinity` stays
    ignored as upstream does (§1.3)."""
    fields: dict[str, Any] = {
        "schedulerName": scheduler_name, "priorityClassName": priority_class_name,
        "runtimeClassName": runtime_class, "nodeSelector": spec.node_selector,
        "tolerations": wires(spec.tolerations), "affinity": wire(spec.affinity),
    }
    return {k: v for k, v in fields.items() if v}


def scheduling(spec: NIMServiceSpec) -> dict[str, Any]:
    """A NIMService pod's placement: `placement` plus its scheduler and priority class."""
    return placement(spec, spec.runtime_class_name, spec.scheduler_name, spec.priority_class_name)


def pull_secrets(names: Sequence[str] | None) -> list[dict[str, str]] | None:
    """imagePullSecrets without empty names (upstream can emit `[{name: ""}]`, §9 item 36)."""
    refs = [{"name": n} for n in names or [] if n]
    return refs or None


def proxy_env(proxy: ProxySpec | None) -> list[dict[str, Any]]:
    """Proxy env in both spellings (§3.2, §4.12); only the proxies that are set."""
    if proxy is None or not wire(proxy):
        return []
    env = [env_var("NIM_SDK_USE_NATIVE_TLS", "1")]
    for value, name in ((proxy.https_proxy, "HTTPS_PROXY"), (proxy.http_proxy, "HTTP_PROXY"),
                        (proxy.no_proxy, "NO_PROXY")):
        if value:
            env += [env_var(name, str(value)), env_var(name.lower(), str(value))]
    return env


def ca_volumes(proxy: ProxySpec | None) -> list[dict[str, Any]]:
    """`ca-cert-volume` (emptyDir filled by the CA init container) and `custom-ca` (the user's
    ConfigMap), only when `proxy.certConfigMap` is set (§4.1.3)."""
    cm = proxy.cert_config_map if proxy else None
    if not cm:
        return []
    return [{"name": "ca-cert-volume", "emptyDir": {}},
            {"name": "custom-ca", "configMap": {"name": cm}}]


def ca_init_container(proxy: ProxySpec | None, image: str,
                      pull_policy: str | None) -> dict[str, Any] | None:
    """The `update-ca-certificates` init container (§4.1.3): root, merges the custom CAs into
    the image's trust store and copies `/etc/ssl` into the shared volume."""
    if proxy is None or not proxy.cert_config_map:
        return None
    ctr: dict[str, Any] = {
        "name": "update-ca-certificates", "image": image,
        "command": ["/bin/sh", "-c", CA_INIT_SCRIPT],
        "securityContext": {"runAsUser": 0, "runAsNonRoot": False},
        "volumeMounts": [{"name": "ca-cert-volume", "mountPath": "/ca-certs"},
                         {"name": "custom-ca", "mountPath": "/custom"}],
    }
    if pull_policy:
        ctr["imagePullPolicy"] = pull_policy
    return ctr


def ca_main_mount(proxy: ProxySpec | None) -> list[dict[str, Any]]:
    if proxy is None or not proxy.cert_config_map:
        return []
    return [{"name": "ca-cert-volume", "mountPath": "/etc/ssl"}]


def user_container(
    spec: NIMContainerSpec, main_env: Sequence[Mapping[str, Any]],
    mounts: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """An init or sidecar container from a NIMContainerSpec (§1.1): the main env merged under
    its own (own values win, §4.1.2), plus the given mounts."""
    ctr: dict[str, Any] = {"name": spec.name, "image": image_ref(spec.image)}
    ctr["securityContext"] = copy.deepcopy(CONTAINER_SECURITY)
    if spec.image.pull_policy:
        ctr["imagePullPolicy"] = spec.image.pull_policy
    for key, value in (("command", spec.command), ("args", spec.args),
                       ("workingDir", spec.working_dir)):
        if value:
            ctr[key] = value
    env = merge_env(main_env, wires(spec.env))
    if env:
        ctr["env"] = env
    if mounts:
        ctr["volumeMounts"] = [dict(m) for m in mounts]
    return ctr


def compact(d: Mapping[str, Any]) -> dict[str, Any]:
    """Drop None, empty lists and empty dicts (rendered objects never carry empty noise)."""
    return {k: v for k, v in d.items() if v is not None and v != [] and v != {}}
