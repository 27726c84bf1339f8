"""NIMBuild rendering (§2.7): stages, input-profile selection, the build pod's env,
GPU sizing, pod settings taken from the NIMCache, and the local-manifest probe pod."""

from __future__ import annotations

from typing import Any

import pytest

from nimop.api import NIMBuild
from nimop.api.nimbuild import ResourceRequirements
from nimop.render import CachedProfile, ClusterFacts, NIMCacheFacts, Rendered
from nimop.render.nimbuild import (
    LOCAL_MANIFEST,
    MANIFEST_COMPLETED,
    POD_COMPLETED,
    build_resources,
    built_profile,
    render_nimbuild,
    select_input_profile,
)

NS = "ns"
BUILDABLE = CachedProfile("in1", {"trtllm_buildable": "true", "tp": "2", "precision": "bf16"})
PLAIN = CachedProfile("fp8", {"tp": "1", "precision": "fp8"})


def build(status: dict[str, Any] | None = None, **spec: Any) -> dict[str, Any]:
    body = {
        "nimCache": {"name": "c"},
        "image": {"repository": "nvcr.io/nim/x", "tag": "1.0"},
        **spec,
    }
    obj: dict[str, Any] = {
        "apiVersion": "apps.nvidia.com/v1alpha1",
        "kind": "NIMBuild",
        "metadata": {
            "name": "b",
            "namespace": NS,
            "uid": "u-b",
            "labels": {"team": "a"},
            "annotations": {"note": "x", "kubectl.kubernetes.io/last-applied-configuration": "{}"},
        },
        "spec": body,
    }
    if status is not None:
        obj["status"] = status
    return obj


def cache(**kw: Any) -> NIMCacheFacts:
    kw.setdefault("state", "Ready")
    kw.setdefault("pvc", "c-pvc")
    kw.setdefault("profiles", (PLAIN, BUILDABLE))
    kw.setdefault("auth_secret", "ngc-api")
    return NIMCacheFacts(name="c", **kw)


def render(obj: dict[str, Any], *caches: NIMCacheFacts, **facts: Any) -> Rendered:
    return render_nimbuild(obj, ClusterFacts(nimcaches={f"{NS}/c": c for c in caches}, **facts))


def only_pod(r: Rendered) -> dict[str, Any]:
    assert r.ok, r.problems
    assert [o["kind"] for o in r.objects] == ["Pod"]
    return r.objects[0]


def env_of(pod: dict[str, Any]) -> dict[str, Any]:
    return {
        e["name"]: e.get("value", e.get("valueFrom")) for e in pod["spec"]["containers"][0]["env"]
    }


def completed(ok: bool, *extra: dict[str, Any]) -> dict[str, Any]:
    cond = {"type": POD_COMPLETED, "status": "True" if ok else "False", "reason": "x",
            "message": "", "lastTransitionTime": "2026-01-01T00:00:00Z"}
    return {"conditions": [cond, *extra]}


# -- stage 1: the cache --------------------------------------------------------------------------


def test_a_missing_or_unready_cache_is_a_wait_not_a_failure() -> None:
    missing = render(build())
    assert [(p.reason, p.failed) for p in missing.problems] == [("NIMCacheNotFound", False)]
    assert missing.objects == ()
    pending = render(build(), cache(state="InProgress"))
    assert [(p.reason, p.failed) for p in pending.problems] == [("NIMCacheNotReady", False)]
    assert "InProgress" in pending.problems[0].message


def test_a_failed_cache_fails_the_build() -> None:
    r = render(build(), cache(state="Failed"))
    assert [(p.reason, p.failed) for p in r.problems] == [("NIMCacheFailed", True)]


# -- stage 2: the input profile ------------------------------------------------------------------


def test_the_only_buildable_profile_is_chosen() -> None:
    profile, problem = select_input_profile(cache(), None)
    assert problem is None and profile == BUILDABLE


def test_a_named_profile_must_be_buildable() -> None:
    assert select_input_profile(cache(), "in1")[0] == BUILDABLE
    _, problem = select_input_profile(cache(), "fp8")
    assert problem is not None and problem.reason == "NoBuildableProfile" and problem.failed
    assert "in1" in problem.message  # lists what is buildable


