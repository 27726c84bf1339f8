"""NeMo reconciles on the in-memory API: an entity store reaches Ready and then writes nothing,
a guardrail waits for the NIMService it names and is woken by it, and each NeMo kind reports
under its own controller name (upstream counted them in the NIMPipeline gauge, §9 item 20)."""

from __future__ import annotations

from typing import Any

from nimop.watch.metrics import REGISTRY
from tests.e2e.crs import nimservice
from tests.unit.controllers.harness import Operator, running

AVAILABLE = {"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "readyReplicas": 1,
             "availableReplicas": 1}  # fmt: skip
DB = {"host": "pg", "databaseName": "db", "credentials": {"user": "u", "secretName": "pg"}}
IMAGE = {"repository": "nvcr.io/nvidia/nemo-microservices/x", "tag": "25.08"}
#: the Secret DB names (a missing one keeps the CR NotReady: test_reconcile_nemo_refs.py)
PG = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "pg", "namespace": "team"},
      "stringData": {"password": "x"}}  # fmt: skip


def nemo(kind: str, name: str, **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "apps.nvidia.com/v1alpha1", "kind": kind, "metadata": {"name": name},
            "spec": {"image": IMAGE, **spec}}  # fmt: skip


async def available(op: Operator, name: str) -> None:
    await op.advance(5)  # status is reported on the reconcile after the children appear
    await op.set_status("Deployment", name, AVAILABLE)


def reconciles(controller: str) -> float:
    """Reconciles of `controller` so far, whatever their result."""
    return sum(REGISTRY.get_sample_value("controller_runtime_reconcile_total",
                                         {"controller": controller, "result": result}) or 0.0
               for result in ("success", "error", "requeue", "requeue_after"))


async def test_entitystore_becomes_ready_then_writes_nothing() -> None:
    async with running(objects=[PG]) as op:
        await op.put(nemo("NemoEntitystore", "es", databaseConfig=DB))
        assert op.names("Deployment") == ["es"] and op.names("Service") == ["es"]
        await available(op, "es")
        status = op.status("NemoEntitystore", "es")
        assert status["state"] == "Ready" and status["availableReplicas"] == 1
        assert status["endpoint"] == "http://es.team.svc:8000"
        op.forget()
        await op.advance(11 * 3600)
        assert op.writes() == []


async def test_guardrail_waits_for_its_nimservice_and_is_woken_by_it() -> None:
    async with running() as op:
        await op.put(nemo("NemoGuardrail", "rails", nimEndpoint={"nimServiceRef": {"name": "llm"}}))
        await op.advance(5)
        status = op.status("NemoGuardrail", "rails")
        assert status["state"] == "NotReady"
        assert status["conditions"][0]["reason"] == "NIMServiceNotFound"
        assert op.get("Deployment", "rails") is None
        await op.put(nimservice("llm"))
        dep = op.must("Deployment", "rails")
        env = {e["name"]: e.get("value") for e in
               dep["spec"]["template"]["spec"]["containers"][0]["env"]}  # fmt: skip
        assert env["NIM_ENDPOINT_URL"] == "http://llm.team.svc:8000/v1"
        await available(op, "rails")
        assert op.status("NemoGuardrail", "rails")["conditions"][0]["reason"] == (
            "NIMServiceNotReady")
        await available(op, "llm")  # the NIMService becomes Ready: that wakes the guardrail
        assert op.status("NIMService", "llm")["state"] == "Ready"
        assert op.status("NemoGuardrail", "rails")["state"] == "Ready"


async def test_each_nemo_kind_reconciles_under_its_own_controller() -> None:
    before = {c: reconciles(c) for c in ("nemoentitystore", "nemodatastore", "nimpipeline")}
    async with running() as op:
        await op.put(nemo("NemoEntitystore", "es", databaseConfig=DB))
        await op.put(nemo("NemoDatastore", "ds", databaseConfig=DB, secrets={
            "giteaAdminSecret": "a", "lfsJwtSecret": "b", "datastoreInitSecret": "c",
            "datastoreConfigSecret": "d", "datastoreInlineConfigSecret": "e"}))
        assert op.names("Deployment") == ["ds", "es"]
    assert reconciles("nemoentitystore") > before["nemoentitystore"]
    assert reconciles("nemodatastore") > before["nemodatastore"]
    assert reconciles("nimpipeline") == before["nimpipeline"]
