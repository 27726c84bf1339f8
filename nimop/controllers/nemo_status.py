"""NeMo status as a pure function of the CR, its render result and its live Deployment.

The same vocabulary as NIMService (§0 C8: `state` Ready/NotReady/Failed, the
Ready/Failed condition pair), with what upstream's NeMo controllers lack (§9 item 32):
`availableReplicas`, `observedGeneration` on every condition, `Failed` with the reason for
input that cannot work, and `endpoint`, the in-cluster URL other NeMo services point at.
"""

from __future__ import annotations

from typing import Any

from nimop.controllers import conditions
from nimop.controllers.nimservice_status import Observed, readiness
from nimop.render import Rendered
from nimop.watch.objects import Obj


def compute(cr: Obj, rendered: Rendered, observed: Observed, endpoint: str, *,
            now: str) -> dict[str, Any]:
    """The whole `status` we want the NeMo CR to have."""
    ready = readiness(cr, rendered, observed)
    failed = any(p.failed for p in (*observed.extra_problems, *rendered.problems)) or (
        ready.reason == "ProgressDeadlineExceeded")
    state = "Ready" if ready.ready else ("Failed" if failed else "NotReady")
    wanted = conditions.ready_failed(state, ready.reason, ready.message)
    generation = int(cr["metadata"].get("generation", 0))
    status: dict[str, Any] = {
        "state": state,
        "conditions": conditions.merge((cr.get("status") or {}).get("conditions"), wanted,
                                       generation=generation, now=now),
        "endpoint": endpoint,
    }
    if ready.available_replicas is not None:
        status["availableReplicas"] = ready.available_replicas
    return status