def test_no_or_several_buildable_profiles_fail() -> None:
    _, none = select_input_profile(cache(profiles=(PLAIN,)), None)
    assert none is not None and none.reason == "NoBuildableProfile"
    other = CachedProfile("in2", {"trtllm_buildable": "True", "tp": "1"})
    _, many = select_input_profile(cache(profiles=(BUILDABLE, other)), None)
    assert many is not None and many.reason == "MultipleBuildableProfiles"
    assert "in1, in2" in many.message
    assert select_input_profile(cache(profiles=(BUILDABLE, other)), "in2")[0] == other


def test_outputs_of_earlier_builds_are_not_buildable_again() -> None:
    output = CachedProfile("out", {"trtllm_buildable": "true", "tp": "2", "input_profile": "in1"})
    assert select_input_profile(cache(profiles=(BUILDABLE, output)), None)[0] == BUILDABLE


def test_status_input_profile_keeps_the_choice_stable() -> None:
    other = CachedProfile("in2", {"trtllm_buildable": "true", "tp": "1"})
    r = render(build({"inputProfile": {"name": "in2"}}), cache(profiles=(BUILDABLE, other)))
    assert env_of(only_pod(r))["NIM_MODEL_PROFILE"] == "in2"


# -- stage 3: the build pod ----------------------------------------------------------------------


def test_build_pod_follows_upstream_shape() -> None:
    pod = only_pod(render(build(modelName="m-tp2", nodeSelector={"gpu": "h100"}), cache()))
    md = pod["metadata"]
    assert md["name"] == "b-engine-build-pod"
    assert md["labels"]["app"] == "k8s-nim-operator"
    assert md["labels"]["app.kubernetes.io/name"] == "b"
    assert md["labels"]["app.kubernetes.io/managed-by"] == "nimop"
    assert md["labels"]["team"] == "a"  # the CR's metadata labels, as upstream
    assert md["annotations"] == {"note": "x", "sidecar.istio.io/inject": "false"}
    assert md["ownerReferences"][0]["kind"] == "NIMBuild"
    spec = pod["spec"]
    assert spec["restartPolicy"] == "Never"
    assert spec["nodeSelector"] == {"gpu": "h100"}
    assert spec["volumes"] == [
        {"name": "nim-cache-volume", "persistentVolumeClaim": {"claimName": "c-pvc"}}
    ]
    ctr = spec["containers"][0]
    assert ctr["name"] == "nim-build-ctr" and ctr["image"] == "nvcr.io/nim/x:1.0"
    assert ctr["volumeMounts"] == [{"name": "nim-cache-volume", "mountPath": "/model-store"}]
    assert ctr["ports"] == [{"name": "api", "containerPort": 8000, "protocol": "TCP"}]
    assert ctr["readinessProbe"]["httpGet"] == {"path": "/v1/health/ready", "port": "api"}
    assert ctr["livenessProbe"]["httpGet"]["path"] == "/v1/health/live"
    assert (
        ctr["startupProbe"]["initialDelaySeconds"],
        ctr["startupProbe"]["failureThreshold"],
    ) == (30, 30)
    env = env_of(pod)
    assert env["NIM_CACHE_PATH"] == "/model-store"
    assert env["NIM_SERVER_PORT"] == env["NIM_HTTP_API_PORT"] == "8000"
    assert env["NIM_CUSTOM_MODEL_NAME"] == "m-tp2"
    assert env["NIM_MODEL_PROFILE"] == "in1"
    assert env["NGC_API_KEY"] == {"secretKeyRef": {"name": "ngc-api", "key": "NGC_API_KEY"}}
    assert "NIM_PEFT_SOURCE" not in env


def test_model_name_defaults_to_the_build_name() -> None:
    assert env_of(only_pod(render(build(), cache())))["NIM_CUSTOM_MODEL_NAME"] == "b"


def test_user_env_wins_and_lora_profiles_get_a_peft_source() -> None:
    lora = CachedProfile("l", {"trtllm_buildable": "true", "tp": "1", "feat_lora": "true"})
    user = [{"name": "NIM_SERVER_PORT", "value": "9000"}, {"name": "EXTRA", "value": "1"}]
    env = env_of(only_pod(render(build(env=user), cache(profiles=(lora,)))))
    assert env["NIM_SERVER_PORT"] == "9000" and env["EXTRA"] == "1"
    assert env["NIM_PEFT_SOURCE"] == "/tmp"


