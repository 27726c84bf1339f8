"""`status.model.name`: from the spec where it names the model, else as the running NIM reports
it on `/v1/models` (no credentials sent, bounded, once per generation, retried with backoff on
failure, never holding readiness), and empty — not a wrong guess — for a universal NIM on local
weights when the NIM cannot be asked."""

from __future__ import annotations

import pytest

from nimop.controllers import served_model
from nimop.controllers.served_model import ReadFailed, ServedModels, pick, short_name
from tests.e2e.crs import nimcache, nimservice
from tests.fake_nim import fake_nims
from tests.unit.controllers.harness import Operator, gpu_node, running
from tests.unit.controllers.test_native_cache import until
from tests.unit.controllers.test_reconcile_nimcache import COMPLETE

UNIVERSAL = {"ngc": {"modelPuller": "nvcr.io/nim/nvidia/llm-nim:1.12.0",
                     "pullSecret": "ngc-secret", "authSecret": "ngc-api-secret",
                     "modelEndpoint": "ngc://nvidia/nemo/nemotron-mini:1.0"}}  # fmt: skip
LLM_NIM = {"repository": "nvcr.io/nim/nvidia/llm-nim", "tag": "1.12.0"}
SERVED = "nvidia/nemotron-mini-4b-instruct"


def test_pick_the_one_model_or_the_base_of_several() -> None:
    assert pick({"object": "list", "data": [{"id": "a", "root": "a"}]}) == "a"
    lora = {"object": "list", "data": [{"id": "base", "root": "base"},
                                       {"id": "lora-1", "root": "base"}]}  # fmt: skip
    assert pick(lora) == "base"
    two = {"object": "list", "data": [{"id": "a", "root": "a"}, {"id": "b", "root": "b"}]}
    assert pick(two) == ""
    with pytest.raises(ReadFailed):
        pick({"data": []})
    assert short_name({"modelInfo": [{"shortName": "meta/llama3:1.0"}]}) == "meta/llama3"


async def available(op: Operator, name: str) -> None:
    await op.set_status("Deployment", name, {"replicas": 1, "updatedReplicas": 1,
                        "readyReplicas": 1, "availableReplicas": 1, "observedGeneration": 1,
                        "conditions": [{"type": "Available", "status": "True"}]})  # fmt: skip


async def universal_service(op: Operator) -> None:
    await op.put(nimcache("uni", source=UNIVERSAL))
    await op.set_status("PersistentVolumeClaim", "uni-pvc", {"phase": "Bound"})
    await op.set_status("Job", "uni-job", COMPLETE)
    await op.put(nimservice("svc", image=LLM_NIM, storage={"nimCache": {"name": "uni"}}))
    await available(op, "svc")


async def test_universal_nim_without_the_read_reports_no_name_not_the_image() -> None:
    async with running(objects=[gpu_node()]) as op:
        await universal_service(op)
        status = op.status("NIMService", "svc")
        assert status["state"] == "Ready"
        assert status["model"]["name"] == "", "nvidia/llm-nim is the image, not the model"
        assert status["model"]["clusterEndpoint"] == "svc.team.svc:8000"


async def test_the_running_nim_names_its_model_without_any_credential(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with fake_nims() as nims:
        monkeypatch.setenv("HTTP_PROXY", nims.url)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
        nims.serve("svc.team.svc:8000", [{"id": SERVED, "root": SERVED}])
        async with running(objects=[gpu_node()], served_model_probe=True) as op:
            await universal_service(op)
            await until(op, lambda: op.status("NIMService", "svc").get("model", {}).get("name")
                        == SERVED)  # fmt: skip
            assert op.status("NIMService", "svc")["state"] == "Ready"
            assert [(h, p) for h, p, _ in nims.seen] == [("svc.team.svc:8000", "/v1/models")]
            assert all(auth == "" for _, _, auth in nims.seen), "no token leaves the operator"
            op.forget()
            await op.advance(11 * 3600)
            assert len(nims.seen) == 1, "read once per generation"
            assert op.writes() == []


async def test_a_spec_named_model_is_never_asked() -> None:
    with fake_nims() as nims:
        async with running(objects=[gpu_node()], served_model_probe=True) as op:
            env = [{"name": "NIM_SERVED_MODEL_NAME", "value": "mine,alias"}]
            await op.put(nimservice("svc", env=env))
            await available(op, "svc")
            assert op.status("NIMService", "svc")["model"]["name"] == "mine"
        assert nims.seen == []


async def test_failed_reads_back_off_and_stop() -> None:
    models = ServedModels()
    url = "http://127.0.0.1:9"  # nothing listens
    name, retry = await models.lookup("uid", 1, url, now=0.0)
    assert name is None and retry == served_model.RETRY_SECONDS[0]
    assert await models.lookup("uid", 1, url, now=1.0) == (None, served_model.RETRY_SECONDS[0] - 1)
    now = 0.0
    for delay in served_model.RETRY_SECONDS[:-1]:
        now += delay
        await models.lookup("uid", 1, url, now=now)
    assert await models.lookup("uid", 1, url, now=now + 10_000) == (None, None), "gave up"
    assert (await models.lookup("uid", 2, url, now=now))[1] is not None, "a new generation tries"
