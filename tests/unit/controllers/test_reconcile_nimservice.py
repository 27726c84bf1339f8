"""NIMService reconcile on the in-memory API, in its three modes: standalone (Deployment),
multi-node (LeaderWorkerSet with its generated MPI key) and KServe (InferenceService); an
update, drift reverted (foreign fields kept), deletion, a conflict, and a missing optional API
reported as a condition without touching what runs."""

from __future__ import annotations

from typing import Any

from nimop.controllers.nimservice_status import ROLLOUT_GRACE_SECONDS as GRACE
from nimop.watch.testing import Fault
from tests.e2e.crs import nimservice
from tests.unit.controllers.harness import ALL_OPTIONAL, LWS, Operator, gpu_node, running

AVAILABLE = {"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "readyReplicas": 1,
             "availableReplicas": 1}  # fmt: skip
MULTI_NODE = {"multiNode": {"backendType": "lws", "parallelism": {"pipeline": 2, "tensor": 8}},
              "resources": {"limits": {"nvidia.com/gpu": 8}}}  # fmt: skip
KSERVE = {"inferencePlatform": "kserve",
          "annotations": {"serving.kserve.io/deploymentMode": "RawDeployment"}}  # fmt: skip


def image(op: Operator, name: str) -> str:
    return str(op.must("Deployment", name)["spec"]["template"]["spec"]["containers"][0]["image"])


async def ready_standalone(op: Operator, name: str, **spec: Any) -> None:
    await op.put(nimservice(name, **spec))
    await op.advance(5)  # status is reported on the reconcile after the children appear
    generation = op.must("Deployment", name)["metadata"]["generation"]
    await op.set_status("Deployment", name, {**AVAILABLE, "observedGeneration": generation})


async def test_standalone_create_reports_ready_once_the_deployment_is_available() -> None:
    async with running() as op:
        await op.put(nimservice("svc"))
        assert op.names("Deployment") == ["svc"] and op.names("Service") == ["svc"]
        assert "svc" in op.names("ServiceAccount")
        assert op.status("NIMService", "svc") == {}, "no status before the children are seen"
        await op.advance(GRACE)
        status = op.status("NIMService", "svc")
        assert status["state"] == "NotReady"
        assert status["conditions"][0]["reason"] == "DeploymentNotReady"
        await op.set_status("Deployment", "svc", AVAILABLE)
        status = op.status("NIMService", "svc")
        assert status["state"] == "Ready" and status["availableReplicas"] == 1
        assert status["model"]["clusterEndpoint"] == "svc.team.svc:8000"
        assert ("Normal", "Ready") in op.events()


async def test_steady_state_writes_nothing_even_on_resync() -> None:
    async with running() as op:
        await ready_standalone(op, "svc")
        op.forget()
        await op.advance(11 * 3600)
        assert op.writes() == []


async def test_spec_update_rolls_the_deployment_and_reports_once_rolled_out() -> None:
    """A healthy rollout of a changed spec: the status stays Ready at the old generation (its
    observedGeneration says the new spec is not reported yet), then Ready at the new one — one
    status write, no Events out of Ready and back."""
    async with running() as op:
        await ready_standalone(op, "svc")
        events = op.events()
        op.forget()
        await op.edit("NIMService", "svc", {"spec": {"image": {"tag": "1.13.0"}}})
        assert image(op, "svc").endswith(":1.13.0")
        assert op.must("Deployment", "svc")["metadata"]["generation"] == 2
        held = op.status("NIMService", "svc")
        assert held["state"] == "Ready" and held["conditions"][0]["observedGeneration"] == 1
        await op.set_status("Deployment", "svc", {**AVAILABLE, "observedGeneration": 2})
        status = op.status("NIMService", "svc")
        assert status["state"] == "Ready" and status["conditions"][0]["observedGeneration"] == 2
        status_writes = [r for r in op.writes() if r.subresource == "status"]
        assert [(r.resource, r.name) for r in status_writes] == [("nimservices", "svc")]
        assert op.events() == events, "no Event: it never left Ready"


async def test_a_slow_rollout_of_a_changed_spec_is_reported_after_the_grace() -> None:
    async with running() as op:
        await ready_standalone(op, "svc")
        await op.edit("NIMService", "svc", {"spec": {"image": {"tag": "1.13.0"}}})
        await op.advance(GRACE)
        status = op.status("NIMService", "svc")
        assert status["state"] == "NotReady" and status["conditions"][0]["observedGeneration"] == 2
        await op.set_status("Deployment", "svc", {**AVAILABLE, "observedGeneration": 2})
        assert op.status("NIMService", "svc")["state"] == "Ready"


async def test_an_edit_of_an_owned_field_is_reverted_a_foreign_one_kept() -> None:
    async with running() as op:
        await ready_standalone(op, "svc")
        wanted = image(op, "svc")
        await op.edit("Deployment", "svc", {"metadata": {"annotations": {"team": "mine"}}})
        containers = op.must("Deployment", "svc")["spec"]["template"]["spec"]["containers"]
        containers[0]["image"] = "someone/else:1"
        patch = {"spec": {"template": {"spec": {"containers": containers}}}}
        op.twin.patch("Deployment", "team", "svc", patch, manager="kubectl")
        await op.settle()
        live = op.must("Deployment", "svc")
        assert image(op, "svc") == wanted, "the operator's image is put back"
        assert live["metadata"]["annotations"]["team"] == "mine", "someone else's field stays"


