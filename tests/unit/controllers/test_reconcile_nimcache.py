"""NIMCache reconcile on the in-memory API: PVC and manifest probe, the caching Job from the
probed manifest, Ready from the Job, a running Job replaced on a spec change, children put
back, deletion releasing upstream's finalizer, conflicts retried, no optional API needed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nimop.watch.testing import Fault
from tests.e2e.crs import nimcache
from tests.unit.controllers.harness import NS, Operator, gpu_node, running

MANIFEST = Path(__file__).resolve().parents[2] / "cluster" / "data" / "model_manifest.yaml"
H100_TP1 = "4f904d571fe60ff24695b5ee2aa42da58cb460787a968f1e8a09f5a7e862728d"
HF = {"hf": {"endpoint": "https://huggingface.co", "namespace": "meta-llama",
             "modelName": "Llama-3.2-1B-Instruct", "authSecret": "hf-token",
             "modelPuller": "nvcr.io/nim/nvidia/llm-nim:1.12.0", "pullSecret": "ngc-secret"}}
COMPLETE = {"conditions": [{"type": "Complete", "status": "True"}], "succeeded": 1}


async def probe_runs(op: Operator, name: str, log: str) -> None:
    """The kubelet runs the probe pod and its container prints `log`."""
    op.twin.pod_logs[(NS, f"{name}-pod")] = log
    await op.set_status("Pod", f"{name}-pod", {"phase": "Running"})


async def cached(op: Operator, name: str) -> None:
    """From a new NIMCache to a completed caching Job."""
    await op.put(nimcache(name))
    await probe_runs(op, name, MANIFEST.read_text())
    await op.set_status("PersistentVolumeClaim", f"{name}-pvc", {"phase": "Bound"})
    await op.set_status("Job", f"{name}-job", COMPLETE)


def job_args(op: Operator, name: str) -> str:
    container = op.must("Job", f"{name}-job")["spec"]["template"]["spec"]["containers"][0]
    return " ".join([*container.get("command", []), *container.get("args", [])])


async def test_create_probes_the_manifest_then_caches_and_becomes_ready() -> None:
    async with running(objects=[gpu_node()]) as op:
        await op.put(nimcache("llama"))
        assert op.names("PersistentVolumeClaim") == ["llama-pvc"]
        assert op.names("Pod") == ["llama-pod"] and op.names("Job") == []
        status = op.status("NIMCache", "llama")
        assert status["state"] == "NotReady"
        assert status["conditions"][0]["reason"] == "ModelManifestPending"

        await probe_runs(op, "llama", MANIFEST.read_text())
        assert op.names("ConfigMap") == ["llama-manifest"]
        assert op.names("Job") == ["llama-job"] and op.names("Pod") == [], "probe pod removed"
        assert H100_TP1 in job_args(op, "llama"), "the H100 tp1 profile of the manifest"

        await op.set_status("PersistentVolumeClaim", "llama-pvc", {"phase": "Bound"})
        await op.set_status("Job", "llama-job", COMPLETE)
        status = op.status("NIMCache", "llama")
        assert status["state"] == "Ready" and status["pvc"] == "llama-pvc"
        assert [p["name"] for p in status["profiles"]] == [H100_TP1]
        assert ("Normal", "JobCompleted") in op.events()


async def test_ready_cache_is_quiet_and_never_runs_again() -> None:
    async with running(objects=[gpu_node()]) as op:
        await cached(op, "llama")
        op.forget()
        await op.advance(11 * 3600)  # past the resync period: every cache is reconciled again
        assert op.writes() == []
        job_uid = op.must("Job", "llama-job")["metadata"]["uid"]
        await op.remove("Job", "llama-job")
        await op.edit("NIMCache", "llama", {"metadata": {"annotations": {"touched": "yes"}}})
        assert op.get("Job", "llama-job") is None, f"a Ready cache started a new Job ({job_uid})"
        assert op.status("NIMCache", "llama")["state"] == "Ready"


async def test_model_free_image_is_recorded_from_the_probe() -> None:
    async with running(objects=[gpu_node()]) as op:
        await op.put(nimcache("hf", source=HF))
        await probe_runs(op, "hf", "error: model_manifest.yaml not found\n")
        assert op.status("NIMCache", "hf")["type"] == "model-free"
        assert op.names("Job") == ["hf-job"]


async def test_spec_change_while_the_job_runs_replaces_the_job() -> None:
    async with running(objects=[gpu_node()]) as op:
        await op.put(nimcache("llama"))
        await probe_runs(op, "llama", MANIFEST.read_text())
        first = op.must("Job", "llama-job")
        await op.edit("NIMCache", "llama", {"spec": {"resources": {"cpu": "2"}}})
        second = op.must("Job", "llama-job")
        assert second["metadata"]["uid"] != first["metadata"]["uid"], "a new Job"
        assert second["metadata"]["annotations"] != first["metadata"]["annotations"]
        deletes = [r for r in op.twin.writes(verb="delete", resource="jobs")]
        assert [r.name for r in deletes] == ["llama-job"]


async def test_a_child_deleted_or_edited_by_hand_is_put_back() -> None:
    async with running(objects=[gpu_node()]) as op:
        await op.put(nimcache("llama"))
        await op.remove("PersistentVolumeClaim", "llama-pvc")
        assert op.get("PersistentVolumeClaim", "llama-pvc") is not None, "recreated"
        labels = op.must("Pod", "llama-pod")["metadata"]["labels"]
        key = next(k for k in labels if k.startswith("app.kubernetes.io/"))
        await op.edit("Pod", "llama-pod", {"metadata": {"labels": {key: "edited"}}})
        assert op.must("Pod", "llama-pod")["metadata"]["labels"][key] == labels[key]


async def test_deletion_releases_the_upstream_finalizer_and_children_go() -> None:
    async with running(objects=[gpu_node()]) as op:
        cache: dict[str, Any] = nimcache("old")
        cache["metadata"]["finalizers"] = ["finalizer.nimcache.apps.nvidia.com"]
        await op.put(cache)
        assert op.names("PersistentVolumeClaim") == ["old-pvc"]
        live = op.get("NIMCache", "old")
        assert live is not None and not live["metadata"].get("finalizers"), (
            "upstream's finalizer is released on the first reconcile, not only at deletion"
        )
        op.forget()
        await op.remove("NIMCache", "old")
        assert op.get("NIMCache", "old") is None, "nothing holds the deletion"
        assert op.names("PersistentVolumeClaim") == [] and op.names("Pod") == []
        assert [(r.verb, r.resource) for r in op.writes()] == []


async def test_a_conflict_is_retried_quietly() -> None:
    async with running(objects=[gpu_node()]) as op:
        conflict = op.twin.inject(Fault(status=409), verb="apply", resource="pods", times=2)
        await op.put(nimcache("llama"))
        await op.advance(1)  # the per-key backoff after a conflict is milliseconds
        assert conflict.exhausted
        assert op.names("Pod") == ["llama-pod"]
        assert op.status("NIMCache", "llama")["state"] == "NotReady"
        assert not [e for e in op.events() if e[0] == "Warning"]


async def test_works_without_any_optional_api() -> None:
    async with running(optional=(), objects=[gpu_node()]) as op:
        await cached(op, "llama")
        assert op.status("NIMCache", "llama")["state"] == "Ready"


async def test_an_unreadable_probe_log_is_read_again_shortly() -> None:
    async with running(objects=[gpu_node()]) as op:
        await op.put(nimcache("llama"))
        await op.set_status("Pod", "llama-pod", {"phase": "Running"})  # no log yet
        assert op.names("ConfigMap") == [] and op.names("Job") == []
        op.twin.pod_logs[(NS, "llama-pod")] = MANIFEST.read_text()
        await op.advance(5)  # no event says a log became readable: the reconcile asks again
        assert op.names("ConfigMap") == ["llama-manifest"] and op.names("Job") == ["llama-job"]
