"""A NIMService without a NIMCache on a native (NIMCraft) image: the controller reads the
image's model-download label from its registry with `spec.image.pullSecrets` and renders the
native layout; once per generation. An image it cannot inspect holds the service `NotReady`
with `ImageInspectionFailed` (nothing guessed, nothing running torn down) and is retried on a
backoff — which is also how a pull secret created later is found (Secrets are not watched).
(In-process registry; tests/e2e/test_native_cache.py runs a real one.)"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from nimop.controllers.image_protocol import ImageProtocols
from nimop.controllers.runtime import Runtime
from tests.e2e.crs import nimcache, nimservice
from tests.unit.controllers.harness import Operator, running
from tests.unit.controllers.test_native_cache import NATIVE, pull_secret, until
from tests.unit.oci.fake_registry import FakeRegistry, serving

PATH = "NIM_ENGINE_MODEL_PATH"


def image(host: str, repo: str, secrets: tuple[str, ...] = ()) -> dict[str, Any]:
    body: dict[str, Any] = {"repository": f"{host}/{repo}", "tag": "1"}
    if secrets:
        body["pullSecrets"] = list(secrets)
    return body


def container(op: Operator, name: str) -> dict[str, Any]:
    pod = op.must("Deployment", name)["spec"]["template"]["spec"]
    ctr: dict[str, Any] = pod["containers"][0]
    return ctr


def layout(op: Operator, name: str) -> tuple[list[str], str | None]:
    ctr = container(op, name)
    mounts = [m["mountPath"] for m in ctr["volumeMounts"] if m["name"] == "model-store"]
    env = {e["name"]: e.get("value") for e in ctr["env"]}
    return mounts, env.get(PATH)


def ready_condition(op: Operator, name: str) -> dict[str, Any]:
    conds = op.status("NIMService", name).get("conditions") or []
    return next((c for c in conds if c["type"] == "Ready"), {})


async def test_a_native_image_gets_the_native_layout_once_per_generation() -> None:
    async with serving(FakeRegistry(auth="bearer")) as reg:
        reg.image("nim/native", "1", NATIVE)
        reg.image("nim/legacy", "1", {})
        async with running(image_inspection=True) as op:
            await op.put(pull_secret("registry-secret", reg.host))
            await op.put(pull_secret("other", "elsewhere.example"))
            await op.put(nimservice("native", image=image(reg.host, "nim/native",
                                                          ("other", "registry-secret"))))
            await op.put(nimservice("legacy", image=image(reg.host, "nim/legacy",
                                                          ("registry-secret",))))
            await until(op, lambda: {"native", "legacy"} <= set(op.names("Deployment")))
            assert layout(op, "native") == (["/model"], "/model/native")
            assert layout(op, "legacy") == (["/model-store"], None)
            inspected = len(reg.seen)
            assert any(auth == "Bearer t0ken" for _, auth in reg.seen), "the pull secret"

            await op.set_status("Deployment", "native", {"availableReplicas": 1})
            await op.advance(3600)
            assert len(reg.seen) == inspected, "one inspection per generation"
            await op.edit("NIMService", "native", {"spec": {"env": [
                {"name": PATH, "value": "/model/mine"}]}})  # fmt: skip
            await until(op, lambda: layout(op, "native")[1] == "/model/mine")
            assert len(reg.seen) > inspected, "a new generation is inspected again"


async def test_an_uninspectable_image_holds_the_service_and_is_retried() -> None:
    async with serving(FakeRegistry(auth="basic")) as reg, running(image_inspection=True) as op:
        spec = image(reg.host, "nim/native", ("registry-secret",))
        await op.put(nimservice("svc", image=spec))
        await until(op, lambda: ready_condition(op, "svc").get("reason") ==
                    "ImageInspectionFailed")  # fmt: skip
        status = op.status("NIMService", "svc")
        assert status["state"] == "NotReady"
        cond = ready_condition(op, "svc")
        assert cond["status"] == "False"
        assert f"{reg.host}/nim/native:1" in cond["message"]
        assert "registry-secret" in cond["message"], cond["message"]
        assert op.names("Deployment") == []
        assert op.names("Service") == ["svc"], "everything but the workload is applied"
        assert reg.seen == [], "no registry request without the secret"

        await op.put(pull_secret("registry-secret", reg.host))  # wakes nothing
        assert op.names("Deployment") == []
        await op.advance(5)  # the first retry: the secret is found, the image is not
        await until(op, lambda: bool(reg.seen))
        assert ready_condition(op, "svc")["reason"] == "ImageInspectionFailed"
        assert op.names("Deployment") == []
        reg.image("nim/native", "1", NATIVE)
        await op.advance(15)
        await until(op, lambda: op.names("Deployment") == ["svc"])
        assert layout(op, "svc") == (["/model"], "/model/svc")


async def test_a_failed_inspection_leaves_the_running_workload_alone() -> None:
    async with serving(FakeRegistry()) as reg:
        reg.image("nim/native", "1", NATIVE)
        async with running(image_inspection=True) as op:
            await op.put(nimservice("svc", image=image(reg.host, "nim/native")))
            await until(op, lambda: op.names("Deployment") == ["svc"])
            before = container(op, "svc")
            await op.edit("NIMService", "svc", {"spec": {"image": {"tag": "2"}}})
            await until(op, lambda: ready_condition(op, "svc").get("reason") ==
                        "ImageInspectionFailed")  # fmt: skip
            assert container(op, "svc") == before, "not rolled to a guessed layout"


async def test_what_runs_the_same_image_keeps_its_layout_while_the_registry_is_out() -> None:
    """After an operator restart (memo gone) with the registry failing, a service whose
    Deployment already runs the image keeps that layout: an edit still applies, and it is not
    marked NotReady; the inspection is still retried."""
    async with serving(FakeRegistry()) as reg:
        reg.image("nim/native", "1", NATIVE)
        async with running(image_inspection=True) as op:
            await op.put(nimservice("svc", image=image(reg.host, "nim/native")))
            await until(op, lambda: op.names("Deployment") == ["svc"])
            await op.set_status("Deployment", "svc", {"availableReplicas": 1, "replicas": 1,
                                                      "readyReplicas": 1})  # fmt: skip
            op.reconciler("nimservice").protocols._memo.clear()  # a new operator process
            reg.manifests.clear()  # and the registry no longer answers for the image
            seen = len(reg.seen)
            await op.edit("NIMService", "svc", {"spec": {"env": [{"name": "X", "value": "1"}]}})
            await until(op, lambda: {e["name"] for e in container(op, "svc")["env"]} >= {"X"})
            assert len(reg.seen) > seen, "inspected again"
            assert layout(op, "svc") == (["/model"], "/model/svc")
            assert ready_condition(op, "svc").get("reason") != "ImageInspectionFailed"


async def test_no_inspection_with_a_nimcache_or_when_turned_off() -> None:
    async with serving(FakeRegistry()) as reg:
        reg.image("nim/native", "1", NATIVE)
        async with running(image_inspection=True) as op:
            await op.put(nimcache("c", source={"hf": {"endpoint": "https://huggingface.co",
                                                      "namespace": "org", "modelName": "m"}}))
            await op.put(nimservice("on-cache", image=image(reg.host, "nim/native"),
                                    storage={"nimCache": {"name": "c"}}))
            assert reg.seen == [], "a NIMCache's status.type decides, not the image"
        async with running(image_inspection=False) as op:
            await op.put(nimservice("off", image=image(reg.host, "nim/native")))
            await until(op, lambda: op.names("Deployment") == ["off"])
            assert layout(op, "off") == (["/model-store"], None)
        assert reg.seen == []


async def test_failures_are_retried_on_a_backoff_and_a_cache_s_stand() -> None:
    """`verdict`: a failed inspection is not repeated before its retry is due (5 s, 15 s,
    1 min, then every 5 min); `native` (a NIMCache's) keeps its legacy fallback for the
    generation."""
    now = [0.0]
    asked: list[str] = []
    protocols = ImageProtocols(cast(Runtime, None), clock=lambda: now[0])
    real = protocols._inspect

    async def counting(namespace: str, ref: str, secrets: Sequence[str]) -> str:
        asked.append(ref)
        return await real(namespace, ref, secrets)

    protocols._inspect = counting  # type: ignore[method-assign]
    bad = "Not An Image"
    delays = []
    for _ in range(5):
        found = await protocols.verdict("uid", 1, "ns", bad, [])
        assert found.error and not found.native and found.retry_in is not None
        delays.append(found.retry_in)
        again = await protocols.verdict("uid", 1, "ns", bad, [])
        assert again.retry_in == found.retry_in, "not inspected again before it is due"
        now[0] += found.retry_in
    assert delays == [5.0, 15.0, 60.0, 300.0, 300.0]
    assert len(asked) == 5
    assert not await protocols.native("cache", 1, "ns", bad, [])
    now[0] += 3600
    assert not await protocols.native("cache", 1, "ns", bad, [])
    assert len(asked) == 6, "a NIMCache's fallback stands for its generation"
