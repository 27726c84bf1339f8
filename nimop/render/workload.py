"""The NIMService pod: env, volumes, main/init/sidecar containers (§4.1, §4.1.2,
§4.1.3, §4.11, §4.12), shared by the Deployment, the LeaderWorkerSet and the InferenceService.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from nimop.api.expose import ExposeService
from nimop.api.nimservice import NIMServiceSpec
from nimop.api.workload import WorkloadSpec
from nimop.render.env import env_var, merge_env, secret_env, set_default_env
from nimop.render.facts import ClusterFacts
from nimop.render.names import child_name
from nimop.render.owners import Owner, ServiceOwner
from nimop.render.pod import (
    CONTAINER_SECURITY,
    ca_init_container,
    ca_main_mount,
    ca_volumes,
    pod_security_context,
    proxy_env,
    pull_secrets,
    scheduling,
    user_container,
)
from nimop.render.storage import MODEL_STORE, Storage
from nimop.render.wire import image_ref, wires


@dataclass(frozen=True)
class Ports:
    api: int
    grpc: int | None
    metrics: int | None

    @classmethod
    def of(cls, spec: WorkloadSpec) -> Ports:
        """The ports of `spec.expose.service` (the API port's default lives in the model)."""
        svc = (spec.expose.service if spec.expose else None) or ExposeService()
        return cls(svc.port, svc.grpc_port, svc.metrics_port)

    def container_ports(self, named: bool = True) -> list[dict[str, Any]]:
        pairs = [("api", self.api), ("grpc", self.grpc), ("metrics", self.metrics)]
        return [({"name": n} if named else {}) | {"containerPort": p, "protocol": "TCP"}
                for n, p in pairs if p]


@dataclass(frozen=True)
class PodParts:
    """Everything needed to assemble a NIMService pod; renderers add their own specifics."""

    env: list[dict[str, Any]]
    volumes: list[dict[str, Any]]
    mounts: list[dict[str, Any]]
    init: list[dict[str, Any]]
    sidecars: list[dict[str, Any]]
    resources: dict[str, Any] | None
    placement: dict[str, Any] = field(default_factory=dict)
    """Node placement (scheduler, priority, runtime class, selectors, tolerations, affinity)."""


def standard_env(spec: NIMServiceSpec, ports: Ports) -> list[dict[str, Any]]:
    """§4.1.2 step 1."""
    env = [
        env_var("NIM_CACHE_PATH", MODEL_STORE), env_var("OUTLINES_CACHE_DIR", "/tmp/outlines"),
        env_var("NIM_SERVER_PORT", str(ports.api)), env_var("NIM_HTTP_API_PORT", str(ports.api)),
        env_var("NIM_JSONL_LOGGING", "1"), env_var("NIM_LOG_LEVEL", "INFO"),
    ]
    if spec.auth_secret:
        env.append(secret_env("NGC_API_KEY", spec.auth_secret, "NGC_API_KEY"))
    if ports.grpc:
        env += [env_var("NIM_GRPC_API_PORT", str(ports.grpc)),
                env_var("NIM_TRITON_GRPC_PORT", str(ports.grpc))]
    if ports.metrics:
        env.append(env_var("NIM_TRITON_METRICS_PORT", str(ports.metrics)))
    return env


def nim_env(owner: ServiceOwner, storage: Storage, ports: Ports) -> list[dict[str, Any]]:
    """§4.1.2 in precedence order: standard < user `spec.env` < proxy, then the operator's
    additions (profile, universal/HF model, native). A native layout's `NIM_ENGINE_MODEL_PATH`
    gives way to the user's own, as upstream's does."""
    spec = owner.spec
    user_names = {e.name for e in spec.env or []}
    env = merge_env(merge_env(standard_env(spec, ports), wires(spec.env)), proxy_env(spec.proxy))
    nim_cache = spec.storage.nim_cache if spec.storage else None
    profile = nim_cache.profile if nim_cache else None
    if profile:
        set_default_env(env, [env_var("NIM_MODEL_PROFILE", str(profile))])
    cache = storage.cache
    if cache and cache.universal and not storage.native:
        extra = [env_var("NIM_MODEL_NAME", MODEL_STORE),
                 env_var("HF_HOME", f"{MODEL_STORE}/huggingface/hub")]
        if cache.hf_uri():
            extra.append(env_var("NIM_MODEL_PATH", cache.hf_uri()))
        set_default_env(env, extra)
    secret = spec.auth_secret
    if storage.native:
        set_default_env(env, [env_var("NIM_ENGINE_MODEL_PATH", storage.model_path)])
        if secret:
            env = _secret_keys(env, secret, user_names, hf_required=False)
    elif secret and _hf_model(env, storage):
        env = _secret_keys(env, secret, user_names, hf_required=True)
    return env


def _hf_model(env: Sequence[Mapping[str, Any]], storage: Storage) -> bool:
    if storage.cache and storage.cache.hf_model:
        return True
    name = next((e.get("value") for e in env if e["name"] == "NIM_MODEL_NAME"), None)
    return str(name or "").startswith("hf://")


def _secret_keys(env: list[dict[str, Any]], secret: str, user: set[str], *,
                 hf_required: bool) -> list[dict[str, Any]]:
    """HF and native NIMs: NGC_API_KEY becomes optional and HF_TOKEN comes from the same secret
    (§4.1.2 step 4); variables the user set stay theirs."""
    over = [e for e in (secret_env("NGC_API_KEY", secret, "NGC_API_KEY", optional=True),
                        secret_env("HF_TOKEN", secret, "HF_TOKEN", optional=not hf_required))
            if e["name"] not in user]
    return merge_env(env, over)


def volumes_and_mounts(spec: NIMServiceSpec, storage: Storage
                       ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """(volumes, main mounts, init mounts) per §4.1.3. `scratch` whenever user init or sidecar
    containers exist (upstream's count comparison misses some cases, §9 bug 23)."""
    shm = spec.storage.shared_memory_size_limit if spec.storage else None
    volumes: list[dict[str, Any]] = [
        {"name": "dshm", "emptyDir": {"medium": "Memory"} | ({"sizeLimit": shm} if shm else {})}]
    mounts: list[dict[str, Any]] = [{"name": "dshm", "mountPath": "/dev/shm"}]
    model: list[dict[str, Any]] = []
    if storage.volume:
        volumes.append(storage.volume)
        for path in storage.mount_paths:
            m: dict[str, Any] = {"name": "model-store", "mountPath": path}
            if storage.sub_path:
                m["subPath"] = storage.sub_path
            model.append(m)
    mounts += model
    init_mounts = list(model)
    if spec.init_containers or spec.sidecar_containers:
        volumes.append({"name": "scratch", "emptyDir": {}})
        init_mounts.append({"name": "scratch", "mountPath": "/scratch"})
    volumes += ca_volumes(spec.proxy)
    mounts += ca_main_mount(spec.proxy)
    return volumes, mounts, init_mounts


def pod_parts(owner: ServiceOwner, storage: Storage, ports: Ports,
              resources: dict[str, Any] | None) -> PodParts:
    spec = owner.spec
    env = nim_env(owner, storage, ports)
    volumes, mounts, init_mounts = volumes_and_mounts(spec, storage)
    init = [c for c in [ca_init_container(spec.proxy, image_ref(spec.image),
                                          spec.image.pull_policy)] if c]
    init += [user_container(c, env, init_mounts) for c in spec.init_containers or []]
    side_mounts = mounts + [m for m in init_mounts if m["name"] == "scratch"]
    sidecars = [user_container(c, env, side_mounts) for c in spec.sidecar_containers or []]
    return PodParts(env, volumes, mounts, init, sidecars, resources, scheduling(spec))


def required_scc(spec: NIMServiceSpec) -> str:
    """The OpenShift SCC the pod needs — used for both the Role and the pod annotation, so the
    ServiceAccount is always granted what the pod asks for (upstream disagrees, §9 bug 24)."""
    if spec.proxy is not None and spec.proxy.cert_config_map:
        return "anyuid"
    return "hostmount-anyuid" if spec.storage and spec.storage.host_path else "nonroot"


def pod_annotations(spec: WorkloadSpec, facts: ClusterFacts, scc: str) -> dict[str, str]:
    """Pod annotations: the user's, plus `openshift.io/required-scc: <scc>` on OpenShift (C3)."""
    ann = dict(spec.annotations or {})
    if facts.openshift:
        ann["openshift.io/required-scc"] = scc
    return ann


def pod_spec(owner: Owner[WorkloadSpec], containers: list[dict[str, Any]], parts: PodParts,
             pod_claims: list[dict[str, Any]] | None = None, *,
             security: dict[str, Any] | None = None,
             automount_token: bool | None = None) -> dict[str, Any]:
    """The pod spec fields shared by all NIMService and NeMo workloads (§4.1, §2.8).

    `parts.placement` is the family's node placement (the NeMo kinds spell the runtime class
    `runtimeClass`), `security` replaces the pod security context derived from userID/groupID,
    and `automount_token=False` keeps the ServiceAccount token out of pods that never call the
    API.
    """
    spec = owner.spec
    pod: dict[str, Any] = {
        **parts.placement,
        "serviceAccountName": child_name(owner.name),
        "automountServiceAccountToken": automount_token,
        "securityContext": security or pod_security_context(spec.user_id, spec.group_id),
        "imagePullSecrets": pull_secrets(spec.image.pull_secrets),
        "resourceClaims": pod_claims or None,
        "initContainers": parts.init or None,
        "containers": containers + parts.sidecars,
        "volumes": parts.volumes or None,
    }
    return {k: v for k, v in pod.items() if v is not None}


def main_container(owner: Owner[WorkloadSpec], parts: PodParts, name: str,
                   ports: list[dict[str, Any]], probes: Mapping[str, Any],
                   env: list[dict[str, Any]] | None = None,
                   *, command: list[str] | None = None, args: list[str] | None = None,
                   user_command: bool = True) -> dict[str, Any]:
    """The NIM container. `command`/`args` replace the user's only where a backend needs its
    own entry point (MPI, Ray); `user_command=False` ignores `spec.command/args`."""
    spec = owner.spec
    ctr: dict[str, Any] = {"name": name, "image": image_ref(spec.image)}
    if spec.image.pull_policy:
        ctr["imagePullPolicy"] = spec.image.pull_policy
    cmd = spec.command if user_command else None
    arg = spec.args if user_command else None
    if cmd or command:
        ctr["command"] = cmd or command
    if arg or args:
        ctr["args"] = args if args else arg
    if ports:
        ctr["ports"] = ports
    ctr["env"] = env if env is not None else parts.env
    if parts.resources:
        ctr["resources"] = parts.resources
    ctr.update({k: v for k, v in probes.items() if v})
    if parts.mounts:
        ctr["volumeMounts"] = parts.mounts
    ctr["securityContext"] = copy.deepcopy(CONTAINER_SECURITY)
    return ctr
