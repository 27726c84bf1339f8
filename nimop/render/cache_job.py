"""The caching container of a NIMCache Job: one variant per source (§3.2 table)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nimop.api.common import DEFAULT_GROUP_ID, DEFAULT_USER_ID
from nimop.api.nimcache import DataStoreSource, HuggingFaceHubSource, NGCSource, NIMCacheSpec
from nimop.render.env import env_var, merge_env
from nimop.render.owners import CacheOwner
from nimop.render.pod import (
    ca_init_container,
    proxy_env,
    user_container,
)
from nimop.render.storage import LEGACY_MOUNTS, MODEL_STORE, NATIVE_CACHE_MOUNTS, NATIVE_ROOT
from nimop.render.wire import wire, wires

HubSource = HuggingFaceHubSource | DataStoreSource


@dataclass(frozen=True)
class Source:
    """The active source of a NIMCache (§3.1) and the facts about it that pick the variant:
    `ngc` for an NGC source, `hub` for the Hugging Face style ones (`hf`, `dataStore`)."""

    key: str
    ngc: NGCSource | None
    hub: HubSource | None
    cache_type: str

    @classmethod
    def of(cls, spec: NIMCacheSpec, cache_type: str) -> Source:
        src = spec.source
        if src.ngc is not None:
            return cls("ngc", src.ngc, None, cache_type)
        if src.hf is not None:
            return cls("hf", None, src.hf, cache_type)
        if src.data_store is not None:
            return cls("dataStore", None, src.data_store, cache_type)
        return cls("ngc", None, None, cache_type)

    @property
    def body(self) -> NGCSource | HubSource | None:
        return self.ngc or self.hub

    @property
    def puller(self) -> str:
        return self.body.model_puller if self.body else ""

    @property
    def pull_secret(self) -> str:
        return (self.body.pull_secret or "") if self.body else ""

    @property
    def auth_secret(self) -> str:
        return self.body.auth_secret if self.body else ""

    @property
    def native(self) -> bool:
        return self.cache_type == "native"

    @property
    def optimized(self) -> bool:
        return self.key == "ngc" and not (self.ngc and self.ngc.model_endpoint)

    def needs_manifest(self, have_manifest: bool) -> bool:
        """A probe is needed for every non-native NGC optimized cache — to auto-select profiles
        (§3.6) and, for explicit `model.profiles`, to report their tags in `status.profiles`
        (upstream probes them too) — and for HF/DataStore sources not yet classified
        (`model-free` or not, §3.4)."""
        if have_manifest or self.native:
            return False
        if self.key == "ngc":
            return self.optimized and self.cache_type != "model-free"
        return self.cache_type != "model-free"

    def repo_id(self) -> tuple[str, str]:
        """(`<namespace>/<model or dataset>`, repo type) for Hugging Face style sources."""
        hub = self.hub
        if hub is None:
            return "", "dataset"
        name = hub.model_name or hub.dataset_name or ""
        kind = "model" if hub.model_name else "dataset"
        return f"{hub.namespace}/{name}", kind


def command(src: Source, profiles: list[str], name: str) -> tuple[list[str], list[str]]:
    """(command, args) of the caching container (§3.2)."""
    if src.native:
        return [], []
    if src.key != "ngc":
        repo, kind = src.repo_id()
        if src.cache_type == "model-free" and kind == "model":
            return ["download-to-cache"], ["--model-uri", f"hf://{repo}",
                                           "--manifest-file", f"{MODEL_STORE}/model_manifest.json"]
        args = ["download", repo, "--local-dir", MODEL_STORE, "--repo-type", kind]
        if src.hub and src.hub.revision:
            args += ["--revision", src.hub.revision]
        return ["huggingface-cli"], args
    if not src.optimized:
        endpoint = src.ngc.model_endpoint if src.ngc else ""
        return ["create-model-store"], ["--model-repo", str(endpoint),
                                        "--model-store", MODEL_STORE]
    if "all" in profiles:
        return ["download-to-cache"], ["--all"]
    return ["download-to-cache"], ["--profiles", *profiles]


def operator_env(src: Source, name: str) -> list[dict[str, Any]]:
    if src.native:
        return []
    env = [env_var("NIM_CACHE_PATH", MODEL_STORE)]
    if src.key != "ngc":
        env = [env_var("HF_ENDPOINT", src.hub.endpoint if src.hub else ""),
               env_var("HF_HUB_OFFLINE", "0"), *env,
               env_var("HF_HOME", f"{MODEL_STORE}/huggingface/hub")]
    return env


def native_env(name: str) -> list[dict[str, Any]]:
    return [env_var("NIM_ENGINE_MODEL_DOWNLOAD_ONLY", "1"),
            env_var("NIM_ENGINE_MODEL_PATH", f"{NATIVE_ROOT}/{name}")]


def mounts(spec: NIMCacheSpec, native: bool) -> list[dict[str, Any]]:
    sub = spec.storage.pvc.sub_path if spec.storage.pvc else None
    paths = NATIVE_CACHE_MOUNTS if native else LEGACY_MOUNTS
    out: list[dict[str, Any]] = []
    for path in paths:
        mount: dict[str, Any] = {"name": "nim-cache-volume", "mountPath": path}
        if sub:
            mount["subPath"] = sub
        out.append(mount)
    return [*out, {"name": "scratch", "mountPath": "/scratch"}]


def resources(spec: NIMCacheSpec) -> dict[str, Any] | None:
    """`spec.resources{cpu, memory}` as requests = limits; unset values are omitted (upstream
    renders `"0"` for them, §9 item 36)."""
    res = {k: str(v) for k, v in wire(spec.resources).items() if v not in (None, "")}
    return {"requests": res, "limits": dict(res)} if res else None


def container_security(spec: NIMCacheSpec) -> dict[str, Any]:
    return {
        "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
        "runAsNonRoot": True,
        "runAsUser": DEFAULT_USER_ID if spec.user_id is None else spec.user_id,
        "runAsGroup": DEFAULT_GROUP_ID if spec.group_id is None else spec.group_id,
    }


def containers(owner: CacheOwner, src: Source, profiles: list[str]
               ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """([main], init containers). Env: operator < user `spec.env` < proxy; the native variant's
    two variables are re-applied last so they always win (§3.2)."""
    spec = owner.spec
    cmd, args = command(src, profiles, owner.name)
    env = merge_env(merge_env(operator_env(src, owner.name), wires(owner.spec.env)),
                    proxy_env(owner.spec.proxy))
    if src.native:
        env = merge_env(env, native_env(owner.name))
    main_mounts = mounts(spec, src.native)
    if owner.spec.proxy is not None and owner.spec.proxy.cert_config_map:
        main_mounts.append({"name": "ca-cert-volume", "mountPath": "/etc/ssl"})
    main: dict[str, Any] = {
        "name": "nim-cache-ctr", "image": src.puller, "command": cmd or None, "args": args or None,
        "env": env or None, "envFrom": [{"secretRef": {"name": src.auth_secret}}]
        if src.auth_secret else None,
        "volumeMounts": main_mounts, "resources": resources(spec),
        "securityContext": container_security(owner.spec),
    }
    main = {k: v for k, v in main.items() if v is not None}
    init: list[dict[str, Any]] = []
    ca = ca_init_container(owner.spec.proxy, src.puller, None)
    if ca:
        init.append(ca)
    for user in owner.spec.init_containers or []:
        init.append(user_container(user, env, mounts(spec, src.native)))
    return [main], init
