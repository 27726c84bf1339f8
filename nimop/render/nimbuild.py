"""NIMBuild → the engine build Pod, then the local-manifest probe Pod (§2.7).

A build runs in stages, and the NIMBuild's own status says which one it is in (its spec is
immutable, so nothing else can move it back):

1. the NIMCache must exist and be Ready — until then nothing is rendered and the problem is a
   wait, not a failure (upstream marks the build `Failed` and never looks again, §9 bugs 2, 3);
2. one buildable input profile is chosen among the cache's profiles (§2.7 step 3);
3. the build Pod `<name>-engine-build-pod` runs until Ready (step 4);
4. once the status records it completed, the probe Pod `<name>-local-manifest-pod` prints the
   cache's local manifest, from which the controller learns the built profile (step 6);
5. once the status holds `outputProfile`, nothing is desired any more.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from nimop.api import kinds
from nimop.api.common import DEFAULT_GROUP_ID, DEFAULT_USER_ID
from nimop.api.nimbuild import NIMBuild, NIMBuildSpec, ResourceRequirements
from nimop.api.problem import Problem
from nimop.render.env import env_var, merge_env, secret_env
from nimop.render.facts import CachedProfile, ClusterFacts, NIMCacheFacts
from nimop.render.names import child_name
from nimop.render.objects import manifest, merge_maps, metadata, standard_labels
from nimop.render.owners import BuildOwner, Owner, parsed
from nimop.render.pod import (
    compact,
    pod_security_context,
    pull_secrets,
)
from nimop.render.result import Child, Collector, Rendered
from nimop.render.wire import image_ref, spec_hash, wire, wires

PART_OF = "nim-build"
MODEL_STORE = "/model-store"
BUILD_CONTAINER = "nim-build-ctr"
MANIFEST_CONTAINER = "nim-build-manifest-ctr"
LOCAL_MANIFEST = f"{MODEL_STORE}/local_cache/local_manifest.yaml"
GPU = "nvidia.com/gpu"
API_PORT = 8000
#: The conditions that move a build from stage 3 to 4 and end stage 4 (upstream's type names).
POD_COMPLETED = "NIM_BUILD_ENGINE_BUILD_POD_COMPLETED"
MANIFEST_COMPLETED = "NIM_BUILD_MODEL_MANIFEST_POD_COMPLETED"
#: Tag marking a cached profile as built by a NIMBuild from the named input profile.
INPUT_PROFILE_TAG = "input_profile"
#: kubectl's copy of the whole object: never copied onto a pod.
_SKIP_ANNOTATIONS = frozenset({"kubectl.kubernetes.io/last-applied-configuration"})

#: The kinds this renderer may emit: the kind table's NIMBUILD children.
CHILD_KINDS = kinds.keys(kinds.NIMBUILD_CHILDREN)


def build_pod_name(name: str) -> str:
    return child_name(name, "-engine-build-pod")


def manifest_pod_name(name: str) -> str:
    return child_name(name, "-local-manifest-pod")


def model_name(spec: NIMBuildSpec, name: str) -> str:
    """`spec.modelName`, defaulting to the NIMBuild's name (§1.5)."""
    return spec.model_name or name


def build_completed(status: Mapping[str, Any] | None) -> bool | None:
    """True once the build pod was Ready, False when it failed, None while undecided."""
    return _flag(status, POD_COMPLETED)


def manifest_completed(status: Mapping[str, Any] | None) -> bool | None:
    """False once the local manifest was read and held no profile of the build's model."""
    return _flag(status, MANIFEST_COMPLETED)


def _flag(status: Mapping[str, Any] | None, kind: str) -> bool | None:
    for cond in (status or {}).get("conditions") or ():
        if cond.get("type") == kind:
            return {"True": True, "False": False}.get(str(cond.get("status")))
    return None


