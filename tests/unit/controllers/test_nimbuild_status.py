"""NIMBuild status (§1.5, §2.7): states, upstream condition types, final outcomes,
and no write when nothing changed."""

from __future__ import annotations

from typing import Any

from nimop.controllers import nimbuild_status
from nimop.controllers.conditions import find
from nimop.controllers.nimbuild import parse_local_manifest
from nimop.controllers.nimbuild_status import Observed, compute
from nimop.render import Problem, Rendered

NOW = "2026-01-01T00:00:00Z"
LATER = "2026-01-01T01:00:00Z"
INPUT = {"name": "in1", "config": {"trtllm_buildable": "true", "tp": "1"}}
OUTPUT = {"name": "out", "config": {"model_name": "m", "input_profile": "in1"}}


def build(status: dict[str, Any] | None = None) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "metadata": {"name": "b", "namespace": "ns", "generation": 1},
        "spec": {"nimCache": {"name": "c"}},
    }
    if status is not None:
        obj["status"] = status
    return obj


def pod(phase: str = "Running", ready: bool = False, **status: Any) -> dict[str, Any]:
    conds = [{"type": "Ready", "status": "True" if ready else "False"}]
    return {
        "metadata": {"name": "b-engine-build-pod"},
        "status": {"phase": phase, "conditions": conds, **status},
    }


def problems(*items: Problem) -> Rendered:
    return Rendered(problems=items)


def cond(status: dict[str, Any], kind: str) -> dict[str, Any]:
    found = find(status["conditions"], kind)
    assert found is not None, f"no {kind} in {status['conditions']}"
    return dict(found)


def test_waiting_for_the_cache_is_pending_not_failed() -> None:
    """Upstream marks the build Failed here and never looks again (§9 bug 3)."""
    s = compute(
        build(), problems(Problem("NIMCacheNotReady", "waiting for c")), Observed(), now=NOW
    )
    assert s["state"] == "Pending"
    assert cond(s, nimbuild_status.WAIT_FOR_CACHE)["status"] == "True"
    assert (cond(s, "Ready")["status"], cond(s, "Ready")["reason"]) == ("False", "NIMCacheNotReady")
    missing = compute(build(), problems(Problem("NIMCacheNotFound", "no c")), Observed(), now=NOW)
    assert missing["state"] == "Pending"
    assert cond(missing, nimbuild_status.CACHE_NOT_FOUND)["status"] == "True"


def test_failures_set_their_upstream_condition() -> None:
    for reason, kind in [
        ("NIMCacheFailed", nimbuild_status.CACHE_FAILED),
        ("NoBuildableProfile", nimbuild_status.NO_PROFILE),
        ("MultipleBuildableProfiles", nimbuild_status.MULTIPLE_PROFILES),
        ("InvalidGPUs", nimbuild_status.RECONCILE_FAILED),
    ]:
        s = compute(build(), problems(Problem(reason, "why", True)), Observed(), now=NOW)
        assert s["state"] == "Failed", reason
        assert (cond(s, kind)["status"], cond(s, kind)["reason"]) == ("True", reason)
        assert cond(s, "Ready")["message"] == "why"


def test_a_resolved_wait_is_cleared_and_the_build_starts() -> None:
    waiting = compute(build(), problems(Problem("NIMCacheNotFound", "no c")), Observed(), now=NOW)
    s = compute(build(waiting), Rendered(), Observed(input_profile=INPUT), now=LATER)
    assert s["state"] == "Pending"
    assert cond(s, nimbuild_status.CACHE_NOT_FOUND)["status"] == "False"
    assert cond(s, nimbuild_status.SINGLE_PROFILE)["status"] == "True"
    assert cond(s, "Ready")["reason"] == "BuildPodPending"
    assert s["inputProfile"] == INPUT
    assert find(s["conditions"], nimbuild_status.WAIT_FOR_CACHE) is None  # never set, not added


def test_a_running_build_pod_is_in_progress() -> None:
    s = compute(build(), Rendered(), Observed(pod("Pending"), INPUT), now=NOW)
    assert s["state"] == "InProgress"
    assert cond(s, nimbuild_status.POD_CREATED)["status"] == "True"
    assert (
        cond(s, nimbuild_status.POD_PENDING)["status"],
        cond(s, nimbuild_status.POD_PENDING)["reason"],
    ) == ("True", "PodRunning")
    assert "phase Pending" in cond(s, "Ready")["message"]


