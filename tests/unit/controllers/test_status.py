"""The pure status functions: states, reasons and messages from live children."""

from __future__ import annotations

from typing import Any

from nimop.controllers import (
    dra_status,
    nimcache_status,
    nimpipeline_status,
    nimservice_status,
    workload_status,
)
from nimop.controllers.generation_clock import GenerationClock
from nimop.controllers.nimservice_status import Observed
from nimop.render import ClusterFacts, Problem, Rendered, render_nimservice

NOW = "2026-01-01T00:00:00Z"


def svc(**spec: Any) -> dict[str, Any]:
    base = {
        "image": {"repository": "nvcr.io/nim/meta/llama-3.1-8b-instruct", "tag": "1.3.3"},
        "authSecret": "ngc-api",
        "storage": {"emptyDir": {}},
        "expose": {"service": {"port": 8000}},
    }
    return {
        "apiVersion": "apps.nvidia.com/v1alpha1",
        "kind": "NIMService",
        "metadata": {"name": "llm", "namespace": "ns", "generation": 2, "uid": "u1"},
        "spec": base | spec,
    }


def deployment(available: int, replicas: int = 1, **status: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": "llm", "generation": 1},
        "spec": {"replicas": replicas},
        "status": {
            "observedGeneration": 1,
            "updatedReplicas": replicas,
            "availableReplicas": available,
        }
        | status,
    }


