"""The caching container of a NIMCache Job: one variant per source (§3.2 table)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nimop.api.common import DEFAULT_GROUP_ID, DEFAULT_USER_ID
from nimop.api.nimcache import NIMCacheSpec
from nimop.render.common import env_var, get, merge_env, wire, wires
from nimop.render.owners import CacheOwner
from nimop.render.pod import (
    ca_init_container,
    proxy_env,
    user_container,
)

MODEL_STORE = "/model-store"


@dataclass(frozen=True)
class Source:
    """The active source of a NIMCache (§3.1) and the facts about it that pick the variant."""

    key: str
    body: Mapping[str, Any]
    cache_type: str

    @classmethod
    def of(cls, spec: Mapping[str, Any], cache_type: str) -> Source:
        src = spec.get("source") or {}
        key = next((k for k in ("ngc", "hf", "dataStore") if src.get(k)), "ngc")
        return cls(key, src.get(key) or {}, cache_type)

    @property
    def puller(self) -> str:
        return str(self.body.get("modelPuller") or "")

    @property
    def pull_secret(self) -> str:
        return str(self.body.get("pullSecret") or "")

    @property
    def auth_secret(self) -> str:
        return str(self.body.get("authSecret") or "")

    @property
    def native(self) -> bool:
        return self.cache_type == "native"

    @property
    def optimized(self) -> bool:
        return self.key == "ngc" and not self.body.get("modelEndpoint")

    def needs_manifest(self, have_manifest: bool) -> bool:
        """A probe is needed for NGC optimized caches that must auto-select profiles (§3.6) and
        for HF/DataStore sources not yet classified (`model-free` or not, §3.4)."""
        if have_manifest or self.native:
            return False
        if self.key == "ngc":
            return self.optimized and not get(self.body, "model.profiles")
        return self.cache_type != "model-free"

    def repo_id(self) -> tuple[str, str]:
        """(`<namespace>/<model or dataset>`, repo type) for Hugging Face style sources."""
        name = self.body.get("modelName") or self.body.get("datasetName") or ""
        kind = "model" if self.body.get("modelName") else "dataset"
        return f"{self.body.get('namespace') or 'default'}/{name}", kind


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
        if src.body.get("revision"):
            args += ["--revision", str(src.body["revision"])]
        return ["huggingface-cli"], args
    if not src.optimized:
        return ["create-model-store"], ["--model-repo", str(src.body["modelEndpoint"]),
                                        "--model-store", MODEL_STORE]
    if "all" in profiles:
        return ["download-to-cache"], ["--all"]
    return ["download-to-cache"], ["--profiles", *profiles]


def operator_env(src: Source, name: str) -> list[dict[str, Any]]:
    if src.native:
        return []
    env = [env_var("NIM_CACHE_PATH", MODEL_STORE)]
    if src.key != "ngc":
        env = [env_var("HF_ENDPOINT", str(src.body.get("endpoint") or "")),
               env_var("HF_HUB_OFFLINE", "0"), *env,
               env_var("HF_HOME", f"{MODEL_STORE}/huggingface/hub")]
    return env


def native_env(name: str) -> list[dict[str, Any]]:
    return [env_var("NIM_ENGINE_MODEL_DOWNLOAD_ONLY", "1"),
            env_var("NIM_ENGINE_MODEL_PATH", f"/model/{name}")]


def mounts(spec: Mapping[str, Any], native: bool) -> list[dict[str, Any]]:
    sub = get(spec, "storage.pvc.subPath")
    paths = ["/model", "/opt/cache"] if native else [MODEL_STORE]
    out: list[dict[str, Any]] = []
    for path in paths:
        mount: dict[str, Any] = {"name": "nim-cache-volume", "mountPath": path}
        if sub:
            mount["subPath"] = sub
        out.append(mount)
    return [*out, {"name": "scratch", "mountPath": "/scratch"}]


def resources(spec: Mapping[str, Any]) -> dict[str, Any] | None:
    """`spec.resources{cpu, memory}` as requests = limits; unset values are omitted (upstream
    renders `"0"` for them, §9 item 36)."""
    res = {k: str(v) for k, v in (spec.get("resources") or {}).items() if v not in (None, "")}
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
    spec = wire(owner.spec)
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