async def test_deletion_leaves_nothing_behind_and_recreates_nothing() -> None:
    async with running() as op:
        await ready_standalone(op, "svc")
        op.forget()
        await op.remove("NIMService", "svc")
        assert op.names("Deployment") == [] and op.names("Service") == []
        assert [r for r in op.writes() if r.verb != "delete"] == []


async def test_a_conflict_on_the_status_write_is_retried() -> None:
    async with running() as op:
        conflict = op.twin.inject(Fault(status=409), verb="patch", resource="nimservices")
        await op.put(nimservice("svc"))
        await op.advance(GRACE)
        assert conflict.exhausted and op.status("NIMService", "svc") == {}
        await op.advance(1)  # the per-key backoff after a conflict is milliseconds
        assert op.status("NIMService", "svc")["state"] == "NotReady"


async def test_multi_node_runs_a_leader_worker_set_with_a_generated_ssh_key() -> None:
    async with running() as op:
        await op.put(nimservice("big", **MULTI_NODE))
        assert op.names("LeaderWorkerSet") == ["big-lws"] and op.names("Deployment") == []
        lws = op.must("LeaderWorkerSet", "big-lws")
        assert lws["spec"]["leaderWorkerTemplate"]["size"] == 2
        secrets = op.twin.objects("Secret", "team")
        assert len(secrets) == 1 and secrets[0]["metadata"]["ownerReferences"]
        key = secrets[0]["stringData"]
        await op.edit("NIMService", "big", {"metadata": {"labels": {"touched": "yes"}}})
        assert op.twin.objects("Secret", "team")[0]["stringData"] == key, "never rotated"
        await op.set_status("LeaderWorkerSet", "big-lws", {"readyReplicas": 1, "conditions": [
            {"type": "Available", "status": "True"}]})  # fmt: skip
        await op.advance(GRACE)
        assert op.status("NIMService", "big")["state"] == "Ready"


async def test_kserve_runs_an_inference_service() -> None:
    async with running() as op:
        await op.put(nimservice("ks", **KSERVE))
        assert op.names("InferenceService") == ["ks"] and op.names("Deployment") == []
        await op.set_status("InferenceService", "ks", {"conditions": [
            {"type": "PredictorReady", "status": "True"}]})  # fmt: skip
        await op.advance(GRACE)
        assert op.status("NIMService", "ks")["state"] == "Ready"


async def test_a_missing_optional_api_is_a_condition_and_nothing_else_happens() -> None:
    async with running(optional=[ref for ref in ALL_OPTIONAL if ref != LWS]) as op:
        await op.put(nimservice("big", **MULTI_NODE))
        await op.advance(GRACE)
        status = op.status("NIMService", "big")
        failed = next(c for c in status["conditions"] if c["type"] == "Failed")
        assert status["state"] == "Failed" and failed["status"] == "True"
        assert failed["reason"] == "LeaderWorkerSetAPIMissing"
        assert "install LWS" in failed["message"]
        assert op.names("Deployment") == [], "no standalone fallback for a multi-node service"
        assert ("Warning", "Failed") in op.events()


async def test_a_service_waits_for_its_cache_without_polling_and_starts_when_ready() -> None:
    from tests.unit.controllers.test_reconcile_nimcache import cached

    async with running(objects=[gpu_node()]) as op:
        await op.put(nimservice("svc", storage={"nimCache": {"name": "llama"}}))
        await op.advance(GRACE)
        assert op.names("Deployment") == []
        waiting = op.status("NIMService", "svc")
        assert "llama" in waiting["conditions"][0]["message"]
        op.forget()
        await op.advance(600)
        assert [r for r in op.writes() if r.resource == "nimservices"] == [], "no polling"
        await cached(op, "llama")  # the NIMCache turning Ready wakes the service
        assert op.names("Deployment") == ["svc"]
        volumes = op.must("Deployment", "svc")["spec"]["template"]["spec"]["volumes"]
        claims = [v["persistentVolumeClaim"]["claimName"] for v in volumes
                  if "persistentVolumeClaim" in v]  # fmt: skip
        assert claims == ["llama-pvc"]


async def test_the_conflict_kept_about_an_owner_goes_with_the_owner() -> None:
    """A NIMService whose Service name a stranger holds is in conflict (re-checked on a
    backoff); once the NIMService is deleted nothing is kept about it, so many short-lived
    owners in conflict do not grow the operator's memory."""
    stranger = {"apiVersion": "v1", "kind": "Service",
                "metadata": {"name": "svc", "namespace": "team"},
                "spec": {"ports": [{"port": 80}]}}  # fmt: skip
    async with running(objects=[stranger]) as op:
        children = op.reconciler("nimservice").children
        await op.put(nimservice("svc"))
        reasons = [c["reason"] for c in op.status("NIMService", "svc")["conditions"]]
        assert "ChildConflict" in reasons, reasons
        assert [str(k) for k in children.in_conflict] == ["team/svc"]
        await op.remove("NIMService", "svc")
        assert children.in_conflict == frozenset()
