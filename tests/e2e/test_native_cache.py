"""Native (NIMCraft) NIM images end to end: a real OCI registry on loopback holds images whose
config carries `com.nvidia.nim.model_download_protocol`; the operator (inspection on, watching
only this module's namespace — the session's operator is paused, it runs with inspection off)
reads the label with the NIMCache's pull secret. A native image's cache runs the native Job
(no manifest probe) and turns Ready with `status.type: native`, and a NIMService on it gets the
native layout; a legacy image, an unreachable registry and missing credentials keep the legacy
flow (manifest probe, then the download-to-cache Job). The registry has no authentication, so the
pull-secret case goes through a token-auth front (tests/registry.py) before it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cluster import Cluster
from tests.conftest import RESTRICTED
from tests.e2e.crs import nimcache, nimservice, wait_state
from tests.operator_process import OperatorProcess, free_port
from tests.registry import Registry, pull_secret, token_front
from tests.support import apply, eventually, get

LABEL = "com.nvidia.nim.model_download_protocol"
NATIVE = {LABEL: "native-v1"}


@pytest.fixture(scope="module")
def native_ns(cluster: Cluster, operator: OperatorProcess) -> Iterator[str]:
    """This module's namespace, with an operator that inspects images watching only it (the
    session's `operator`, which installed the CRDs, is paused meanwhile)."""
    name = f"t-native-{uuid.uuid4().hex[:6]}"
    cluster.kubectl("create", "namespace", name)
    cluster.kubectl("label", "namespace", name, *RESTRICTED)
    session = OperatorProcess.session
    if session is not None and session.proc is not None:
        session.stop()
    env = {"NIMOP_IMAGE_INSPECTION": "true", "NIMOP_NAMESPACES": name}
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
