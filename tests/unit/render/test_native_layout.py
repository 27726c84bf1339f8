"""The native (NIMCraft) model layout of a NIMService without a NIMCache (upstream
`imageprotocol.ResolveModelLayout`): when the cluster facts say the service image is native,
the model volume is mounted at `/model` (legacy: `/model-store`) and the NIM is told
`NIM_ENGINE_MODEL_PATH` — `/model/<service>`, or `/model` on a PVC the service creates for
itself; the user's own value wins. The same in every mode that renders a pod: Deployment,
LeaderWorkerSet (leader and workers) and KServe (Standard and Knative). An image that could
not be inspected renders no workload and says why."""

from __future__ import annotations

from typing import Any

import pytest

from nimop.render import ClusterFacts, Rendered
from tests.unit.render.helpers import cache, env_of, facts_with, main_ctr, render, svc

IMAGE = "nvcr.io/nim/x:1.0"  # the image `svc()` runs
NATIVE = ClusterFacts.all_apis(native_images=(IMAGE,))
PATH = "NIM_ENGINE_MODEL_PATH"


def model_mounts(ctr: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in ctr.get("volumeMounts", []) if m["name"] == "model-store"]


def paths(ctr: dict[str, Any]) -> list[str]:
    return [m["mountPath"] for m in model_mounts(ctr)]


@pytest.mark.parametrize(
    ("storage", "model_path"),
    [
        ({"emptyDir": {}}, "/model/llm"),
        ({"hostPath": "/data/models"}, "/model/llm"),
        ({"pvc": {"name": "shared", "subPath": "nims"}}, "/model/llm"),
        ({"pvc": {"create": True, "size": "10Gi"}}, "/model"),
    ],
)
def test_native_image_mounts_model_and_sets_the_model_path(
    storage: dict[str, Any], model_path: str
) -> None:
    ctr = main_ctr(render(svc(storage=storage), NATIVE))
    assert paths(ctr) == ["/model"]
    assert env_of(ctr)[PATH] == model_path
    assert env_of(ctr)["NIM_CACHE_PATH"] == "/model-store", "the standard env is kept"
    if "pvc" in storage and "subPath" in storage["pvc"]:
        assert model_mounts(ctr)[0]["subPath"] == "nims"


def test_legacy_image_and_offline_facts_keep_model_store() -> None:
    for facts in (ClusterFacts.all_apis(), ClusterFacts.all_apis(native_images=("other:1",))):
        ctr = main_ctr(render(svc(), facts))
        assert paths(ctr) == ["/model-store"]
        assert PATH not in env_of(ctr)


def test_the_users_model_path_wins() -> None:
    mine = [{"name": PATH, "value": "/model/custom"}]
    ctr = main_ctr(render(svc(env=mine), NATIVE))
    assert env_of(ctr)[PATH] == "/model/custom"
    assert [e["name"] for e in ctr["env"]].count(PATH) == 1
    ref = {"configMapKeyRef": {"name": "paths", "key": "model"}}
    ctr = main_ctr(render(svc(env=[{"name": PATH, "valueFrom": ref}]), NATIVE))
    assert env_of(ctr)[PATH] == ref


def test_init_containers_and_sidecars_see_the_native_mount() -> None:
    extra = {"name": "fetch", "image": {"repository": "busybox", "tag": "1"}}
    r = render(svc(initContainers=[extra], sidecarContainers=[{**extra, "name": "side"}]), NATIVE)
    pod = r.find("Deployment")["spec"]["template"]["spec"]  # type: ignore[index]
    for ctr in pod["initContainers"] + pod["containers"]:
        assert paths(ctr) == ["/model"], ctr["name"]
        assert env_of(ctr)[PATH] == "/model/llm", ctr["name"]


