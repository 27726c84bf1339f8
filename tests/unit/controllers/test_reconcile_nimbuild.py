"""NIMBuild reconcile on the in-memory API: it waits for its NIMCache, runs the engine build
pod, records the outcome before the pod goes, reads the local manifest from the probe pod, and
adds the built profile to the NIMCache; deletion, a conflict on the NIMCache write, and a
build whose manifest holds no engine."""

from __future__ import annotations

from typing import Any

import yaml

from nimop.watch.testing import Fault
from tests.e2e.crs import API, PULLER, nimcache
from tests.unit.controllers.harness import NS, Operator, gpu_node, running
from tests.unit.controllers.test_reconcile_nimcache import COMPLETE, MANIFEST

BUILDABLE_ID = "9b3c1d7e2f4a5b6c8d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e"
BUILT_ID = "b0b1b2b3-built-llama-tp1"
READY_POD = {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}


def nimbuild(name: str, cache: str) -> dict[str, Any]:
    return {"apiVersion": API, "kind": "NIMBuild", "metadata": {"name": name},
            "spec": {"nimCache": {"name": cache}, "modelName": f"{name}-engine",
                     "image": {"repository": "nvcr.io/nim/meta/llama-3.2-1b-instruct",
                               "tag": "1.12.0"}}}  # fmt: skip


def local_manifest(model_name: str) -> str:
    return yaml.safe_dump({BUILT_ID: {
        "model": "meta/llama-3.2-1b-instruct", "release": "1.12.0",
        "tags": {"llm_engine": "tensorrt_llm", "precision": "bf16", "tp": "1",
                 "model_name": model_name, "gpu": "H100"}}})  # fmt: skip


async def ready_cache(op: Operator, name: str) -> None:
    source = {"ngc": {"modelPuller": PULLER, "pullSecret": "ngc-secret",
                      "authSecret": "ngc-api-secret",
                      "model": {"buildable": True, "precision": "bf16"}}}  # fmt: skip
    await op.put(nimcache(name, source=source))
    op.twin.pod_logs[(NS, f"{name}-pod")] = MANIFEST.read_text()
    await op.set_status("Pod", f"{name}-pod", {"phase": "Running"})
    await op.set_status("PersistentVolumeClaim", f"{name}-pvc", {"phase": "Bound"})
    await op.set_status("Job", f"{name}-job", COMPLETE)
    assert op.status("NIMCache", name)["state"] == "Ready"


async def engine_built(op: Operator, build: str, log: str) -> None:
    await op.set_status("Pod", f"{build}-engine-build-pod", READY_POD)
    op.twin.pod_logs[(NS, f"{build}-local-manifest-pod")] = log
    await op.set_status("Pod", f"{build}-local-manifest-pod", {"phase": "Running"})


async def test_a_build_waits_for_its_cache_then_builds_and_records_the_profile() -> None:
    async with running(objects=[gpu_node()]) as op:
        await op.put(nimbuild("eng", "cache"))
        status = op.status("NIMBuild", "eng")
        assert status["state"] == "Pending" and op.names("Pod") == []
        await ready_cache(op, "cache")
        assert "eng-engine-build-pod" in op.names("Pod")
        assert op.status("NIMBuild", "eng")["inputProfile"]["name"] == BUILDABLE_ID

        await engine_built(op, "eng", local_manifest("eng-engine"))
        built = op.status("NIMBuild", "eng")
        assert built["state"] == "Ready" and built["outputProfile"]["name"] == BUILT_ID
        profiles = [p["name"] for p in op.status("NIMCache", "cache")["profiles"]]
        assert BUILDABLE_ID in profiles and BUILT_ID in profiles
        assert not [p for p in op.names("Pod") if p.startswith("eng-")], "both pods removed"
        op.forget()
        await op.advance(11 * 3600)
        assert op.writes() == [], "a finished build is quiet"


async def test_a_manifest_without_the_engine_fails_the_build() -> None:
    async with running(objects=[gpu_node()]) as op:
        await ready_cache(op, "cache")
        await op.put(nimbuild("eng", "cache"))
        await engine_built(op, "eng", local_manifest("some-other-model"))
        status = op.status("NIMBuild", "eng")
        ready = next(c for c in status["conditions"] if c["type"] == "Ready")
        assert status["state"] == "Failed" and ready["status"] == "False", status
        assert "BuiltProfileNotFound" in {c["reason"] for c in status["conditions"]}


async def test_a_conflict_on_the_cache_profiles_write_is_retried() -> None:
    async with running(objects=[gpu_node()]) as op:
        await ready_cache(op, "cache")
        await op.put(nimbuild("eng", "cache"))
        conflict = op.twin.inject(Fault(status=409), verb="patch", resource="nimcaches")
        await engine_built(op, "eng", local_manifest("eng-engine"))
        await op.advance(1)
        assert conflict.exhausted
        assert BUILT_ID in [p["name"] for p in op.status("NIMCache", "cache")["profiles"]]
        assert op.status("NIMBuild", "eng")["state"] == "Ready"


async def test_deleting_a_build_mid_way_removes_its_pod() -> None:
    async with running(objects=[gpu_node()]) as op:
        await ready_cache(op, "cache")
        await op.put(nimbuild("eng", "cache"))
        assert "eng-engine-build-pod" in op.names("Pod")
        await op.remove("NIMBuild", "eng")
        assert "eng-engine-build-pod" not in op.names("Pod")
        assert op.status("NIMCache", "cache")["state"] == "Ready"


async def test_a_build_pod_deleted_by_hand_is_recreated() -> None:
    async with running(objects=[gpu_node()]) as op:
        await ready_cache(op, "cache")
        await op.put(nimbuild("eng", "cache"))
        first = op.must("Pod", "eng-engine-build-pod")["metadata"]["uid"]
        await op.remove("Pod", "eng-engine-build-pod")
        again = op.must("Pod", "eng-engine-build-pod")
        assert again["metadata"]["uid"] != first
