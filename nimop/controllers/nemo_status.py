"""NeMo status as a pure function of the CR, its render result and its live Deployment.

The same vocabulary as NIMService (§0 C8: `state` Ready/NotReady/Failed, the
Ready/Failed condition pair), with what upstream's NeMo controllers lack (§9 item 32):
`availableReplicas`, `observedGeneration` on every condition, `Failed` with the reason for
input that cannot work, and `endpoint`, the in-cluster URL other NeMo services point at.

An in-cluster endpoint URL whose Service does not exist is reported in a condition of its own,
`EndpointsFound` (False, `ServiceNotFound`), not in Ready: the service itself may be running,
and the Service may yet come (a prerequisite installed later). Present only once an endpoint
was missing, then True once every one exists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from nimop.controllers import conditions
from nimop.controllers.nimservice_status import Observed, readiness
from nimop.render import Problem, Rendered
from nimop.watch.objects import Obj

ENDPOINTS_FOUND = "EndpointsFound"


def endpoints_found(old: Mapping[str, Any], missing: Sequence[Problem]) -> list[conditions.Cond]:
    """`EndpointsFound=False` while an in-cluster endpoint's Service is missing; True once
    found; absent for a CR whose endpoints were always found (ordinary statuses unchanged)."""
    if missing:
        return [conditions.Cond(ENDPOINTS_FOUND, False, missing[0].reason, missing[0].message)]
    if conditions.find(old.get("conditions"), ENDPOINTS_FOUND):
        return [conditions.Cond(ENDPOINTS_FOUND, True, "Found",
                                "the Service of every in-cluster endpoint exists")]
    return []


def compute(cr: Obj, rendered: Rendered, observed: Observed, endpoint: str, *,
            now: str, missing_services: Sequence[Problem] = ()) -> dict[str, Any]:
    """The whole `status` we want the NeMo CR to have."""
    ready = readiness(cr, rendered, observed)
    failed = any(p.failed for p in (*observed.extra_problems, *rendered.problems)) or (
        ready.reason == "ProgressDeadlineExceeded")
    state = "Ready" if ready.ready else ("Failed" if failed else "NotReady")
    old = cr.get("status") or {}
    wanted = [*conditions.ready_failed(state, ready.reason, ready.message),
              *endpoints_found(old, missing_services)]
    generation = int(cr["metadata"].get("generation", 0))
    status: dict[str, Any] = {
        "state": state,
        "conditions": conditions.merge(old.get("conditions"), wanted,
                                       generation=generation, now=now),
        "endpoint": endpoint,
    }
    if ready.available_replicas is not None:
        status["availableReplicas"] = ready.available_replicas
    return status
