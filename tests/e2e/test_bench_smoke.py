"""The benchmark harness still works end to end (N = 5), so it cannot rot between the runs
that docs/performance.md reports. This checks the shape of the result and the idle-phase
write budget (zero) and that the floor (the same children created by the driver) completes,
not speed: benchmarks report timings, tests do not assert them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.__main__ import run_one
from bench.scenario import Config
from tests.cluster import Cluster
from tests.operator_process import OperatorProcess

PHASES = ("startup", "cache", "create", "idle", "update", "delete")


@pytest.fixture
def bench_alone() -> Iterator[None]:
    """The bench's operator and the e2e session's both authenticate as the installed
    ServiceAccount: the session's is paused, so the audit log holds the bench's alone."""
    shared = OperatorProcess.session
    if shared is not None:
        shared.stop()
    try:
        yield
    finally:
        if shared is not None:
            shared.start()


@pytest.mark.slow
def test_bench_run_at_n5(cluster: Cluster, tmp_path: Path, bench_alone: None) -> None:
    result = run_one(
        cluster, Config(n=5, out=tmp_path, resync=5.0, idle=8.0, phase_timeout=180, floor=True)
    )

    assert tuple(result["phases"]) == PHASES
    assert all(p["completed"] for p in result["phases"].values()), result["stuck"]
    create = result["phases"]["create"]
    assert create["api"]["writes"] > 0, "the operator's requests were not found in the audit log"
    assert result["children_per_nimservice"], "no children found for the first NIMService"
    assert result["ready_curve"][-1][1] == 0 and max(c for _, c in result["ready_curve"]) == 5
    # the idle phase spans a resync (5 s) and is counted from the audit log
    assert result["phases"]["idle"]["reconciles"], "no resync reconciles during the idle phase"
    # Budget: zero writes while nothing changes, resync included.
    assert result["idle_writes"]["count"] == len(result["idle_writes"]["requests"])
    assert result["idle_writes"]["requests"] == [], result["idle_writes"]["requests"]
    # The floor: the same children, created by the driver, all available, then the update.
    k = sum(result["children_per_nimservice"].values())
    floor = result["floor"]
    assert floor["create"]["completed"] and floor["update"]["completed"]
    assert floor["create"]["writes"] == 5 * k and floor["update"]["writes"] == 1
    assert result["vs_floor"]["create"]["floor_requests"] == 5 * k
    files = {p.suffix for p in tmp_path.iterdir()}
    assert {".json", ".md", ".png"} <= files
    assert json.loads(next(tmp_path.glob("run-5-*.json")).read_text())["meta"]["n"] == 5
