"""Upstream's status gauges on the in-memory API: names, the `status` label, `all`, the
pre-created zeros, `Unknown` for an empty state, and counts that follow the CRs (including a
state nobody is in any more, which upstream's gauges keep forever)."""

from __future__ import annotations

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from nimop.controllers.state_metrics import STATE_GAUGES, count_states
from nimop.watch.metrics import REGISTRY
from tests.e2e.crs import nimcache, nimservice
from tests.unit.controllers.harness import NS, Operator, running
from tests.unit.controllers.test_reconcile_nimpipeline import pipeline


def scrape() -> dict[str, dict[str, float]]:
    """{metric: {status: value}} for the status gauges, parsed from the exposition text."""
    names = {g.name for g in STATE_GAUGES}
    out: dict[str, dict[str, float]] = {}
    for family in text_string_to_metric_families(generate_latest(REGISTRY).decode()):
        if family.name in names:
            out[family.name] = {s.labels["status"]: s.value for s in family.samples}
    return out


def held(op: Operator, kind: str) -> list[str]:
    """The states the twin holds for `kind`, as upstream labels them."""
    return [str((o.get("status") or {}).get("state") or "Unknown")
            for o in op.twin.objects(kind, NS)]  # fmt: skip


def test_count_states_has_all_the_zeros_and_unknown() -> None:
    service = STATE_GAUGES[1]
    assert service.name == "nimService_status_total"
    counts = count_states(service, ["Ready", "", "Ready", "Degraded"])
    assert counts == {"all": 4, "Failed": 0, "Ready": 2, "Pending": 0, "NotReady": 0,
                      "Unknown": 1, "Degraded": 1}  # fmt: skip


async def test_gauges_follow_the_custom_resources() -> None:
    async with running() as op:
        metrics = scrape()
        assert metrics["nimService_status_total"] == {
            "all": 0,
            "Failed": 0,
            "Ready": 0,
            "Pending": 0,
            "NotReady": 0,
            "Unknown": 0,
        }
        assert set(metrics["nimCache_status_total"]) == {
            "all", "Failed", "InProgress", "Ready", "NotReady", "PVC-Created", "Pending",
            "Started", "Unknown"}  # fmt: skip
        assert metrics["nimPipeline_status_total"]["all"] == 0
        # the NeMo kinds are served too (their CRDs are nimop's): upstream's names, zeros
        assert metrics["nemo_datastore_status_total"] == {
            "all": 0, "Failed": 0, "Ready": 0, "NotReady": 0, "Unknown": 0}
        assert metrics["nemo_guardrail_status_total"]["all"] == 0

        await op.put(nimservice("solo"))
        await op.put(pipeline("llm", "embedder"))
        await op.put(nimcache("weights"))
        for kind, metric in (("NIMService", "nimService_status_total"),
                             ("NIMCache", "nimCache_status_total"),
                             ("NIMPipeline", "nimPipeline_status_total")):  # fmt: skip
            states = held(op, kind)
            assert states, f"{kind} objects exist"
            counts = scrape()[metric]
            assert counts["all"] == len(states)
            assert {s: counts[s] for s in states} == {s: states.count(s) for s in states}

        # another writer's state, and no state at all (upstream counts that as Unknown)
        op.twin.patch("NIMService", NS, "llm", {"status": {"state": None}}, status=True)
        op.twin.patch("NIMService", NS, "embedder", {"status": {"state": "Weird"}},
                      status=True)  # fmt: skip
        await op.twin.settle()
        services = scrape()["nimService_status_total"]
        assert services["Weird"] == 1 and services["all"] == 3
        assert services["Unknown"] == held(op, "NIMService").count("Unknown") >= 1

        op.twin.delete("NIMPipeline", NS, "rag")
        await op.settle()
        services = scrape()["nimService_status_total"]
        assert "Weird" not in services, "a state nobody is in any more does not linger"
        assert services["all"] == len(op.twin.objects("NIMService", NS))
