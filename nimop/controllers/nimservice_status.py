"""NIMService status as a pure function of the CR, its render result and its live children.

State and the Ready/Failed condition pair keep upstream's vocabulary (§0 C8) so
existing tooling works; what is new: `availableReplicas` is filled (upstream §9 item 32), every
condition carries `observedGeneration`, messages say what is missing, and `status.model` is
derived from the spec and the Service — the operator never calls the NIM, so no token leaves
it (upstream §9 item 45) and readiness does not depend on reaching the pod (§9 item 31).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from nimop.api import kinds
from nimop.controllers import conditions, dra_status, workload_status
from nimop.controllers.workload_status import Readiness
from nimop.render import Problem, Rendered
from nimop.watch.objects import Obj


@dataclass(frozen=True)
class Observed:
    """The live children a NIMService's status depends on (from informer stores)."""

    workload: Obj | None = None
    service: Obj | None = None
    ingress: Obj | None = None
    pods: Sequence[Obj] = ()
    claims: Sequence[Obj] = ()
    #: this reconcile just applied a change to the workload: what the store holds is the old
    #: object, whose readiness says nothing about the new spec
    workload_written: bool = False
    #: `status.computeDomainStatus` mirrored from the ComputeDomain the group joins
    compute_domain: Mapping[str, Any] | None = None
    extra_problems: Sequence[Problem] = field(default_factory=tuple)


def readiness(svc: Obj, rendered: Rendered, observed: Observed) -> Readiness:
    problems = [*observed.extra_problems, *rendered.problems]
    failed = next((p for p in problems if p.failed), None)
    if failed:
        return Readiness(False, failed.reason, failed.message)
    if problems:
        return Readiness(False, problems[0].reason, problems[0].message)
    workload = rendered.workload
    if workload is None:
        raise ValueError("a NIMService render without problems always names its workload")
    kind, name = workload.kind.kind, workload.name
    if workload.kind == kinds.ISVC:
        ready = workload_status.inference_service(observed.workload, name)
    elif workload.kind == kinds.LWS:
        ready = workload_status.leader_worker_set(observed.workload, name, observed.pods)
    else:
        ready = workload_status.deployment(observed.workload, name, observed.pods)
    if observed.workload_written and observed.workload is not None:
        message = f"applying the new spec to {kind} {name}"
        return Readiness(False, "RollingOut", message, ready.available_replicas)
    return ready


def compute(svc: Obj, rendered: Rendered, observed: Observed, *, now: str) -> dict[str, Any]:
    """The whole `status` we want the NIMService to have."""
    old = svc.get("status") or {}
    ready = readiness(svc, rendered, observed)
    dra = dra_status.statuses(dra_status.pod_claims(rendered.objects), observed.claims)
    if ready.ready and (pending := dra_status.pending_claims(dra)):
        ready = Readiness(
            False,
            "ResourceClaimPending",
            f"ResourceClaims not allocated yet: {', '.join(pending)}",
            ready.available_replicas,
        )
    state = (
        "Ready"
        if ready.ready
        else ("Failed" if _is_failed(rendered, observed, ready) else "NotReady")
    )
    generation = int(svc["metadata"].get("generation", 0))
    wanted = conditions.ready_failed(state, ready.reason, ready.message)
    status: dict[str, Any] = {
        "state": state,
        "conditions": conditions.merge(
            old.get("conditions"), wanted, generation=generation, now=now
        ),
    }
    if ready.available_replicas is not None:
        status["availableReplicas"] = ready.available_replicas
    if dra:
        status["draResourceStatuses"] = dra
    if observed.compute_domain:
        status["computeDomainStatus"] = dict(observed.compute_domain)
    model = model_status(svc, rendered, observed)
    if model:
        status["model"] = model
    return status


def _is_failed(rendered: Rendered, observed: Observed, ready: Readiness) -> bool:
    return (
        any(p.failed for p in (*observed.extra_problems, *rendered.problems))
        or ready.reason == "ProgressDeadlineExceeded"
    )


def model_status(svc: Obj, rendered: Rendered, observed: Observed) -> dict[str, str] | None:
    spec = svc.get("spec") or {}
    if rendered.workload is not None and rendered.workload.kind == kinds.ISVC:
        isvc_status = (observed.workload or {}).get("status") or {}
        cluster = str(((isvc_status.get("address") or {}).get("url")) or "")
        external = str(isvc_status.get("url") or "")
    else:
        cluster = _cluster_endpoint(svc, observed.service)
        external = _external_endpoint(observed.ingress, observed.service)
    if not cluster:
        return None
    return {
        "name": model_name(spec, svc["metadata"]["name"], _main_env(rendered)),
        "clusterEndpoint": cluster,
        "externalEndpoint": external,
    }


def model_name(
    spec: Mapping[str, Any], fallback: str, rendered_env: Sequence[Mapping[str, Any]] = ()
) -> str:
    """The served model name as the spec and the env nimop renders for the NIM tell it:
    `NIM_SERVED_MODEL_NAME` (first alias), a Hugging Face / NGC `NIM_MODEL_NAME` that is not a
    local path, the `hf://` weights of a universal NIM on a cache (`NIM_MODEL_PATH`), "" for a
    universal NIM on local weights (only the NIM knows: `served_model` asks it), else the
    NGC model path of the image (`nvcr.io/nim/meta/llama-3.1-8b-instruct:1.3` →
    `meta/llama-3.1-8b-instruct`)."""
    env = _env(spec, rendered_env)
    if env.get("NIM_SERVED_MODEL_NAME"):
        return env["NIM_SERVED_MODEL_NAME"].split(",")[0].strip()
    named = env.get("NIM_MODEL_NAME", "")
    if named and not named.startswith("/"):
        return named.removeprefix("hf://").removeprefix("ngc://")
    if env.get("NIM_MODEL_PATH", "").startswith("hf://"):
        return env["NIM_MODEL_PATH"].removeprefix("hf://")
    if named:
        # a universal NIM on local weights (a NIMCache's `modelEndpoint` download): the image
        # is the generic `llm-nim`, not the model; only the running NIM knows its name
        return ""
    repo = str((spec.get("image") or {}).get("repository") or "")
    path = repo.split("/", 1)[1] if "." in repo.split("/", 1)[0] else repo
    path = path.removeprefix("nim/")
    return path or fallback


