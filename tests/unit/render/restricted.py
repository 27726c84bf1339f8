"""The Pod Security Standard `restricted` profile (latest), checked on a pod spec as the
apiserver's PodSecurity admission checks it (k8s.io/pod-security-admission/policy): baseline's
host namespaces, privileged, capabilities, hostPath, hostPort, procMount, sysctls; restricted's
volume types, allowPrivilegeEscalation, runAsNonRoot, runAsUser != 0, seccompProfile and
capabilities (drop ALL, add at most NET_BIND_SERVICE)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

ALLOWED_VOLUMES = {
    "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
    "projected", "secret",
}  # fmt: skip
SAFE_SYSCTLS = {
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
}  # fmt: skip


def pod_specs(obj: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(where, pod spec) of every pod template an object carries."""
    kind, spec = obj.get("kind"), obj.get("spec") or {}
    if kind == "Pod":
        yield "spec", spec
    elif kind in ("Deployment", "Job", "StatefulSet", "DaemonSet", "ReplicaSet"):
        yield "spec.template.spec", spec["template"]["spec"]
    elif kind == "LeaderWorkerSet":
        lwt = spec["leaderWorkerTemplate"]
        for part in ("leaderTemplate", "workerTemplate"):
            if lwt.get(part):
                yield f"spec.leaderWorkerTemplate.{part}.spec", lwt[part]["spec"]
    elif kind == "InferenceService":
        yield "spec.predictor", spec["predictor"]  # the predictor inlines a PodSpec


def violations(pod: Mapping[str, Any]) -> list[str]:
    """What `restricted` forbids in this pod spec, one line per finding."""
    out: list[str] = []
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if pod.get(field):
            out.append(f"{field}: true")
    for vol in pod.get("volumes") or ():
        kinds = set(vol) - {"name"}
        if not kinds <= ALLOWED_VOLUMES:
            out.append(f"volume {vol.get('name')}: {sorted(kinds - ALLOWED_VOLUMES)}")
    psc = pod.get("securityContext") or {}
    for sysctl in psc.get("sysctls") or ():
        if sysctl.get("name") not in SAFE_SYSCTLS:
            out.append(f"sysctl {sysctl.get('name')}")
    if psc.get("runAsUser") == 0:
        out.append("pod runAsUser: 0")
    pod_seccomp = (psc.get("seccompProfile") or {}).get("type")
    if pod_seccomp not in (None, "RuntimeDefault", "Localhost"):
        out.append(f"pod seccompProfile {pod_seccomp}")
    for group in ("initContainers", "containers", "ephemeralContainers"):
        for ctr in pod.get(group) or ():
            out += [f"{group} {ctr.get('name')}: {v}" for v in _container(ctr, psc)]
    return out


def _container(ctr: Mapping[str, Any], psc: Mapping[str, Any]) -> list[str]:
    sc = ctr.get("securityContext") or {}
    out = []
    if sc.get("privileged"):
        out.append("privileged")
    if sc.get("allowPrivilegeEscalation") is not False:
        out.append("allowPrivilegeEscalation is not false")
    caps = sc.get("capabilities") or {}
    if "ALL" not in (caps.get("drop") or ()):
        out.append("capabilities.drop lacks ALL")
    if set(caps.get("add") or ()) - {"NET_BIND_SERVICE"}:
        out.append(f"capabilities.add {caps.get('add')}")
    non_root = sc.get("runAsNonRoot", psc.get("runAsNonRoot"))
    if non_root is not True:
        out.append("runAsNonRoot is not true")
    if sc.get("runAsUser") == 0:
        out.append("runAsUser: 0")
    seccomp = (sc.get("seccompProfile") or psc.get("seccompProfile") or {}).get("type")
    if seccomp not in ("RuntimeDefault", "Localhost"):
        out.append(f"seccompProfile is {seccomp or 'unset'}")
    if sc.get("procMount") not in (None, "Default"):
        out.append(f"procMount {sc['procMount']}")
    for port in ctr.get("ports") or ():
        if port.get("hostPort"):
            out.append(f"hostPort {port['hostPort']}")
    return out
