"""NIMCache status as a pure function of the CR, its render result and its PVC and Job.

States keep upstream's vocabulary (§2.2 h: Pending, InProgress, Ready, Failed,
NotReady) plus the standard `Ready` condition. Unlike upstream (§9 item 5), the state follows the
Job's terminal `Complete`/`Failed` conditions, so a Job retrying a failed pod stays
`InProgress` ("attempt 2 of 6") instead of flapping between Failed and InProgress. Retries are
the Job's own (`backoffLimit`, exponential pod backoff); once it gives up the cache is `Failed`
for this generation and is not re-run until its spec changes (upstream silently retried every
ten minutes when the finished Job expired).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from nimop.controllers import conditions
from nimop.controllers.conditions import Cond
from nimop.render import Rendered
from nimop.watch.objects import Obj

JOB_CREATED, JOB_COMPLETED, JOB_PENDING = (
    "NIM_CACHE_JOB_CREATED",
    "NIM_CACHE_JOB_COMPLETED",
    "NIM_CACHE_JOB_PENDING",
)


def failed_for_generation(cache: Obj) -> bool:
    """The cache failed and nothing changed since: its Job must not be re-created."""
    status = cache.get("status") or {}
    ready = conditions.find(status.get("conditions"), "Ready")
    generation = int(cache["metadata"].get("generation", 0))
    return (
        status.get("state") == "Failed"
        and ready is not None
        and ready.get("observedGeneration") == generation
    )


def compute(
    cache: Obj,
    rendered: Rendered,
    pvc: Obj | None,
    job: Obj | None,
    *,
    profiles: Sequence[Mapping[str, Any]],
    now: str,
) -> dict[str, Any]:
    old = cache.get("status") or {}
    state, wanted = _state(cache, rendered, pvc, job)
    generation = int(cache["metadata"].get("generation", 0))
    status: dict[str, Any] = {
        "state": state,
        "conditions": conditions.merge(
            old.get("conditions"), wanted, generation=generation, now=now
        ),
    }
    if old.get("type"):
        status["type"] = old["type"]
    if state == "Ready":
        status["pvc"] = old.get("pvc") or (pvc or {}).get("metadata", {}).get("name", "")
        status["profiles"] = list(old.get("profiles") or profiles)
    return status


def _state(
    cache: Obj, rendered: Rendered, pvc: Obj | None, job: Obj | None
) -> tuple[str, list[Cond]]:
    old = cache.get("status") or {}
    if old.get("state") == "Ready":
        return "Ready", [Cond("Ready", True, "JobCompleted", "the model is cached")]
    if failed_for_generation(cache) and job is None:
        ready = conditions.find(old.get("conditions"), "Ready") or {}
        return "Failed", [
            Cond(
                "Ready", False, str(ready.get("reason", "JobFailed")), str(ready.get("message", ""))
            )
        ]
    failed = next((p for p in rendered.problems if p.failed), None)
    if failed:
        return "Failed", [Cond("Ready", False, failed.reason, failed.message)]
    unbound = pvc is not None and (pvc.get("status") or {}).get("phase") != "Bound"
    waiting = (
        f"waiting for PersistentVolumeClaim {(pvc or {}).get('metadata', {}).get('name')} to bind"
    )
    if job is not None:
        state, conds = _job_state(job)
        if unbound and state in ("Pending", "InProgress"):
            # the Job's pod cannot start before its volume binds: say that, not "running"
            return "Pending", [*conds[:-1], Cond("Ready", False, "PVCPending", waiting)]
        return state, conds
    if rendered.problems:
        p = rendered.problems[0]
        return "NotReady", [Cond("Ready", False, p.reason, p.message)]
    if unbound:
        return "Pending", [Cond("Ready", False, "PVCPending", waiting)]
    return "Pending", [
        Cond("Ready", False, "JobPending", "waiting for the caching Job to be created")
    ]


def _job_state(job: Obj) -> tuple[str, list[Cond]]:
    name = job["metadata"]["name"]
    st = job.get("status") or {}
    created = Cond(JOB_CREATED, True, "JobCreated", f"caching Job {name} created")
    limit = int((job.get("spec") or {}).get("backoffLimit", 6))
    attempts = (
        int(st.get("failed") or 0) + int(st.get("succeeded") or 0) + int(st.get("active") or 0)
    )
    if conditions.is_true(job, "Complete"):
        return "Ready", [
            created,
            Cond(JOB_COMPLETED, True, "JobCompleted", f"caching Job {name} completed"),
            Cond("Ready", True, "JobCompleted", "the model is cached"),
        ]
    if conditions.is_true(job, "Failed"):
        cond = conditions.find(st.get("conditions"), "Failed") or {}
        detail = f"{cond.get('reason', '')} {cond.get('message', '')}".strip()
        why = f"caching Job {name} failed after {st.get('failed', 0)} attempt(s): {detail}"
        return "Failed", [
            created,
            Cond(JOB_COMPLETED, False, "JobFailed", why),
            Cond("Ready", False, "JobFailed", why),
        ]
    if int(st.get("active") or 0) > 0:
        msg = f"caching Job {name} is running (attempt {max(attempts, 1)} of {limit + 1})"
        return "InProgress", [
            created,
            Cond(JOB_PENDING, False, "JobRunning", msg),
            Cond("Ready", False, "JobRunning", msg),
        ]
    msg = f"caching Job {name} is pending"
    if st.get("failed"):
        msg += f" (retrying after {st['failed']} failed attempt(s),"
        msg += f" attempt {attempts + 1} of {limit + 1})"
    return "Pending", [
        created,
        Cond(JOB_PENDING, True, "JobPending", msg),
        Cond("Ready", False, "JobPending", msg),
    ]
