"""NIMPipeline status: the state of each enabled service and an overall state (§5),
plus the standard `Ready` condition upstream never set (§9 item 32)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from nimop.controllers import conditions
from nimop.controllers.conditions import Cond
from nimop.watch.objects import Obj


def compute(
    pipeline: Obj,
    enabled: Sequence[str],
    services: Mapping[str, Obj],
    *,
    now: str,
    problem: str = "",
) -> dict[str, Any]:
    """`services`: the live NIMServices owned by the pipeline, by name."""
    states = {
        name: str(((services.get(name) or {}).get("status") or {}).get("state") or "NotReady")
        for name in enabled
    }
    if problem or any(s == "Failed" for s in states.values()):
        overall = "Failed"
    elif all(s == "Ready" for s in states.values()):
        overall = "Ready"
    else:
        overall = "NotReady"
    waiting = sorted(n for n, s in states.items() if s != "Ready")
    if problem:
        cond = Cond("Ready", False, "ServiceConflict", problem)
    elif overall == "Ready":
        cond = Cond("Ready", True, "Ready", f"all {len(states)} services are Ready")
    else:
        reason = "ServiceFailed" if overall == "Failed" else "ServicesNotReady"
        cond = Cond("Ready", False, reason, f"waiting for: {', '.join(waiting)}")
    old = pipeline.get("status") or {}
    generation = int(pipeline["metadata"].get("generation", 0))
    return {
        "state": overall,
        "states": states,
        "conditions": conditions.merge(
            old.get("conditions"), [cond], generation=generation, now=now
        ),
    }
