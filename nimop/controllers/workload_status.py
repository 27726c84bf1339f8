"""Readiness of a NIMService's workload — Deployment, LeaderWorkerSet or InferenceService —
as a pure function of the live object, with a message that says what is missing.

Mirrors upstream's readiness checks (§2.4 step 13, §2.5 step 7) and adds what they
lack: the workload controller must have observed the current generation, and an
unschedulable pod's scheduler message is surfaced instead of a bare "not ready".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nimop.controllers.conditions import find
from nimop.watch.objects import Obj


@dataclass(frozen=True)
class Readiness:
    ready: bool
    reason: str
    message: str
    available_replicas: int | None = None


def _status(obj: Obj) -> Mapping[str, Any]:
    return obj.get("status") or {}


def _stale(obj: Obj) -> bool:
    observed = _status(obj).get("observedGeneration")
    return observed is not None and int(observed) < int(obj["metadata"].get("generation", 0))


def deployment(obj: Obj | None, name: str, pods: Sequence[Obj] = ()) -> Readiness:
    if obj is None:
        return Readiness(
            False, "DeploymentNotFound", f"waiting for Deployment {name} to be created"
        )
    st = _status(obj)
    available = int(st.get("availableReplicas") or 0)
    desired = obj.get("spec", {}).get("replicas", 1)
    if _stale(obj):
        return Readiness(
            False,
            "DeploymentProgressing",
            f"Deployment {name} has not observed its latest spec yet",
            available,
        )
    if desired == 0:
        return Readiness(
            False, "ScaledDown", f"Deployment {name} is scaled down to 0 replicas", available
        )
    progressing = find(st.get("conditions"), "Progressing")
    if progressing and progressing.get("reason") == "ProgressDeadlineExceeded":
        return Readiness(
            False,
            "ProgressDeadlineExceeded",
            f"Deployment {name}: {progressing.get('message', '')}",
            available,
        )
    updated = int(st.get("updatedReplicas") or 0)
    if updated < desired or available < updated:
        waiting = f"Deployment {name}: {available} of {desired} replicas available"
        failure = find(st.get("conditions"), "ReplicaFailure")
        if failure and failure.get("status") == "True":
            # pods could not even be created (admission refused them): say why
            waiting += f"; pods cannot be created: {failure.get('message', '')}"
            return Readiness(False, "PodCreationFailed", waiting, available)
        return Readiness(False, "DeploymentNotReady", _with_pod_hint(waiting, pods), available)
    return Readiness(
        True, "Ready", f"Deployment {name} is available ({available}/{desired} replicas)", available
    )


def leader_worker_set(obj: Obj | None, name: str, pods: Sequence[Obj] = ()) -> Readiness:
    if obj is None:
        return Readiness(
            False, "LeaderWorkerSetNotFound", f"waiting for LeaderWorkerSet {name} to be created"
        )
    st = _status(obj)
    ready = int(st.get("readyReplicas") or 0)
    replicas = obj.get("spec", {}).get("replicas", 1)
    if replicas == 0:
        return Readiness(
            False, "ScaledDown", f"LeaderWorkerSet {name} is scaled down to 0 groups", ready
        )
    available = find(st.get("conditions"), "Available")
    if available and available.get("status") == "True" and not _stale(obj):
        return Readiness(
            True, "Ready", f"LeaderWorkerSet {name} is available ({ready}/{replicas} groups)", ready
        )
    waiting = f"LeaderWorkerSet {name}: {ready} of {replicas} groups ready"
    return Readiness(False, "LeaderWorkerSetNotReady", _with_pod_hint(waiting, pods), ready)


def inference_service(obj: Obj | None, name: str) -> Readiness:
    if obj is None:
        return Readiness(
            False, "InferenceServiceNotFound", f"waiting for InferenceService {name} to be created"
        )
    conditions = _status(obj).get("conditions")
    predictor = find(conditions, "PredictorReady") or find(conditions, "Ready")
    if predictor is None:
        return Readiness(
            False,
            "InferenceServiceNotReady",
            f"waiting for InferenceService {name} predictor readiness",
        )
    if predictor.get("status") != "True":
        detail = predictor.get("message") or predictor.get("reason") or "not ready"
        return Readiness(False, "InferenceServiceNotReady", f"InferenceService {name}: {detail}")
    return Readiness(True, "Ready", f"InferenceService {name} is ready")


def stuck(pods: Sequence[Obj]) -> bool:
    """A pod cannot become ready without help: unschedulable, failed, image or crash loop."""
    return any(pod_problem(pod) for pod in pods)


def _with_pod_hint(message: str, pods: Sequence[Obj]) -> str:
    """Append why a pod is stuck (scheduler message, image or crash reason), if one is."""
    for pod in pods:
        hint = pod_problem(pod)
        if hint:
            return f"{message}; pod {pod['metadata']['name']}: {hint}"
    return message


def pod_problem(pod: Obj) -> str:
    """Why ``pod`` cannot become ready without help ("" when nothing says it cannot)."""
    st = _status(pod)
    scheduled = find(st.get("conditions"), "PodScheduled")
    if scheduled and scheduled.get("status") == "False":
        return str(scheduled.get("message") or scheduled.get("reason") or "unschedulable")
    if st.get("phase") == "Failed":
        return str(st.get("message") or st.get("reason") or "failed")
    for cs in st.get("containerStatuses") or ():
        waiting = (cs.get("state") or {}).get("waiting") or {}
        if waiting.get("reason") in {
            "ImagePullBackOff",
            "ErrImagePull",
            "CrashLoopBackOff",
            "CreateContainerConfigError",
        }:
            detail = f"{waiting['reason']} {waiting.get('message', '')}".strip()
            return f"container {cs.get('name')}: {detail}"
    return ""
