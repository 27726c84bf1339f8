"""A NIMCache on a native (NIMCraft) NIM image: the image's config label, read from its registry
with the cache's pull secret, makes the cache `native` — the native caching Job, no manifest
probe — while a legacy image, an unreachable registry or refused credentials keep the legacy
flow. One inspection per cache generation, none once Ready. (In-process registry here;
tests/e2e/test_native_cache.py runs a real one.)"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import anyio

from tests.e2e.crs import nimcache
from tests.unit.controllers.harness import NS, Operator, gpu_node, running
from tests.unit.oci.fake_registry import FakeRegistry, serving

NATIVE = {"com.nvidia.nim.model_download_protocol": "native-v1"}
COMPLETE = {"conditions": [{"type": "Complete", "status": "True"}], "succeeded": 1}


def pull_secret(name: str, host: str, user: str = "u", password: str = "p") -> dict[str, Any]:
    auths = {"auths": {host: {"username": user, "password": password}}}
    data = base64.b64encode(json.dumps(auths).encode()).decode()
    return {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
            "metadata": {"name": name, "namespace": NS}, "data": {".dockerconfigjson": data}}


def cache_of(image: str, secret: str = "registry-secret") -> dict[str, Any]:
    ngc = {"modelPuller": image, "pullSecret": secret, "authSecret": "ngc-api-secret",
           "model": {"engine": "tensorrt_llm", "tensorParallelism": "1"}}  # fmt: skip
    return {"ngc": ngc}


async def until(op: Operator, done: Callable[[], bool]) -> None:
    """Settle until `done()`: a reconcile waiting on the registry (real sockets) is invisible to
    the twin's quiescence, so look again after a moment."""
    with anyio.fail_after(10):
        while True:
            await op.settle()
            if done():
                return
            await anyio.sleep(0.02)


def reason(op: Operator, name: str) -> str:
    conds = op.status("NIMCache", name).get("conditions") or [{}]
    return str(conds[0].get("reason", ""))


def env_of(op: Operator, job: str) -> dict[str, str]:
    ctr = op.must("Job", job)["spec"]["template"]["spec"]["containers"][0]
    return {e["name"]: e.get("value", "") for e in ctr.get("env", [])}


async def test_native_image_gets_the_native_job_and_no_probe() -> None:
    async with serving(FakeRegistry(auth="bearer")) as reg:
        reg.image("nim/native", "1", NATIVE)
        async with running(objects=[gpu_node()], image_inspection=True) as op:
            await op.put(pull_secret("registry-secret", reg.host))
            await op.put(nimcache("native", source=cache_of(f"{reg.host}/nim/native:1")))
            await until(op, lambda: bool(op.names("Job")))
            status = op.status("NIMCache", "native")
            assert status.get("type") == "native"
            assert op.names("Pod") == [], "no manifest probe for a native image"
            env = env_of(op, "native-job")
            assert env["NIM_ENGINE_MODEL_DOWNLOAD_ONLY"] == "1"
            assert env["NIM_ENGINE_MODEL_PATH"] == "/model/native"
            inspected = len(reg.seen)

            await op.set_status("PersistentVolumeClaim", "native-pvc", {"phase": "Bound"})
            await op.set_status("Job", "native-job", COMPLETE)
            status = op.status("NIMCache", "native")
            assert status["state"] == "Ready" and status["type"] == "native"
            assert status.get("profiles", []) == []
            await op.advance(11 * 3600)
            assert len(reg.seen) == inspected, "inspected once per generation, never when Ready"


async def test_legacy_image_unreachable_registry_and_refused_credentials_stay_legacy() -> None:
    async with serving(FakeRegistry(auth="basic")) as reg:
        reg.image("nim/legacy", "1", {"org.opencontainers.image.title": "x"})
        reg.image("nim/native", "1", NATIVE)
        async with running(objects=[gpu_node()], image_inspection=True) as op:
            await op.put(pull_secret("registry-secret", reg.host))
            await op.put(pull_secret("wrong-secret", reg.host, password="nope"))
            await op.put(nimcache("legacy", source=cache_of(f"{reg.host}/nim/legacy:1")))
            await op.put(nimcache("refused", source=cache_of(f"{reg.host}/nim/native:1",
                                                             "wrong-secret")))  # fmt: skip
            await op.put(nimcache("nosecret", source=cache_of(f"{reg.host}/nim/native:1",
                                                              "absent-secret")))  # fmt: skip
            await op.put(nimcache("offline", source=cache_of("127.0.0.1:9/nim/native:1")))
            for name in ("legacy", "refused", "nosecret", "offline"):
                await until(op, lambda name=name: reason(op, name) == "ModelManifestPending")
                status = op.status("NIMCache", name)
                assert "type" not in status, name
                assert status["conditions"][0]["reason"] == "ModelManifestPending", name
                assert f"{name}-pod" in op.names("Pod"), name


async def test_a_stale_native_type_is_cleared_when_the_image_changes() -> None:
    async with serving(FakeRegistry()) as reg:
        reg.image("nim/native", "1", NATIVE)
        reg.image("nim/legacy", "1", {})
        async with running(objects=[gpu_node()], image_inspection=True) as op:
            await op.put(pull_secret("registry-secret", reg.host))
            await op.put(nimcache("c", source=cache_of(f"{reg.host}/nim/native:1")))
            await until(op, lambda: bool(op.names("Job")))
            assert op.status("NIMCache", "c")["type"] == "native"
            await op.edit("NIMCache", "c", {"spec": {"source": {"ngc": {
                "modelPuller": f"{reg.host}/nim/legacy:1"}}}})  # fmt: skip
            await until(op, lambda: op.names("Pod") == ["c-pod"])
            assert "type" not in op.status("NIMCache", "c")
            assert op.names("Pod") == ["c-pod"]


async def test_inspection_off_never_asks_the_registry() -> None:
    async with serving(FakeRegistry()) as reg:
        reg.image("nim/native", "1", NATIVE)
        async with running(objects=[gpu_node()], image_inspection=False) as op:
            await op.put(pull_secret("registry-secret", reg.host))
            await op.put(nimcache("c", source=cache_of(f"{reg.host}/nim/native:1")))
            await until(op, lambda: reason(op, "c") == "ModelManifestPending")
            assert "type" not in op.status("NIMCache", "c")
        assert reg.seen == []
