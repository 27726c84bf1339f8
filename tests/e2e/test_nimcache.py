"""NIMCache end to end: PVC, manifest probe, caching Job completed by kwok, status."""

from __future__ import annotations

from pathlib import Path

from tests.cluster import Cluster
from tests.cluster.controlplane import cri_log, kwok_logs
from tests.e2e.crs import nimcache, ready_condition, wait_state
from tests.operator_process import OperatorProcess
from tests.support import apply, get, items


def test_ngc_cache_probes_the_manifest_selects_profiles_and_becomes_ready(
    cluster: Cluster, namespace: str, operator: OperatorProcess
) -> None:
    apply(cluster, namespace, nimcache("llama"))
    cache = wait_state(cluster, "nimcache", "llama", namespace, "Ready")
    status = cache["status"]
    assert status["pvc"] == "llama-pvc"
    # tensorrt_llm + tp 1 on the cluster's H100s: the one H100 fp8 tp1 profile of the manifest
    assert [p["config"]["tp"] for p in status["profiles"]] == ["1"]
    assert all(p["config"]["gpu"] == "H100" for p in status["profiles"])
    assert ready_condition(cache)["reason"] == "JobCompleted"
    job_args = get(cluster, "job", "llama-job", namespace)
    if job_args is not None:  # a completed Job may already be pruned
        args = job_args["spec"]["template"]["spec"]["containers"][0].get("args", [])
        assert status["profiles"][0]["name"] in " ".join(args)
    manifest = get(cluster, "configmap", "llama-manifest", namespace)
    assert manifest is not None and "tensorrt_llm" in manifest["data"]["model_manifest.yaml"]
    assert get(cluster, "pod", "llama-pod", namespace) is None or _terminating(cluster, namespace)


def _terminating(cluster: Cluster, namespace: str) -> bool:
    pod = get(cluster, "pod", "llama-pod", namespace)
    return pod is None or bool(pod["metadata"].get("deletionTimestamp"))


def test_huggingface_cache_without_manifest_is_model_free_and_ready(
    cluster: Cluster, namespace: str, operator: OperatorProcess, tmp_path: Path
) -> None:
    log = tmp_path / "hf-probe.log"
    log.write_text(cri_log("model_manifest.yaml not found"))
    cluster.apply([kwok_logs("Logs", "hf-pod", namespace, "nim-cache-ctr", log)])
    source = {
        "hf": {
            "endpoint": "https://huggingface.co",
            "namespace": "meta-llama",
            "modelName": "Llama-3.2-1B-Instruct",
            "authSecret": "hf-token",
            "modelPuller": "nvcr.io/nim/nvidia/llm-nim:1.12.0",
            "pullSecret": "ngc-secret",
        }
    }
    apply(cluster, namespace, nimcache("hf", source=source))
    cache = wait_state(cluster, "nimcache", "hf", namespace, "Ready")
    assert cache["status"]["type"] == "model-free"
    assert cache["status"]["pvc"] == "hf-pvc"


def test_a_ready_cache_is_never_run_again(
    cluster: Cluster, namespace: str, operator: OperatorProcess
) -> None:
    apply(cluster, namespace, nimcache("once"))
    wait_state(cluster, "nimcache", "once", namespace, "Ready")
    jobs_before = [j["metadata"]["uid"] for j in items(cluster, "jobs", namespace)]
    cluster.kubectl("delete", "job", "--all", "-n", namespace, "--wait=true")
    cluster.kubectl("annotate", "nimcache", "once", "-n", namespace, "touched=yes")
    cache = wait_state(cluster, "nimcache", "once", namespace, "Ready")
    assert cache["status"]["state"] == "Ready"
    jobs_after = [j["metadata"]["uid"] for j in items(cluster, "jobs", namespace)]
    assert not set(jobs_after) - set(jobs_before), "a Ready cache started a new Job"
