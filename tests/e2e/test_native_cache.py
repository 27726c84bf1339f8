"""Native (NIMCraft) NIM images, and the served model read from a running NIM, end to end: a real
OCI registry on loopback holds images whose config carries
`com.nvidia.nim.model_download_protocol`; the operator (inspection on, watching only this
module's namespace — the session's operator is paused, it runs with inspection off) reads the
label with the NIMCache's pull secret. A native image's cache runs the native Job (no manifest
probe) and turns Ready with `status.type: native`, and a NIMService on it gets the native
layout; a legacy image, an unreachable registry and missing credentials keep the legacy flow
(manifest probe, then the download-to-cache Job). A NIMService without a NIMCache has its own
image inspected (with `spec.image.pullSecrets`) for the same label: native images get the
native layout, and an image that cannot be inspected holds the service `ImageInspectionFailed`.
The registry has no authentication, so the pull-secret cases go through a token-auth front
(tests/registry.py) before it.

The same operator reads `/v1/models` of Ready NIMServices (`--served-model-probe`). kwok's pods
serve nothing and `<svc>.<ns>.svc` does not resolve outside a cluster, so the NIMs answer
through tests/fake_nim.py, set as the operator's HTTP proxy: the operator's real request for
`http://<svc>.<ns>.svc:8000/v1/models`, answered per Service."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cluster import Cluster
from tests.conftest import RESTRICTED
from tests.e2e.crs import nimcache, nimservice, wait_state
from tests.fake_nim import FakeNIMs, fake_nims
from tests.operator_process import OperatorProcess, free_port
from tests.registry import Registry, pull_secret, token_front
from tests.support import apply, eventually, get

LABEL = "com.nvidia.nim.model_download_protocol"
NATIVE = {LABEL: "native-v1"}


@pytest.fixture(scope="module")
def nims() -> Iterator[FakeNIMs]:
    with fake_nims() as running:
        yield running


@pytest.fixture(scope="module")
def native_ns(cluster: Cluster, operator: OperatorProcess, nims: FakeNIMs) -> Iterator[str]:
    """This module's namespace, with an operator that inspects images and reads served models
    watching only it (the session's `operator`, which installed the CRDs, is paused
    meanwhile)."""
    name = f"t-native-{uuid.uuid4().hex[:6]}"
    cluster.kubectl("create", "namespace", name)
    cluster.kubectl("label", "namespace", name, *RESTRICTED)
    session = OperatorProcess.session
    if session is not None and session.proc is not None:
        session.stop()
    env = {"NIMOP_IMAGE_INSPECTION": "true", "NIMOP_SERVED_MODEL_PROBE": "true",
           "NIMOP_NAMESPACES": name, "HTTP_PROXY": nims.url, "NO_PROXY": "127.0.0.1,localhost"}
    proc = OperatorProcess(cluster, env=env, agent="nimop-e2e-native").start()
    try:
        yield name
    finally:
        proc.stop()
        if session is not None:
            session.start()
        cluster.kubectl("delete", "namespace", name, "--wait=false", check=False)


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    reg = Registry(Path(tmp_path_factory.mktemp("registry"))).start()
    try:
        yield reg
    finally:
        reg.stop()


def ngc(image: str, secret: str = "") -> dict[str, Any]:
    body: dict[str, Any] = {"modelPuller": image, "authSecret": "ngc-api-secret",
                            "model": {"engine": "tensorrt_llm", "tensorParallelism": "1"}}
    if secret:
        body["pullSecret"] = secret
    return {"ngc": body}


def job_env(cluster: Cluster, ns: str, name: str) -> dict[str, str]:
    job = eventually(lambda: get(cluster, "job", f"{name}-job", ns), what=f"{name}-job")
    ctr = job["spec"]["template"]["spec"]["containers"][0]
    return {e["name"]: e.get("value", "") for e in ctr.get("env", [])}


def test_native_images_are_told_from_legacy_ones_in_a_real_registry(
    cluster: Cluster, native_ns: str, registry: Registry
) -> None:
    ns = native_ns
    amd = registry.push("nim/native", "amd64", NATIVE, "linux/amd64")
    arm = registry.push("nim/native", "arm64", NATIVE, "linux/arm64")
    native = registry.index("nim/native", "1", amd, arm)
    legacy = registry.push("nim/legacy", "1", {"org.opencontainers.image.title": "legacy"})
    with token_front(registry, "nim-user", "s3cret") as front:
        private = f"{front}/nim/native:1"
        apply(cluster, ns, pull_secret("front-secret", front, "nim-user", "s3cret"))
        apply(cluster, ns,
              nimcache("native", source=ngc(native)),
              nimcache("private", source=ngc(private, "front-secret")),
              nimcache("anonymous", source=ngc(private)),
              nimcache("legacy", source=ngc(legacy)),
              nimcache("offline", source=ngc(f"127.0.0.1:{free_port()}/nim/native:1")))  # fmt: skip
        for name in ("native", "private"):
            env = job_env(cluster, ns, name)
            assert env.get("NIM_ENGINE_MODEL_DOWNLOAD_ONLY") == "1", (name, env)
            assert env.get("NIM_ENGINE_MODEL_PATH") == f"/model/{name}"
        for name in ("anonymous", "legacy", "offline"):
            # the legacy flow: the manifest probe ran (kwok prints a manifest), then the
            # download-to-cache Job
            env = job_env(cluster, ns, name)
            assert env.get("NIM_CACHE_PATH") == "/model-store", (name, env)
            assert "NIM_ENGINE_MODEL_DOWNLOAD_ONLY" not in env, name
            assert get(cluster, "configmap", f"{name}-manifest", ns) is not None, name
            assert "type" not in (get(cluster, "nimcache", name, ns) or {}).get("status", {})
    ready = wait_state(cluster, "nimcache", "native", ns, "Ready", timeout=120)
    assert ready["status"]["type"] == "native"
    assert get(cluster, "configmap", "native-manifest", ns) is None, "no probe for native"

    apply(cluster, ns, nimservice("svc", storage={"nimCache": {"name": "native"}}))
    deployment = eventually(lambda: get(cluster, "deployment", "svc", ns), what="svc Deployment")
    ctr = deployment["spec"]["template"]["spec"]["containers"][0]
    mounts = {m["mountPath"] for m in ctr.get("volumeMounts", [])}
    assert "/model" in mounts, mounts


def test_a_universal_nim_reports_the_model_it_serves(
    cluster: Cluster, native_ns: str, nims: FakeNIMs
) -> None:
    ns = native_ns
    served = "nvidia/nemotron-mini-4b-instruct"
    nims.serve(f"uni.{ns}.svc:8000", [{"id": served, "root": served},
                                      {"id": "my-lora", "root": served}])  # fmt: skip
    source = {"ngc": {"modelPuller": "nvcr.io/nim/nvidia/llm-nim:1.12.0",
                      "authSecret": "ngc-api-secret",
                      "modelEndpoint": "ngc://nvidia/nemo/nemotron-mini-4b-instruct:1.0"}}
    apply(cluster, ns, nimcache("uni-cache", source=source))
    wait_state(cluster, "nimcache", "uni-cache", ns, "Ready", timeout=120)
    image = {"repository": "nvcr.io/nim/nvidia/llm-nim", "tag": "1.12.0"}
    apply(cluster, ns, nimservice("uni", image=image, storage={"nimCache": {"name": "uni-cache"}}))
    wait_state(cluster, "nimservice", "uni", ns, "Ready", timeout=120)

    def named() -> str | None:
        model = ((get(cluster, "nimservice", "uni", ns) or {}).get("status") or {}).get("model")
        return str(model["name"]) if model and model.get("name") else None

    assert eventually(named, timeout=60, what="status.model.name") == served
    asked = [(h, p, auth) for h, p, auth in nims.seen if h == f"uni.{ns}.svc:8000"]
    assert asked and all(p == "/v1/models" and auth == "" for _, p, auth in asked), asked


def ready_of(cluster: Cluster, ns: str, name: str) -> dict[str, Any]:
    conds = ((get(cluster, "nimservice", name, ns) or {}).get("status") or {}).get("conditions")
    return next((c for c in conds or () if c.get("type") == "Ready"), {})


def model_layout(ctr: dict[str, Any]) -> tuple[list[str], str | None]:
    mounts = [m["mountPath"] for m in ctr.get("volumeMounts", []) if m["name"] == "model-store"]
    env = {e["name"]: e.get("value") for e in ctr.get("env", [])}
    return mounts, env.get("NIM_ENGINE_MODEL_PATH")


def test_a_nimservice_without_a_nimcache_gets_its_images_layout(
    cluster: Cluster, native_ns: str, registry: Registry
) -> None:
    """The serving image itself is inspected (with `spec.image.pullSecrets`) when no NIMCache
    says: a native multi-arch image gets `/model` and `NIM_ENGINE_MODEL_PATH=/model/<name>`
    (Deployment, and both LeaderWorkerSet roles), a legacy one `/model-store`; an image that
    cannot be inspected holds its service `NotReady`/`ImageInspectionFailed`, no workload."""
    ns = native_ns
    amd = registry.push("nim/direct", "amd64", NATIVE, "linux/amd64")
    arm = registry.push("nim/direct", "arm64", NATIVE, "linux/arm64")
    native = registry.index("nim/direct", "1", amd, arm)
    legacy = registry.push("nim/direct-legacy", "1", {})

    def spec_image(ref: str, *secrets: str) -> dict[str, Any]:
        repo, tag = ref.rsplit(":", 1)
        return {"repository": repo, "tag": tag, **({"pullSecrets": list(secrets)} if secrets
                                                   else {})}  # fmt: skip

    offline = f"127.0.0.1:{free_port()}/nim/direct:1"
    multi = {"backendType": "lws", "parallelism": {"pipeline": 2, "tensor": 1}}
    with token_front(registry, "nim-user", "s3cret") as front:
        apply(cluster, ns, pull_secret("direct-secret", front, "nim-user", "s3cret"))
        apply(cluster, ns,
              nimservice("direct", image=spec_image(native)),
              nimservice("direct-private", image=spec_image(f"{front}/nim/direct:1",
                                                            "direct-secret"),
                         storage={"pvc": {"create": True, "size": "1Gi"}}),
              nimservice("direct-legacy", image=spec_image(legacy)),
              nimservice("direct-mn", image=spec_image(native), multiNode=multi),
              nimservice("direct-offline", image=spec_image(offline)))  # fmt: skip
        for name, want in (("direct", (["/model"], "/model/direct")),
                           ("direct-private", (["/model"], "/model")),
                           ("direct-legacy", (["/model-store"], None))):  # fmt: skip
            dep = eventually(lambda name=name: get(cluster, "deployment", name, ns), what=name)
            assert model_layout(dep["spec"]["template"]["spec"]["containers"][0]) == want, name
    lws = eventually(lambda: get(cluster, "leaderworkerset", "direct-mn-lws", ns), what="LWS")
    tmpl = lws["spec"]["leaderWorkerTemplate"]
    for role in ("leaderTemplate", "workerTemplate"):
        ctr = tmpl[role]["spec"]["containers"][0]
        assert model_layout(ctr) == (["/model"], "/model/direct-mn"), role

    def held() -> dict[str, Any] | None:
        cond = ready_of(cluster, ns, "direct-offline")
        return cond if cond.get("reason") == "ImageInspectionFailed" else None

    cond = eventually(held, what="ImageInspectionFailed")
    assert cond["status"] == "False" and offline in cond["message"], cond
    state = (get(cluster, "nimservice", "direct-offline", ns) or {})["status"]["state"]
    assert state == "NotReady"
    assert get(cluster, "deployment", "direct-offline", ns) is None
    assert get(cluster, "service", "direct-offline", ns) is not None
