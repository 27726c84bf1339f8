"""A NeMo service's lifecycle on the in-memory API, as the NIMService one is tested: an update
rolls the Deployment, drift is reverted, deletion leaves nothing behind, a conflict on the
status write is retried, and a missing optional API is a condition (what runs is untouched)."""

from __future__ import annotations

from nimop.controllers.nimservice_status import ROLLOUT_GRACE_SECONDS as GRACE
from nimop.watch.testing import Fault
from tests.unit.controllers.harness import ALL_OPTIONAL, SERVICE_MONITOR, Operator, running
from tests.unit.controllers.test_reconcile_nemo import DB, PG, available, nemo


def image(op: Operator, name: str) -> str:
    return str(op.must("Deployment", name)["spec"]["template"]["spec"]["containers"][0]["image"])


async def ready(op: Operator, name: str) -> None:
    await op.put(nemo("NemoEntitystore", name, databaseConfig=DB))
    await available(op, name)
    assert op.status("NemoEntitystore", name)["state"] == "Ready"


async def test_a_spec_update_rolls_the_deployment() -> None:
    async with running(objects=[PG]) as op:
        await ready(op, "es")
        await op.edit("NemoEntitystore", "es", {"spec": {"image": {"tag": "25.09"}}})
        assert image(op, "es").endswith(":25.09")
        assert op.must("Deployment", "es")["metadata"]["generation"] == 2


async def test_an_edit_of_an_owned_field_is_put_back() -> None:
    async with running(objects=[PG]) as op:
        await ready(op, "es")
        wanted = image(op, "es")
        containers = op.must("Deployment", "es")["spec"]["template"]["spec"]["containers"]
        containers[0]["image"] = "someone/else:1"
        patch = {"spec": {"template": {"spec": {"containers": containers}}}}
        op.twin.patch("Deployment", "team", "es", patch, manager="kubectl")
        await op.settle()
        assert image(op, "es") == wanted


async def test_deletion_leaves_nothing_behind_and_recreates_nothing() -> None:
    async with running(objects=[PG]) as op:
        await ready(op, "es")
        op.forget()
        await op.remove("NemoEntitystore", "es")
        assert op.names("Deployment") == [] and op.names("Service") == []
        assert [r for r in op.writes() if r.verb != "delete"] == []


async def test_a_conflict_on_the_status_write_is_retried() -> None:
    async with running(objects=[PG]) as op:
        conflict = op.twin.inject(Fault(status=409), verb="patch", resource="nemoentitystores")
        await op.put(nemo("NemoEntitystore", "es", databaseConfig=DB))
        await op.advance(GRACE)
        assert conflict.exhausted and op.status("NemoEntitystore", "es") == {}
        await op.advance(1)  # the per-key backoff after a conflict is milliseconds
        assert op.status("NemoEntitystore", "es")["state"] == "NotReady"


async def test_a_missing_optional_api_is_a_condition_and_the_service_still_runs() -> None:
    async with running(optional=[r for r in ALL_OPTIONAL if r != SERVICE_MONITOR],
                       objects=[PG]) as op:
        await op.put(nemo("NemoEntitystore", "es", databaseConfig=DB,
                          metrics={"enabled": True}))
        await op.advance(GRACE)
        status = op.status("NemoEntitystore", "es")
        failed = next(c for c in status["conditions"] if c["type"] == "Failed")
        assert status["state"] == "Failed" and failed["status"] == "True"
        assert failed["reason"] == "ServiceMonitorAPIMissing"
        assert op.names("Deployment") == ["es"], "an incomplete render still applies what it has"