def test_a_ready_build_pod_completes_the_build_stage() -> None:
    s = compute(build(), Rendered(), Observed(pod(ready=True), INPUT), now=NOW)
    assert s["state"] == "InProgress"
    done = cond(s, "NIM_BUILD_ENGINE_BUILD_POD_COMPLETED")
    assert (done["status"], done["reason"]) == ("True", "PodReady")
    assert cond(s, nimbuild_status.POD_PENDING)["status"] == "False"
    # Next round: the pod is gone (deleted); the completed stage stands on the status alone.
    after = compute(build(s), Rendered(), Observed(None, INPUT), now=LATER)
    assert after["state"] == "InProgress"
    assert cond(after, "Ready")["reason"] == "LocalManifestPending"
    assert cond(after, "NIM_BUILD_ENGINE_BUILD_POD_COMPLETED")["status"] == "True"


def test_a_failed_build_pod_fails_the_build_for_good() -> None:
    terminated = {
        "containerStatuses": [{"state": {"terminated": {"reason": "Error", "exitCode": 3}}}]
    }
    s = compute(build(), Rendered(), Observed(pod("Failed", **terminated), INPUT), now=NOW)
    assert s["state"] == "Failed"
    assert cond(s, "NIM_BUILD_ENGINE_BUILD_POD_COMPLETED")["reason"] == "PodFailed"
    ready = cond(s, "Ready")
    assert ready["reason"] == "EngineBuildFailed" and "Error (exit code 3)" in ready["message"]
    # Later rounds render EngineBuildFailed (no pod): the status stays exactly as written.
    later = compute(
        build(s),
        problems(Problem("EngineBuildFailed", "other text", True)),
        Observed(None, INPUT),
        now=LATER,
    )
    assert later == s


def test_the_built_profile_makes_it_ready_and_stays() -> None:
    running = {
        "conditions": [
            {
                "type": "NIM_BUILD_ENGINE_BUILD_POD_COMPLETED",
                "status": "True",
                "reason": "PodReady",
                "observedGeneration": 1,
                "lastTransitionTime": NOW,
            }
        ],
        "inputProfile": INPUT,
    }
    s = compute(build(running), Rendered(), Observed(None, INPUT, OUTPUT), now=NOW)
    assert s["state"] == "Ready"
    assert s["outputProfile"] == OUTPUT and s["inputProfile"] == INPUT
    assert cond(s, "NIM_BUILD_MODEL_MANIFEST_POD_COMPLETED")["status"] == "True"
    assert (cond(s, "Ready")["status"], cond(s, "Ready")["reason"]) == ("True", "ProfileBuilt")
    # Ready is final: even a cache problem later changes nothing.
    later = compute(build(s), problems(Problem("NIMCacheNotFound", "gone")), Observed(), now=LATER)
    assert later == s


def test_a_manifest_without_the_profile_is_final() -> None:
    running = {
        "conditions": [
            {"type": "NIM_BUILD_ENGINE_BUILD_POD_COMPLETED", "status": "True", "reason": "PodReady"}
        ]
    }
    s = compute(
        build(running),
        problems(Problem("BuiltProfileNotFound", "no m", True)),
        Observed(None, INPUT),
        now=NOW,
    )
    assert s["state"] == "Failed"
    manifest = cond(s, "NIM_BUILD_MODEL_MANIFEST_POD_COMPLETED")
    assert (manifest["status"], manifest["reason"]) == ("False", "BuiltProfileNotFound")
    later = compute(
        build(s),
        problems(Problem("BuiltProfileNotFound", "generic", True)),
        Observed(None, INPUT),
        now=LATER,
    )
    assert later == s


def test_an_unchanged_status_computes_identically() -> None:
    first = compute(build(), Rendered(), Observed(pod(), INPUT), now=NOW)
    again = compute(build(first), Rendered(), Observed(pod(), INPUT), now=LATER)
    assert again == first


def test_parse_local_manifest() -> None:
    text = "built:\n  model: m\n  tags:\n    model_name: mine\n"
    found = parse_local_manifest(text, "mine", "in1")
    assert found.profile is not None and found.profile["config"]["input_profile"] == "in1"
    absent = parse_local_manifest(text, "other", "in1")
    assert absent.problem is not None and absent.problem.reason == "BuiltProfileNotFound"
    assert "model_name other" in absent.problem.message
    missing = parse_local_manifest(
        "cat: /model-store/local_cache/local_manifest.yaml: No such file or directory", "m", "i"
    )
    assert missing.problem is not None and "No such file" in missing.problem.message
