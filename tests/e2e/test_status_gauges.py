"""Upstream's status gauges on the operator's /metrics while real CRs change state: the
counts per `status` label equal what the apiserver holds at that moment, cluster-wide."""

from __future__ import annotations

from collections import Counter

from prometheus_client.parser import text_string_to_metric_families

from tests.cluster import Cluster
from tests.e2e.crs import nimcache, nimservice, wait_state
from tests.operator_process import OperatorProcess
from tests.support import apply, eventually, items

GAUGES = {"nimservice": "nimService_status_total", "nimcache": "nimCache_status_total",
          "nimpipeline": "nimPipeline_status_total"}  # fmt: skip


def scraped(operator: OperatorProcess, metric: str) -> dict[str, float]:
    for family in text_string_to_metric_families(operator.metrics()):
        if family.name == metric:
            return {s.labels["status"]: s.value for s in family.samples if s.value}
    return {}


def held(cluster: Cluster, kind: str) -> dict[str, float]:
    """What upstream's gauge would say: `all` plus the count of every state (empty: Unknown)."""
    objects = items(cluster, kind)
    counts = Counter(str((o.get("status") or {}).get("state") or "Unknown") for o in objects)
    return {"all": float(len(objects)), **{k: float(v) for k, v in counts.items()}} if objects \
        else {}  # fmt: skip


def gauges_agree(cluster: Cluster, operator: OperatorProcess) -> None:
    """Eventually the scrape equals the apiserver's view for every kind (nonzero samples)."""
    for kind, metric in GAUGES.items():
        eventually(lambda k=kind, m=metric: scraped(operator, m) == held(cluster, k) or None,
                   timeout=30, what=f"{metric} == {kind} states in the apiserver")  # fmt: skip


def test_status_gauges_follow_state_changes(
    cluster: Cluster, namespace: str, operator: OperatorProcess
) -> None:
    text = operator.metrics()
    for metric in GAUGES.values():
        assert f"# TYPE {metric} gauge" in text
        assert f'{metric}{{status="all"}}' in text

    apply(cluster, namespace, nimservice("waiter", storage={"nimCache": {"name": "later"}}))
    wait_state(cluster, "nimservice", "waiter", namespace, "NotReady")
    gauges_agree(cluster, operator)
    assert scraped(operator, "nimService_status_total").get("NotReady", 0) >= 1

    apply(cluster, namespace, nimcache("later"))
    wait_state(cluster, "nimservice", "waiter", namespace, "Ready")
    gauges_agree(cluster, operator)
    assert scraped(operator, "nimCache_status_total").get("Ready", 0) >= 1

    cluster.kubectl("delete", "nimservice", "waiter", "-n", namespace, "--wait=true")
    gauges_agree(cluster, operator)