def render_nimbuild(build: NIMBuild | Mapping[str, Any],
                    facts: ClusterFacts | None = None) -> Rendered:
    """Desired children of a NIMBuild at its current stage. Problems: `NIMCacheNotFound`,
    `NIMCacheNotReady` (waits), `NIMCacheFailed`, `NoBuildableProfile`,
    `MultipleBuildableProfiles`, `InvalidGPUs`, `EngineBuildFailed`, `BuiltProfileNotFound`
    (failures)."""
    facts = facts or ClusterFacts()
    obj = parsed(NIMBuild, build)
    owner = Owner.of(obj, obj.spec)
    out = Collector()
    out.workload = Child(kinds.POD, build_pod_name(owner.name))
    out.probe = Child(kinds.POD, manifest_pod_name(owner.name))
    status = wire(obj.status)
    if status.get("outputProfile"):
        return out.result(spec_hash(wire(owner.spec)))
    cache = _ready_cache(owner, facts, out)
    done = build_completed(status)
    if cache is None:
        pass
    elif done is False:
        out.problem(
            "EngineBuildFailed",
            f"the engine build pod {build_pod_name(owner.name)} "
            "failed; its logs say why. A NIMBuild runs once: create a new one to retry",
            failed=True,
        )
    elif done and manifest_completed(status) is False:
        out.problem(
            "BuiltProfileNotFound",
            "the local manifest holds no profile of model "
            f"{model_name(owner.spec, owner.name)}; see the {MANIFEST_COMPLETED} condition",
            failed=True,
        )
    elif done:
        out.add(manifest_pod(owner, obj, cache, facts))
    else:
        _build(owner, obj, cache, facts, out)
    return out.result(spec_hash(wire(owner.spec)))


def _ready_cache(owner: BuildOwner, facts: ClusterFacts, out: Collector) -> NIMCacheFacts | None:
    name = owner.spec.nim_cache.name
    cache = facts.nimcache(owner.namespace, name)
    if cache is None:
        out.problem(
            "NIMCacheNotFound",
            f"waiting for NIMCache {name} to be created in namespace {owner.namespace}",
        )
    elif cache.failed:
        out.problem("NIMCacheFailed", f"NIMCache {name} failed; see its status", failed=True)
    elif not cache.ready:
        out.problem(
            "NIMCacheNotReady",
            f"waiting for NIMCache {name} to be Ready (it is {cache.state or 'Pending'})",
        )
    else:
        return cache
    return None


def _build(
    owner: BuildOwner, obj: NIMBuild, cache: NIMCacheFacts, facts: ClusterFacts,
    out: Collector,
) -> None:
    recorded = obj.status.input_profile if obj.status else None
    wanted = owner.spec.nim_cache.profile or (recorded.name if recorded else None)
    profile, problem = select_input_profile(cache, wanted)
    if problem is not None:
        out.problems.append(problem)
        return
    assert profile is not None
    resources, problem = build_resources(owner.spec.resources, profile)
    if problem is not None:
        out.problems.append(problem)
        return
    out.add(build_pod(owner, obj, cache, profile, resources, facts))


def buildable(profile: CachedProfile) -> bool:
    """A cached profile TensorRT-LLM can build from; outputs of earlier builds never are."""
    tags = profile.config
    return tags.get("trtllm_buildable", "").lower() == "true" and INPUT_PROFILE_TAG not in tags


def select_input_profile(
    cache: NIMCacheFacts, wanted: str | None
) -> tuple[CachedProfile | None, Problem | None]:
    """The buildable profile to build from (§2.7 step 3): the named one, or the only one."""
    candidates = [p for p in cache.profiles if buildable(p)]
    names = ", ".join(p.name for p in candidates) or "none"
    if wanted:
        found = next((p for p in candidates if p.name == wanted), None)
        if found is None:
            return None, Problem(
                "NoBuildableProfile",
                f"profile {wanted} is not a buildable "
                f"profile of NIMCache {cache.name} (buildable: {names})",
                True,
            )
        return found, None
    if not candidates:
        return None, Problem(
            "NoBuildableProfile",
            f"NIMCache {cache.name} caches no buildable "
            'profile (tag trtllm_buildable: "true"); cache one, e.g. with '
            "source.ngc.model.buildable: true",
            True,
        )
    if len(candidates) > 1:
        return None, Problem(
            "MultipleBuildableProfiles",
            f"NIMCache {cache.name} caches "
            f"several buildable profiles ({names}); name one in "
            "spec.nimCache.profile",
            True,
        )
    return candidates[0], None