@pytest.mark.parametrize("source", ["hf", "dataStore"])
def test_no_ngc_api_key_for_caches_of_other_sources(source: str) -> None:
    """Upstream dereferences the NGC auth secret of any cache and panics (§9 bug 4)."""
    pod = only_pod(render(build(), cache(source=source, auth_secret="")))
    assert "NGC_API_KEY" not in env_of(pod)


def test_ngc_cache_without_auth_secret_renders_no_key() -> None:
    assert "NGC_API_KEY" not in env_of(only_pod(render(build(), cache(auth_secret=""))))


def test_pod_identity_runtime_class_and_sub_path_come_from_the_cache() -> None:
    c = cache(user_id=5000, group_id=6000, runtime_class="nvidia", pvc_sub_path="models")
    pod = only_pod(render(build(), c))
    spec = pod["spec"]
    assert spec["runtimeClassName"] == "nvidia"
    assert (
        spec["securityContext"]["runAsUser"],
        spec["securityContext"]["runAsGroup"],
        spec["securityContext"]["fsGroup"],
    ) == (5000, 6000, 6000)
    ctr = spec["containers"][0]
    assert (ctr["securityContext"]["runAsUser"], ctr["securityContext"]["runAsGroup"]) == (
        5000,
        6000,
    )
    assert ctr["volumeMounts"][0]["subPath"] == "models"


def test_openshift_adds_the_scc_annotation() -> None:
    pod = only_pod(render(build(), cache(), openshift=True))
    assert pod["metadata"]["annotations"]["openshift.io/required-scc"] == "nonroot"


def test_pull_secrets_policy_and_tolerations() -> None:
    image = {"repository": "r", "tag": "t", "pullPolicy": "Always", "pullSecrets": ["ngc"]}
    tol = [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]
    spec = only_pod(render(build(image=image, tolerations=tol), cache()))["spec"]
    assert spec["imagePullSecrets"] == [{"name": "ngc"}]
    assert spec["tolerations"] == tol
    assert spec["containers"][0]["imagePullPolicy"] == "Always"


# -- GPU sizing ----------------------------------------------------------------------------------


def test_gpus_default_to_the_profile_tp() -> None:
    res, problem = build_resources(
        ResourceRequirements.model_validate({"limits": {"cpu": "4"}}), BUILDABLE)
    assert problem is None
    assert res == {
        "limits": {"cpu": "4", "nvidia.com/gpu": "2"},
        "requests": {"nvidia.com/gpu": "2"},
    }


def test_tp_tag_spelled_tensor_parallelism_counts_too() -> None:
    p = CachedProfile("p", {"tensorParallelism": "4"})
    assert build_resources(None, p)[0] == {
        "requests": {"nvidia.com/gpu": "4"},
        "limits": {"nvidia.com/gpu": "4"},
    }


def test_a_user_gpu_count_that_agrees_with_tp_is_kept() -> None:
    res, problem = build_resources(
        ResourceRequirements.model_validate({"limits": {"nvidia.com/gpu": 2}}), BUILDABLE)
    assert problem is None and res == {"limits": {"nvidia.com/gpu": "2"}}


@pytest.mark.parametrize(
    ("resources", "profile", "why"),
    [
        ({"limits": {"nvidia.com/gpu": 1}}, BUILDABLE, "builds for 2 GPU(s)"),
        (None, CachedProfile("p", {"trtllm_buildable": "true"}), "no tensor-parallelism tag"),
        (None, CachedProfile("p", {"tp": "two"}), "not a GPU count"),
    ],
)
def test_gpu_sizing_problems(resources: Any, profile: CachedProfile, why: str) -> None:
    typed = None if resources is None else ResourceRequirements.model_validate(resources)
    res, problem = build_resources(typed, profile)
    assert res is None and problem is not None
    assert (problem.reason, problem.failed) == ("InvalidGPUs", True)
    assert why in problem.message


