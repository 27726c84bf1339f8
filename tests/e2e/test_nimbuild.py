"""NIMBuild end to end: NIMCache Ready → engine build pod → Ready → local manifest → the built
profile in the NIMBuild's outputProfile and in the NIMCache's profiles.

kwok makes every pod Running and Ready by itself, which is what a build pod does when its engine
is built. The local-manifest probe pod gets its log from a kwok `Logs` object per test.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import yaml

from tests.cluster import Cluster
from tests.cluster.controlplane import cri_log, kwok_logs
from tests.e2e.crs import API, PULLER, nimcache, ready_condition, state, wait_state
from tests.operator_process import OperatorProcess
from tests.support import apply, condition, eventually, get

EXAMPLE = Path(__file__).resolve().parents[2] / "api" / "examples" / "nimbuild.yaml"
MANIFEST_CTR = "nim-build-manifest-ctr"
BUILT_ID = "b0b1b2b3-built-llama-tp1"
#: The id of the buildable profile in tests/cluster/data/model_manifest.yaml.
BUILDABLE_ID = "9b3c1d7e2f4a5b6c8d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e"
BUILDABLE_MODEL = {"buildable": True, "precision": "bf16"}


def local_manifest(model_name: str) -> str:
    """What the build leaves in `/model-store/local_cache/local_manifest.yaml`."""
    return yaml.safe_dump(
        {
            BUILT_ID: {
                "model": "meta/llama-3.2-1b-instruct",
                "release": "1.12.0",
                "tags": {
                    "llm_engine": "tensorrt_llm",
                    "precision": "bf16",
                    "tp": "1",
                    "model_name": model_name,
                    "gpu": "H100",
                },
            }
        }
    )


def give_manifest_log(
    cluster: Cluster, namespace: str, build: str, text: str, tmp_path: Path
) -> None:
    log = tmp_path / f"{build}-local-manifest.log"
    log.write_text(cri_log(text))
    pod = f"{build}-local-manifest-pod"
    cluster.apply([kwok_logs("Logs", pod, namespace, MANIFEST_CTR, log)])


def nimbuild(name: str, cache: str, **spec: Any) -> dict[str, Any]:
    body = {
        "nimCache": {"name": cache},
        "image": {"repository": "nvcr.io/nim/meta/llama-3.2-1b-instruct", "tag": "1.12.0"},
        **spec,
    }
    return {"apiVersion": API, "kind": "NIMBuild", "metadata": {"name": name}, "spec": body}


def buildable_cache(name: str) -> dict[str, Any]:
    source = {
        "ngc": {
            "modelPuller": PULLER,
            "pullSecret": "ngc-secret",
            "authSecret": "ngc-api-secret",
            "model": BUILDABLE_MODEL,
        }
    }
    return nimcache(name, source=source)


def gone(cluster: Cluster, namespace: str, pod: str) -> bool:
    obj = get(cluster, "pod", pod, namespace)
    return obj is None or bool(obj["metadata"].get("deletionTimestamp"))


def test_example_builds_an_engine_and_adds_the_profile_to_the_cache(
    cluster: Cluster, namespace: str, operator: OperatorProcess, tmp_path: Path
) -> None:
    cache_doc, build_doc = list(yaml.safe_load_all(EXAMPLE.read_text()))
    cache_name, name = cache_doc["metadata"]["name"], build_doc["metadata"]["name"]
    model = build_doc["spec"]["modelName"]
    give_manifest_log(cluster, namespace, name, local_manifest(model), tmp_path)
    apply(cluster, namespace, cache_doc, build_doc)

    wait_state(cluster, "nimcache", cache_name, namespace, "Ready")
    built = wait_state(cluster, "nimbuild", name, namespace, "Ready", timeout=120)

    status = built["status"]
    assert status["inputProfile"]["name"] == BUILDABLE_ID
    assert status["inputProfile"]["config"]["trtllm_buildable"] == "true"
    assert status["outputProfile"]["name"] == BUILT_ID
    assert status["outputProfile"]["config"]["model_name"] == model
    assert ready_condition(built)["reason"] == "ProfileBuilt"
    completed = condition(built, "NIM_BUILD_ENGINE_BUILD_POD_COMPLETED")
    assert completed is not None and completed["status"] == "True"

    cache = get(cluster, "nimcache", cache_name, namespace)
    assert cache is not None
    profiles = {p["name"]: p for p in cache["status"]["profiles"]}
    assert BUILDABLE_ID in profiles, "the cached input profile was dropped"
    assert profiles[BUILT_ID]["config"]["input_profile"] == BUILDABLE_ID
    assert cache["status"]["state"] == "Ready"

    eventually(
        lambda: gone(cluster, namespace, f"{name}-engine-build-pod"), what="build pod deleted"
    )
    eventually(
        lambda: gone(cluster, namespace, f"{name}-local-manifest-pod"), what="probe pod deleted"
    )
    # The NIMCache controller keeps the appended profile (a Ready cache never recomputes).
    cluster.kubectl("annotate", "nimcache", cache_name, "-n", namespace, "touched=yes")
    time.sleep(2)
    after = get(cluster, "nimcache", cache_name, namespace)
    assert after is not None
    assert BUILT_ID in [p["name"] for p in after["status"]["profiles"]]


def test_a_build_created_before_its_cache_waits_and_then_runs(
    cluster: Cluster, namespace: str, operator: OperatorProcess, tmp_path: Path
) -> None:
    give_manifest_log(cluster, namespace, "early", local_manifest("early"), tmp_path)
    apply(cluster, namespace, nimbuild("early", "late-cache"))

    waiting = wait_state(cluster, "nimbuild", "early", namespace, "Pending")
    assert ready_condition(waiting)["reason"] == "NIMCacheNotFound"
    time.sleep(3)
    assert state(cluster, "nimbuild", "early", namespace) == "Pending"

    apply(cluster, namespace, buildable_cache("late-cache"))
    built = wait_state(cluster, "nimbuild", "early", namespace, "Ready", timeout=120)
    assert built["status"]["outputProfile"]["name"] == BUILT_ID
    found = condition(built, "NIM_BUILD_NIM_CACHE_NOT_FOUND")
    assert found is not None and found["status"] == "False"
    # GPUs sized from the input profile's tp tag: nothing in the spec asked for any.
    assert built["status"]["inputProfile"]["config"]["tp"] == "1"


def test_a_cache_without_a_buildable_profile_fails_the_build_with_a_reason(
    cluster: Cluster, namespace: str, operator: OperatorProcess
) -> None:
    apply(cluster, namespace, nimcache("plain"), nimbuild("nobuild", "plain"))
    wait_state(cluster, "nimcache", "plain", namespace, "Ready")
    failed = wait_state(cluster, "nimbuild", "nobuild", namespace, "Failed")
    ready = ready_condition(failed)
    assert ready["reason"] == "NoBuildableProfile"
    assert "no buildable profile" in ready["message"]
    found = condition(failed, "NIM_BUILD_NO_BUILDABLE_PROFILE_FOUND")
    assert found is not None and found["status"] == "True"
    assert get(cluster, "pod", "nobuild-engine-build-pod", namespace) is None