def build_resources(
    spec: ResourceRequirements | None, profile: CachedProfile
) -> tuple[dict[str, Any] | None, Problem | None]:
    """Requests and limits; GPUs default to the profile's tensor parallelism (§2.7 step 4).

    Upstream refuses any user GPU count when the profile has a tp tag; we accept one that
    agrees with it and refuse only a contradiction, which could never build that profile."""
    given = {"requests": spec.requests, "limits": spec.limits} if spec else {}
    res = {k: {str(n): str(q) for n, q in v.items()} for k, v in given.items() if v}
    user = res.get("limits", {}).get(GPU) or res.get("requests", {}).get(GPU)
    tp = profile.tensor_parallelism()
    if tp is not None and not (tp.isdigit() and int(tp) > 0):
        return None, Problem(
            "InvalidGPUs",
            f"profile {profile.name} has tensor parallelism "
            f"{tp!r}, not a GPU count; set spec.resources.limits {GPU}",
            True,
        )
    if user is None:
        if tp is None:
            return None, Problem(
                "InvalidGPUs",
                f"profile {profile.name} has no tensor-"
                f"parallelism tag to size the build; set "
                f"spec.resources.limits {GPU}",
                True,
            )
        res.setdefault("requests", {})[GPU] = tp
        res.setdefault("limits", {})[GPU] = tp
    elif tp is not None and user != tp:
        return None, Problem(
            "InvalidGPUs",
            f"profile {profile.name} builds for {tp} GPU(s) "
            f"(tensor parallelism) but spec.resources asks for {user} {GPU}; "
            "remove the GPU count or make them agree",
            True,
        )
    return res or None, None


def labels(owner: BuildOwner, obj: NIMBuild) -> dict[str, str]:
    """The CR's metadata labels (as upstream) and `spec.labels`; our own keys win."""
    ours = {"app": "k8s-nim-operator", **standard_labels(owner, PART_OF)}
    return merge_maps(obj.metadata.labels, owner.spec.labels, ours)


def pod_annotations(owner: BuildOwner, obj: NIMBuild, facts: ClusterFacts) -> dict[str, str]:
    ours = {"sidecar.istio.io/inject": "false"}
    if facts.openshift:
        ours["openshift.io/required-scc"] = "nonroot"
    user = {
        k: v
        for k, v in (obj.metadata.annotations or {}).items()
        if k not in _SKIP_ANNOTATIONS
    }
    return merge_maps(user, owner.spec.annotations, ours)


def _pod_spec(owner: BuildOwner, cache: NIMCacheFacts, container: dict[str, Any]) -> dict[str, Any]:
    """Pod fields both pods share: the cache's volume, identity and runtime class (§2.7 step 4),
    the build's image pull secrets and placement."""
    mount: dict[str, Any] = {"name": "nim-cache-volume", "mountPath": MODEL_STORE}
    if cache.pvc_sub_path:
        mount["subPath"] = cache.pvc_sub_path
    container["volumeMounts"] = [mount]
    container["securityContext"] = {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "runAsNonRoot": True,
        "runAsUser": DEFAULT_USER_ID if cache.user_id is None else cache.user_id,
        "runAsGroup": DEFAULT_GROUP_ID if cache.group_id is None else cache.group_id,
    }
    policy = owner.spec.image.pull_policy
    if policy:
        container["imagePullPolicy"] = policy
    return compact(
        {
            "restartPolicy": "Never",
            "automountServiceAccountToken": False,
            "runtimeClassName": cache.runtime_class or None,
            "securityContext": {**pod_security_context(cache.user_id, cache.group_id),
                                "runAsNonRoot": True},
            "imagePullSecrets": pull_secrets(owner.spec.image.pull_secrets),
            "nodeSelector": owner.spec.node_selector,
            "tolerations": wires(owner.spec.tolerations),
            "containers": [compact(container)],
            "volumes": [
                {"name": "nim-cache-volume", "persistentVolumeClaim": {"claimName": cache.pvc}}
            ],
        }
    )