def test_a_user_gpu_count_sizes_a_profile_without_tp() -> None:
    p = CachedProfile("p", {"trtllm_buildable": "true"})
    res, problem = build_resources(
        ResourceRequirements.model_validate({"requests": {"nvidia.com/gpu": "1"}}), p)
    assert problem is None and res == {"requests": {"nvidia.com/gpu": "1"}}


def test_invalid_gpus_render_no_pod() -> None:
    r = render(build(resources={"limits": {"nvidia.com/gpu": 8}}), cache())
    assert r.objects == () and [p.reason for p in r.problems] == ["InvalidGPUs"]


# -- stages 4 and 5 ------------------------------------------------------------------------------


def test_after_the_build_the_probe_pod_replaces_the_build_pod() -> None:
    pod = only_pod(render(build(completed(True)), cache()))
    assert pod["metadata"]["name"] == "b-local-manifest-pod"
    ctr = pod["spec"]["containers"][0]
    assert ctr["name"] == "nim-build-manifest-ctr"
    assert ctr["command"][-1] == f"cat {LOCAL_MANIFEST}; sleep infinity"
    assert "resources" not in ctr  # no GPUs to read a file
    assert pod["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"] == "c-pvc"


def test_a_failed_build_pod_is_final() -> None:
    r = render(build(completed(False)), cache())
    assert r.objects == ()
    assert [(p.reason, p.failed) for p in r.problems] == [("EngineBuildFailed", True)]


def test_a_manifest_without_the_built_profile_is_final() -> None:
    no = {"type": MANIFEST_COMPLETED, "status": "False", "reason": "BuiltProfileNotFound",
          "message": "", "lastTransitionTime": "2026-01-01T00:00:00Z"}
    r = render(build(completed(True, no)), cache())
    assert r.objects == () and [p.reason for p in r.problems] == ["BuiltProfileNotFound"]


def test_a_built_build_wants_nothing() -> None:
    r = render(build({"outputProfile": {"name": "out"}}), cache())
    assert r.ok and r.objects == ()


# -- the local manifest --------------------------------------------------------------------------


def test_built_profile_is_found_by_model_name_and_tagged_with_its_input() -> None:
    manifest = {
        "other": {"model": "m", "release": "1", "tags": {"model_name": "x"}},
        "built": {"model": "m", "release": "1.2", "tags": {"model_name": "mine", "tp": 2}},
    }
    assert built_profile(manifest, "mine", "in1") == {
        "name": "built",
        "model": "m",
        "release": "1.2",
        "config": {"model_name": "mine", "tp": "2", "input_profile": "in1"},
    }
    assert built_profile(manifest, "absent", "in1") is None


def test_built_profile_reads_v2_manifests() -> None:
    v2 = {"schema_version": "2.0", "profiles": [{"id": "p", "tags": {"model_name": "mine"}}]}
    found = built_profile(v2, "mine", "in1")
    assert found is not None and found["name"] == "p"


def test_the_api_model_renders_like_the_dict() -> None:
    obj = build(modelName="m")
    assert (
        render_nimbuild(
            NIMBuild.model_validate(obj), ClusterFacts(nimcaches={f"{NS}/c": cache()})
        ).objects
        == render(obj, cache()).objects
    )


def test_nimcache_facts_carry_what_a_build_needs() -> None:
    obj = {
        "metadata": {"name": "c"},
        "spec": {
            "source": {"ngc": {"authSecret": "k", "modelPuller": "p"}},
            "runtimeClassName": "nvidia",
            "userID": 7,
            "groupID": 8,
        },
        "status": {
            "state": "Ready",
            "pvc": "c-pvc",
            "profiles": [{"name": "p", "model": "m", "release": "r", "config": {"tp": "1"}}],
        },
    }
    f = NIMCacheFacts.from_object(obj)
    assert (f.auth_secret, f.runtime_class, f.user_id, f.group_id) == ("k", "nvidia", 7, 8)
    assert f.profiles[0] == CachedProfile("p", {"tp": "1"}, "m", "r")
    hf = NIMCacheFacts.from_object({"spec": {"source": {"hf": {"authSecret": "hf-token"}}}})
    assert hf.auth_secret == ""  # an HF token is no NGC_API_KEY