def test_multinode_leader_and_workers_get_the_native_layout() -> None:
    spec = svc(multiNode={"parallelism": {"pipeline": 2, "tensor": 4}})
    lws = render(spec, NATIVE).find("LeaderWorkerSet")
    assert lws is not None
    tmpl = lws["spec"]["leaderWorkerTemplate"]
    for role in ("leaderTemplate", "workerTemplate"):
        ctr = tmpl[role]["spec"]["containers"][0]
        assert paths(ctr) == ["/model"], role
        assert env_of(ctr)[PATH] == "/model/llm", role


@pytest.mark.parametrize("mode", ["Standard", "Knative"])
def test_kserve_predictor_gets_the_native_layout(mode: str) -> None:
    spec = svc(inferencePlatform="kserve",
               annotations={"serving.kserve.io/deploymentMode": mode})  # fmt: skip
    isvc = render(spec, NATIVE).find("InferenceService")
    assert isvc is not None
    ctr = isvc["spec"]["predictor"]["containers"][0]
    assert paths(ctr) == ["/model"]
    assert env_of(ctr)[PATH] == "/model/llm"


def test_a_nimcache_decides_not_the_image_fact() -> None:
    """With a NIMCache its `status.type` tells the layout: a legacy cache stays legacy even if
    the image is listed native; a native cache keeps its own layout (`/model` and
    `/opt/cache`, the model under the cache's name), and the user's path wins there too."""
    on_cache = svc(storage={"nimCache": {"name": "c"}})
    ctr = main_ctr(render(on_cache, facts_with(cache(), native_images=(IMAGE,))))
    assert paths(ctr) == ["/model-store"] and PATH not in env_of(ctr)
    native = facts_with(cache(cache_type="native"))
    ctr = main_ctr(render(on_cache, native))
    assert paths(ctr) == ["/model", "/opt/cache"]
    assert env_of(ctr)[PATH] == "/model/c"
    mine = svc(storage={"nimCache": {"name": "c"}}, env=[{"name": PATH, "value": "/model/x"}])
    assert env_of(main_ctr(render(mine, native)))[PATH] == "/model/x"


def inspection_failed(spec: dict[str, Any]) -> Rendered:
    facts = ClusterFacts.all_apis(image_inspection_errors={IMAGE: "registry unreachable"})
    return render(spec, facts)


def test_an_image_that_could_not_be_inspected_renders_no_workload() -> None:
    r = inspection_failed(svc(storage={"pvc": {"create": True, "size": "1Gi"}}))
    assert [(p.reason, p.failed) for p in r.problems] == [("ImageInspectionFailed", False)]
    message = r.problems[0].message
    assert IMAGE in message and "registry unreachable" in message
    assert "--image-inspection=false" in message and "spec.image.pullSecrets" in message
    assert r.find("Deployment") is None
    assert r.find("Service") is not None and r.find("PersistentVolumeClaim") is not None
    assert r.workload is not None, "the workload is still named, for status"
    for spec in (svc(multiNode={"parallelism": {"pipeline": 2, "tensor": 1}}),
                 svc(inferencePlatform="kserve")):  # fmt: skip
        r = inspection_failed(spec)
        assert [p.reason for p in r.problems] == ["ImageInspectionFailed"]
        assert r.find("LeaderWorkerSet") is None and r.find("InferenceService") is None


def test_an_inspection_error_does_not_concern_a_service_on_a_nimcache() -> None:
    facts = facts_with(cache(), image_inspection_errors={IMAGE: "unreachable"})
    r = render(svc(storage={"nimCache": {"name": "c"}}), facts)
    assert r.ok and r.find("Deployment") is not None


def test_offline_facts_name_native_images_and_inspection_errors() -> None:
    """`nimop render --facts`: it never asks a registry; the facts file says what is known."""
    facts = ClusterFacts.from_mapping({"nativeImages": [IMAGE],
                                       "imageInspectionErrors": {"other:2": "refused"}})
    assert facts.native_image(IMAGE) and not facts.native_image("other:2")
    assert facts.image_inspection_error("other:2") == "refused"
    assert paths(main_ctr(render(svc(), facts))) == ["/model"]