def build_env(
    owner: BuildOwner, cache: NIMCacheFacts, profile: CachedProfile
) -> list[dict[str, Any]]:
    """Operator env, then the user's `spec.env` (user wins, C5). `NGC_API_KEY` only for NGC
    caches (upstream dereferences the NGC auth secret of any cache, §9 bug 4)."""
    base = [
        env_var("NIM_CACHE_PATH", MODEL_STORE),
        env_var("NIM_SERVER_PORT", str(API_PORT)),
        env_var("NIM_HTTP_API_PORT", str(API_PORT)),
        env_var("NIM_CUSTOM_MODEL_NAME", model_name(owner.spec, owner.name)),
        env_var("NIM_MODEL_PROFILE", profile.name),
    ]
    if cache.source == "ngc" and cache.auth_secret:
        base.append(secret_env("NGC_API_KEY", cache.auth_secret, "NGC_API_KEY"))
    if profile.config.get("feat_lora", "").lower() == "true":
        base.append(env_var("NIM_PEFT_SOURCE", "/tmp"))
    return merge_env(base, wires(owner.spec.env))


def _probe(path: str, delay: int, failures: int) -> dict[str, Any]:
    return {
        "httpGet": {"path": path, "port": "api"},
        "initialDelaySeconds": delay,
        "timeoutSeconds": 1,
        "periodSeconds": 10,
        "successThreshold": 1,
        "failureThreshold": failures,
    }


def build_pod(
    owner: BuildOwner,
    obj: NIMBuild,
    cache: NIMCacheFacts,
    profile: CachedProfile,
    resources: Mapping[str, Any] | None,
    facts: ClusterFacts,
) -> dict[str, Any]:
    """`<name>-engine-build-pod` (§2.7 step 4): the NIM builds the engine into the cache and
    turns Ready when done."""
    ctr: dict[str, Any] = {
        "name": BUILD_CONTAINER,
        "image": image_ref(owner.spec.image),
        "ports": [{"name": "api", "containerPort": API_PORT, "protocol": "TCP"}],
        "env": build_env(owner, cache, profile),
        "resources": resources,
        "readinessProbe": _probe("/v1/health/ready", 15, 3),
        "livenessProbe": _probe("/v1/health/live", 15, 3),
        "startupProbe": _probe("/v1/health/ready", 30, 30),
    }
    meta = metadata(
        owner, build_pod_name(owner.name), labels(owner, obj), pod_annotations(owner, obj, facts)
    )
    return manifest("v1", "Pod", meta, spec=_pod_spec(owner, cache, ctr))


def manifest_pod(
    owner: BuildOwner, obj: NIMBuild, cache: NIMCacheFacts, facts: ClusterFacts
) -> dict[str, Any]:
    """`<name>-local-manifest-pod` (§2.7 step 6): prints the cache's local manifest, which
    the build extended with the built profile."""
    ctr: dict[str, Any] = {
        "name": MANIFEST_CONTAINER,
        "image": image_ref(owner.spec.image),
        "command": ["/bin/sh", "-c", f"cat {LOCAL_MANIFEST}; sleep infinity"],
    }
    meta = metadata(
        owner, manifest_pod_name(owner.name), labels(owner, obj), pod_annotations(owner, obj, facts)
    )
    return manifest("v1", "Pod", meta, spec=_pod_spec(owner, cache, ctr))


def built_profile(
    manifest_data: Mapping[str, Any], model: str, input_profile: str
) -> dict[str, Any] | None:
    """The profile the build added to the local manifest (tag `model_name` = the build's model
    name), as a NIMCache `status.profiles` entry tagged with its input profile (§2.7 step 6)."""
    for pid, entry in _entries(manifest_data):
        tags = {str(k): str(v) for k, v in (entry.get("tags") or {}).items()}
        if tags.get("model_name") == model:
            return {
                "name": pid,
                "model": str(entry.get("model") or ""),
                "release": str(entry.get("release") or ""),
                "config": {**tags, INPUT_PROFILE_TAG: input_profile},
            }
    return None


def _entries(data: Mapping[str, Any]) -> Sequence[tuple[str, Mapping[str, Any]]]:
    """(id, entry) of a v1 (id → entry) or v2 (`profiles: [{id, …}]`) manifest."""
    if isinstance(data.get("profiles"), list):
        return [(str(p.get("id", "")), p) for p in data["profiles"] if isinstance(p, Mapping)]
    return [(str(k), v) for k, v in data.items() if isinstance(v, Mapping)]