def test_ready_deployment_makes_the_service_ready_with_endpoint_and_model() -> None:
    obj = svc()
    rendered = render_nimservice(obj)
    service = rendered.find("Service")
    status = nimservice_status.compute(
        obj, rendered, Observed(workload=deployment(1), service=service), now=NOW
    )
    assert status["state"] == "Ready"
    assert status["availableReplicas"] == 1
    assert status["model"] == {
        "name": "meta/llama-3.1-8b-instruct",
        "clusterEndpoint": "llm.ns.svc:8000",
        "externalEndpoint": "",
    }
    ready = next(c for c in status["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "True" and ready["observedGeneration"] == 2


def test_rollout_in_progress_says_how_many_replicas_are_available_and_why() -> None:
    obj = svc(replicas=2)
    pod = {
        "metadata": {"name": "llm-abc"},
        "status": {
            "conditions": [
                {
                    "type": "PodScheduled",
                    "status": "False",
                    "reason": "Unschedulable",
                    "message": "0/5 nodes are available: 5 Insufficient nvidia.com/gpu.",
                }
            ]
        },
    }
    observed = Observed(workload=deployment(1, replicas=2), pods=[pod])
    status = nimservice_status.compute(obj, render_nimservice(obj), observed, now=NOW)
    ready = next(c for c in status["conditions"] if c["type"] == "Ready")
    assert status["state"] == "NotReady"
    assert ready["reason"] == "DeploymentNotReady"
    assert "1 of 2 replicas available" in ready["message"]
    assert "Insufficient nvidia.com/gpu" in ready["message"]


def test_missing_cache_is_not_ready_and_failed_cache_is_failed() -> None:
    waiting = Rendered(problems=(Problem("NIMCacheNotReady", "NIMCache c not ready"),))
    status = nimservice_status.compute(svc(), waiting, Observed(), now=NOW)
    assert status["state"] == "NotReady"
    broken = Rendered(
        problems=(Problem("NIMCacheFailed", "NIMCache c failed: Job failed", failed=True),)
    )
    status = nimservice_status.compute(svc(), broken, Observed(), now=NOW)
    failed = next(c for c in status["conditions"] if c["type"] == "Failed")
    assert status["state"] == "Failed" and failed["reason"] == "NIMCacheFailed"
    assert failed["message"] == "NIMCache c failed: Job failed"


def test_served_model_name_prefers_the_explicit_env() -> None:
    spec = svc(env=[{"name": "NIM_SERVED_MODEL_NAME", "value": "my-llm,alias"}])["spec"]
    assert nimservice_status.model_name(spec, "x") == "my-llm"
    spec = svc(env=[{"name": "NIM_MODEL_NAME", "value": "hf://org/model"}])["spec"]
    assert nimservice_status.model_name(spec, "x") == "org/model"


def test_kserve_readiness_and_endpoints_come_from_the_inference_service() -> None:
    obj = svc(inferencePlatform="kserve")
    isvc = {
        "metadata": {"name": "llm", "generation": 1},
        "status": {
            "conditions": [{"type": "PredictorReady", "status": "True"}],
            "address": {"url": "http://llm.ns.svc.cluster.local"},
            "url": "http://llm.ns.example.com",
        },
    }
    rendered = render_nimservice(obj, ClusterFacts(kserve=True))
    assert rendered.ok, rendered.problems
    status = nimservice_status.compute(obj, rendered, Observed(workload=isvc), now=NOW)
    assert status["state"] == "Ready"
    assert status["model"]["clusterEndpoint"] == "http://llm.ns.svc.cluster.local"
    assert status["model"]["externalEndpoint"] == "http://llm.ns.example.com"


def claim(
    name: str, *, allocated: bool, reserved: bool = False, pod_claim: str = ""
) -> dict[str, Any]:
    status: dict[str, Any] = {}
    if allocated:
        status["allocation"] = {
            "devices": {
                "results": [
                    {
                        "request": "gpu",
                        "driver": "gpu.nvidia.com",
                        "pool": "kwok-gpu-0",
                        "device": "gpu-3",
                    }
                ]
            }
        }
    if reserved:
        status["reservedFor"] = [{"resource": "pods", "name": "p", "uid": "x"}]
    ann = {dra_status.POD_CLAIM_ANNOTATION: pod_claim} if pod_claim else {}
    return {
        "metadata": {"name": name, "annotations": ann, "creationTimestamp": name},
        "status": status,
    }


def test_dra_statuses_report_state_and_allocated_devices() -> None:
    pod_claims = [
        {"name": "shared", "resourceClaimName": "gpu-claim"},
        {"name": "per-pod", "resourceClaimTemplateName": "tmpl"},
    ]
    claims = [
        claim("gpu-claim", allocated=True, reserved=True),
        claim("b-gen", allocated=False, pod_claim="per-pod"),
        claim("a-gen", allocated=True, pod_claim="per-pod"),
    ]
    entries = dra_status.statuses(pod_claims, claims)
    shared = entries[0]["resourceClaimStatus"]
    assert shared["state"] == "allocated,reserved"
    assert shared["devices"] == [
        {"request": "gpu", "driver": "gpu.nvidia.com", "pool": "kwok-gpu-0", "device": "gpu-3"}
    ]
    generated = entries[1]["resourceClaimTemplateStatus"]["resourceClaimStatuses"]
    assert [c["name"] for c in generated] == ["a-gen", "b-gen"]
    assert dra_status.pending_claims(entries) == ["b-gen"]


def cache(
    state: str | None = None, generation: int = 1, ready_generation: int = 1
) -> dict[str, Any]:
    status: dict[str, Any] = {}
    if state:
        status = {
            "state": state,
            "conditions": [
                {
                    "type": "Ready",
                    "status": "False",
                    "reason": "JobFailed",
                    "message": "boom",
                    "observedGeneration": ready_generation,
                }
            ],
        }
    return {"metadata": {"name": "c", "generation": generation}, "spec": {}, "status": status}


def job(**status: Any) -> dict[str, Any]:
    return {"metadata": {"name": "c-job"}, "spec": {"backoffLimit": 5}, "status": status}


def test_cache_job_retrying_a_pod_stays_in_progress_not_failed() -> None:
    status = nimcache_status.compute(
        cache(), Rendered(), None, job(active=1, failed=2), profiles=[], now=NOW
    )
    assert status["state"] == "InProgress"
    ready = next(c for c in status["conditions"] if c["type"] == "Ready")
    assert "attempt 3 of 6" in ready["message"]


def test_cache_job_that_gave_up_fails_with_the_reason() -> None:
    failed_job = job(
        failed=6,
        conditions=[
            {
                "type": "Failed",
                "status": "True",
                "reason": "BackoffLimitExceeded",
                "message": "Job has reached the specified backoff limit",
            }
        ],
    )
    status = nimcache_status.compute(cache(), Rendered(), None, failed_job, profiles=[], now=NOW)
    assert status["state"] == "Failed"
    ready = next(c for c in status["conditions"] if c["type"] == "Ready")
    assert "BackoffLimitExceeded" in ready["message"] and "6 attempt" in ready["message"]


def test_completed_job_makes_the_cache_ready_with_pvc_and_profiles() -> None:
    done = job(succeeded=1, conditions=[{"type": "Complete", "status": "True"}])
    pvc = {"metadata": {"name": "c-pvc"}, "status": {"phase": "Bound"}}
    profiles = [{"name": "abc", "config": {"tp": "1"}}]
    status = nimcache_status.compute(cache(), Rendered(), pvc, done, profiles=profiles, now=NOW)
    assert (status["state"], status["pvc"], status["profiles"]) == ("Ready", "c-pvc", profiles)


def test_failed_cache_is_not_rerun_until_its_spec_changes() -> None:
    assert nimcache_status.failed_for_generation(cache("Failed", generation=1, ready_generation=1))
    assert not nimcache_status.failed_for_generation(
        cache("Failed", generation=2, ready_generation=1)
    )


def test_pipeline_state_is_ready_only_when_every_enabled_service_is() -> None:
    pipe = {"metadata": {"name": "p", "generation": 1}}
    services = {"a": {"status": {"state": "Ready"}}, "b": {"status": {"state": "NotReady"}}}
    status = nimpipeline_status.compute(pipe, ["a", "b"], services, now=NOW)
    assert status["state"] == "NotReady" and status["states"] == {"a": "Ready", "b": "NotReady"}
    services["b"] = {"status": {"state": "Ready"}}
    assert nimpipeline_status.compute(pipe, ["a", "b"], services, now=NOW)["state"] == "Ready"
    services["b"] = {"status": {"state": "Failed"}}
    assert nimpipeline_status.compute(pipe, ["a", "b"], services, now=NOW)["state"] == "Failed"


def test_pods_refused_by_admission_are_explained() -> None:
    obj = svc()
    failure = {
        "type": "ReplicaFailure",
        "status": "True",
        "reason": "FailedCreate",
        "message": 'pods "llm-x" is forbidden: no PriorityClass with name gold was found',
    }
    dep = deployment(0, conditions=[failure])
    dep["status"]["updatedReplicas"] = 0
    status = nimservice_status.compute(obj, render_nimservice(obj), Observed(workload=dep), now=NOW)
    ready = next(c for c in status["conditions"] if c["type"] == "Ready")
    assert ready["reason"] == "PodCreationFailed"
    assert "no PriorityClass with name gold" in ready["message"]


def test_a_workload_just_changed_is_not_reported_ready_from_the_old_object() -> None:
    obj = svc()
    observed = Observed(workload=deployment(1), workload_written=True)
    status = nimservice_status.compute(obj, render_nimservice(obj), observed, now=NOW)
    ready = next(c for c in status["conditions"] if c["type"] == "Ready")
    assert (status["state"], ready["reason"]) == ("NotReady", "RollingOut")
    assert status["availableReplicas"] == 1


def test_universal_nim_on_a_hugging_face_cache_serves_the_cached_model() -> None:
    rendered_env = [
        {"name": "NIM_MODEL_NAME", "value": "/model-store"},
        {"name": "NIM_MODEL_PATH", "value": "hf://Qwen/Qwen2.5-7B-Instruct"},
    ]
    spec = svc(image={"repository": "nvcr.io/nim/nvidia/llm-nim", "tag": "1.12.0"})["spec"]
    assert nimservice_status.model_name(spec, "x", rendered_env) == "Qwen/Qwen2.5-7B-Instruct"


def rolling_and_ready(obj: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The status computed while its Deployment rolls out, and once it is available."""
    rolling = nimservice_status.compute(
        obj, render_nimservice(obj), Observed(workload=deployment(0)), now=NOW
    )
    ready = nimservice_status.compute(
        obj, render_nimservice(obj), Observed(workload=deployment(1)), now=NOW
    )
    return rolling, ready


def test_a_brand_new_service_reports_a_healthy_rollout_once_done_or_after_the_grace() -> None:
    settle_for = nimservice_status.settle_for
    obj = svc()
    obj["metadata"]["creationTimestamp"] = "2026-01-01T00:00:00Z"
    rolling, ready = rolling_and_ready(obj)
    assert settle_for(obj, rolling, "2026-01-01T00:00:03Z") == 27.0  # requeued at the deadline
    assert settle_for(obj, rolling, "2026-01-01T00:00:30Z") == 0.0  # slow: report NotReady
    assert settle_for(obj, ready, "2026-01-01T00:00:03Z") == 0.0  # Ready is reported at once
    obj["status"] = {"state": "NotReady"}
    assert settle_for(obj, rolling, "2026-01-01T00:00:03Z") == 0.0  # already reported once


def test_a_stuck_pod_is_reported_at_once() -> None:
    """The grace never hides a problem: an unschedulable pod is news now."""
    obj = svc()
    obj["metadata"]["creationTimestamp"] = "2026-01-01T00:00:00Z"
    rolling, _ = rolling_and_ready(obj)
    pod = {"metadata": {"name": "llm-0"}, "status": {"conditions": [
        {"type": "PodScheduled", "status": "False", "message": "0/4 nodes have a free GPU"}]}}
    assert workload_status.stuck([pod])
    assert not workload_status.stuck([{"metadata": {"name": "llm-1"}, "status": {}}])
    assert nimservice_status.settle_for(obj, rolling, "2026-01-01T00:00:03Z", stuck=True) == 0.0


def test_the_first_status_grace_counts_from_the_workloads_creation() -> None:
    """In a busy queue a service's Deployment may be made long after the service: its pods get
    the grace from then, so the first status is still Ready, not NotReady then Ready."""
    obj = svc()
    obj["metadata"]["creationTimestamp"] = "2026-01-01T00:00:00Z"
    rolling, _ = rolling_and_ready(obj)
    late = "2026-01-01T00:01:00Z"
    assert nimservice_status.settle_for(obj, rolling, "2026-01-01T00:01:05Z", since=late) > 0
    assert nimservice_status.settle_for(obj, rolling, "2026-01-01T00:01:35Z", since=late) == 0
    assert nimservice_status.settle_for(obj, rolling, "2026-01-01T00:01:05Z") == 0  # creation


def test_a_changed_service_keeps_its_ready_status_while_its_rollout_is_healthy() -> None:
    """Reported Ready at generation 1, changed to generation 2: no NotReady (and no two Events)
    for a rollout that finishes within the grace; the stale observedGeneration says the new spec
    is not reported yet. Counted from when the change was first seen, not from creation."""
    obj = svc()
    obj["metadata"]["creationTimestamp"] = "2025-01-01T00:00:00Z"  # long ago
    rolling, ready = rolling_and_ready(obj)
    obj["status"] = {"state": "Ready", "conditions": [
        {"type": "Ready", "status": "True", "observedGeneration": 1}]}  # fmt: skip
    seen = "2026-01-01T00:00:00Z"
    assert nimservice_status.reports_older_generation(obj)
    assert nimservice_status.settle_for(obj, rolling, "2026-01-01T00:00:10Z", changed_at=seen) == 20
    assert nimservice_status.settle_for(obj, rolling, "2026-01-01T00:00:31Z", changed_at=seen) == 0
    assert nimservice_status.settle_for(obj, ready, "2026-01-01T00:00:10Z", changed_at=seen) == 0
    obj["status"]["conditions"][0]["observedGeneration"] = 2  # this generation was reported
    assert nimservice_status.settle_for(obj, rolling, "2026-01-01T00:00:10Z", changed_at=seen) == 0


def test_the_generation_clock_remembers_when_each_generation_was_first_seen() -> None:
    clock = GenerationClock(capacity=2)
    a = {"metadata": {"uid": "a", "generation": 2}}
    assert clock.first_seen(a, "T1") == "T1"
    assert clock.first_seen(a, "T2") == "T1", "the same generation: the first time"
    assert clock.first_seen({"metadata": {"uid": "a", "generation": 3}}, "T3") == "T3"
    clock.first_seen({"metadata": {"uid": "b", "generation": 1}}, "T4")
    clock.first_seen({"metadata": {"uid": "c", "generation": 1}}, "T5")
    assert len(clock) == 2, "bounded: the least recently seen goes"
    assert clock.first_seen({"metadata": {"uid": "a", "generation": 3}}, "T6") == "T6"


def test_a_cache_job_waiting_on_an_unbound_pvc_says_so() -> None:
    pvc = {"metadata": {"name": "c-pvc"}, "status": {"phase": "Pending"}}
    status = nimcache_status.compute(cache(), Rendered(), pvc, job(active=1), profiles=[], now=NOW)
    ready = next(c for c in status["conditions"] if c["type"] == "Ready")
    assert (status["state"], ready["reason"]) == ("Pending", "PVCPending")
    assert "c-pvc" in ready["message"]


def test_only_a_change_of_a_pods_problem_wakes_its_service() -> None:
    """A status reads pods only for the problem they show (the message's hint, `stuck`): a pod
    starting, scheduled and turning ready wakes nobody — its workload's status says that."""
    from nimop.controllers.predicates import pod_problem_changed
    from nimop.watch.informer import Event, EventType

    def pod(**status: Any) -> dict[str, Any]:
        return {"metadata": {"name": "llm-abc", "namespace": "ns"}, "status": status}

    pending, running = pod(phase="Pending"), pod(phase="Running")
    unschedulable = pod(phase="Pending", conditions=[{
        "type": "PodScheduled", "status": "False", "message": "0/5 nodes are available"}])
    crashing = pod(phase="Running", containerStatuses=[
        {"name": "nim", "state": {"waiting": {"reason": "CrashLoopBackOff"}}}])  # fmt: skip

    def wakes(typ: EventType, obj: dict[str, Any], old: dict[str, Any] | None = None) -> bool:
        return pod_problem_changed(Event(typ, obj, old))

    assert not wakes(EventType.ADDED, pending)
    assert not wakes(EventType.UPDATED, running, pending)
    assert wakes(EventType.UPDATED, unschedulable, pending), "a problem appears"
    assert wakes(EventType.UPDATED, crashing, unschedulable), "another problem"
    assert not wakes(EventType.UPDATED, crashing, crashing)
    assert wakes(EventType.UPDATED, running, crashing), "the problem went"
    assert wakes(EventType.DELETED, crashing) and not wakes(EventType.DELETED, running)
    assert wakes(EventType.ADDED, unschedulable)


def test_a_workload_status_write_wakes_its_service_only_when_readiness_changed() -> None:
    """The deployment controller writes status several times per rollout; only a write that
    changes what the service's status reads (or a change beyond status: drift) wakes it."""
    from nimop.controllers.nimservice import WORKLOAD_FILTERS
    from nimop.controllers.predicates import readiness_changed
    from nimop.watch.informer import Event, EventType

    wakes = WORKLOAD_FILTERS[next(k for k in WORKLOAD_FILTERS if k.kind == "Deployment")]
    created = {"metadata": {"name": "llm", "generation": 1, "resourceVersion": "1"},
               "spec": {"replicas": 1}}  # fmt: skip
    counted = {**created, "metadata": {**created["metadata"], "resourceVersion": "2"},
               "status": {"observedGeneration": 1, "replicas": 1, "updatedReplicas": 0}}
    updated = {**counted, "status": {**counted["status"], "updatedReplicas": 1,
                                     "unavailableReplicas": 1}}  # fmt: skip
    available = {**updated, "status": {**updated["status"], "availableReplicas": 1}}
    edited = {**available, "spec": {"replicas": 1, "paused": True}}

    def update(new: dict[str, Any], old: dict[str, Any]) -> bool:
        return wakes(Event(EventType.UPDATED, new, old))

    assert wakes(Event(EventType.ADDED, created))
    assert not update(counted, created), "still 0 of 1 available"
    assert not update(updated, counted)
    assert update(available, updated), "available: Ready to report"
    assert update(edited, available), "a spec edit is drift to repair, status or not"
    assert readiness_changed(lambda o: 0)(Event(EventType.DELETED, created))