def _env(spec: Mapping[str, Any], rendered_env: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    return {
        str(e.get("name")): str(e.get("value") or "")
        for e in [*rendered_env, *(spec.get("env") or ())]
        if isinstance(e, Mapping)
    }


def named_by_spec(svc: Obj, rendered: Rendered) -> bool:
    """The spec names the served model (`NIM_SERVED_MODEL_NAME`): nothing to ask the NIM."""
    return bool(_env(svc.get("spec") or {}, _main_env(rendered)).get("NIM_SERVED_MODEL_NAME"))


def _main_env(rendered: Rendered) -> list[Mapping[str, Any]]:
    """The env of the NIM container nimop renders (first container of the workload)."""
    for obj in rendered.objects:
        for template in dra_status.pod_templates(obj):
            containers = (template.get("spec") or {}).get("containers") or []
            if containers:
                return list(containers[0].get("env") or [])
    return []


def _cluster_endpoint(svc: Obj, service: Obj | None) -> str:
    if service is None:
        return ""
    ports = (service.get("spec") or {}).get("ports") or []
    api = next((p for p in ports if p.get("name") == "api"), ports[0] if ports else None)
    if api is None:
        return ""
    meta = service["metadata"]
    namespace = meta.get("namespace", svc["metadata"].get("namespace"))
    return f"{meta['name']}.{namespace}.svc:{api['port']}"


def _external_endpoint(ingress: Obj | None, service: Obj | None) -> str:
    if ingress is not None:
        rules = (ingress.get("spec") or {}).get("rules") or []
        host = next((r.get("host") for r in rules if r.get("host")), None)
        if host:
            return str(host)
        lb = (((ingress.get("status") or {}).get("loadBalancer") or {}).get("ingress") or [{}])[0]
        if lb.get("ip") or lb.get("hostname"):
            return str(lb.get("ip") or lb.get("hostname"))
    if service is not None and (service.get("spec") or {}).get("type") == "LoadBalancer":
        lb = (((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or [{}])[0]
        port = ((service["spec"].get("ports") or [{}])[0]).get("port")
        if lb.get("ip") or lb.get("hostname"):
            return f"{lb.get('ip') or lb.get('hostname')}:{port}"
    return ""


#: A healthy rollout — pods starting, none stuck — is reported once it is done or after this
#: long, whichever comes first, for a new NIMService and for a changed one: a NotReady that
#: lasts seconds is a wasted status write (and, for a change, two Events: out of Ready and back)
#: while the cluster is busiest. A stuck pod (unschedulable, image pull, crash loop) is
#: reported at once, so the grace never hides a problem.
ROLLOUT_GRACE_SECONDS = 30.0
_ROLLOUT_REASONS = frozenset({
    "DeploymentNotFound", "DeploymentProgressing", "DeploymentNotReady", "RollingOut",
    "LeaderWorkerSetNotFound", "LeaderWorkerSetNotReady", "InferenceServiceNotFound",
})  # fmt: skip


def settle_for(
    obj: Mapping[str, Any], status: Mapping[str, Any], now: str, *,
    since: str | None = None, changed_at: str | None = None, stuck: bool = False,
) -> float:  # fmt: skip
    """Seconds to leave the reported status as it is while a healthy rollout finishes (0:
    report now). Two cases hold:

    - never reported: the grace counts from the later of the object's creation and ``since``
      (its workload's creation), so a service that waited in a busy queue before its
      Deployment was made still gives its pods the time;
    - reported Ready for an older generation (the spec changed): from ``changed_at``, when the
      controller first saw this generation. The stale ``observedGeneration`` meanwhile tells
      every client (``kubectl wait``, kstatus, Argo CD) that the new spec is not reported yet.
    """
    ready = _ready_condition(status)
    if stuck or status.get("state") != "NotReady" or ready.get("reason") not in _ROLLOUT_REASONS:
        return 0.0
    reported = obj.get("status") or {}
    if not reported.get("state"):
        created = str((obj.get("metadata") or {}).get("creationTimestamp") or "")
        start = max(created, since or "") if created else ""  # RFC 3339 UTC: ordered as text
    elif reported.get("state") == "Ready" and reports_older_generation(obj) and changed_at:
        start = changed_at
    else:
        return 0.0
    if not start:
        return 0.0
    return max(0.0, ROLLOUT_GRACE_SECONDS - _seconds_between(start, now))


def reports_older_generation(obj: Mapping[str, Any]) -> bool:
    """The stored Ready condition describes an older generation than the object's."""
    ready = _ready_condition(obj.get("status") or {})
    return ready.get("observedGeneration") != (obj.get("metadata") or {}).get("generation")


def _ready_condition(status: Mapping[str, Any]) -> Mapping[str, Any]:
    return next((c for c in status.get("conditions") or () if c.get("type") == "Ready"), {})


def _seconds_between(start: str, end: str) -> float:
    def parse(stamp: str) -> datetime:
        return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)

    return (parse(end) - parse(start)).total_seconds()
