"""`status.draResourceStatuses`: each pod claim of a NIMService, the ResourceClaims behind it,
their state and the devices the scheduler allocated (§4.3 "Status").

Pure: computed from the pod claims the renderer wired into the workload and the live
ResourceClaims of the namespace (from the informer store).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from nimop.watch.objects import Obj

POD_CLAIM_ANNOTATION = "resource.kubernetes.io/pod-claim-name"


def pod_claims(desired: Iterable[Obj]) -> list[Obj]:
    """`spec.resourceClaims` of the first pod template among the desired workload objects."""
    for obj in desired:
        for template in pod_templates(obj):
            claims = (template.get("spec") or {}).get("resourceClaims")
            if claims:
                return list(claims)
    return []


def pod_templates(obj: Obj) -> list[Obj]:
    spec = obj.get("spec") or {}
    kind = obj.get("kind")
    if kind == "Deployment":
        return [spec.get("template") or {}]
    if kind == "LeaderWorkerSet":
        lwt = spec.get("leaderWorkerTemplate") or {}
        return [t for t in (lwt.get("leaderTemplate"), lwt.get("workerTemplate")) if t]
    if kind == "InferenceService":
        return [{"spec": spec.get("predictor") or {}}]
    return []


def claim_state(claim: Obj) -> str:
    """Comma list of `deleted`, `pending`, `allocated`, `reserved` (upstream's vocabulary)."""
    status = claim.get("status") or {}
    states = []
    deleted = bool(claim.get("metadata", {}).get("deletionTimestamp"))
    if deleted:
        states.append("deleted")
    if not status.get("allocation"):
        if not deleted:
            states.append("pending")
    else:
        states.append("allocated")
    if status.get("reservedFor"):
        states.append("reserved")
    return ",".join(states)


def allocated_devices(claim: Obj) -> list[dict[str, str]]:
    results = (((claim.get("status") or {}).get("allocation") or {}).get("devices") or {}).get(
        "results"
    ) or []
    keys = ("request", "driver", "pool", "device")
    return [{k: str(r.get(k, "")) for k in keys} for r in results]


def _claim_status(claim: Obj) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": claim["metadata"]["name"], "state": claim_state(claim)}
    devices = allocated_devices(claim)
    if devices:
        entry["devices"] = devices
    return entry


def statuses(pod_claim_list: Sequence[Obj], claims: Sequence[Obj]) -> list[dict[str, Any]]:
    """One entry per pod claim: a named claim's status, or the claims generated from a
    template (matched by the pod-claim-name annotation, oldest first)."""
    by_name = {c["metadata"]["name"]: c for c in claims}
    out: list[dict[str, Any]] = []
    for pc in pod_claim_list:
        name = str(pc["name"])
        if pc.get("resourceClaimName"):
            claim = by_name.get(str(pc["resourceClaimName"]))
            status = (
                _claim_status(claim)
                if claim
                else {"name": pc["resourceClaimName"], "state": "pending"}
            )
            out.append({"name": name, "resourceClaimStatus": status})
        elif pc.get("resourceClaimTemplateName"):
            generated = sorted(
                (
                    c
                    for c in claims
                    if (c["metadata"].get("annotations") or {}).get(POD_CLAIM_ANNOTATION) == name
                ),
                key=lambda c: (c["metadata"].get("creationTimestamp", ""), c["metadata"]["name"]),
            )
            out.append(
                {
                    "name": name,
                    "resourceClaimTemplateStatus": {
                        "name": pc["resourceClaimTemplateName"],
                        "resourceClaimStatuses": [_claim_status(c) for c in generated],
                    },
                }
            )
    return out


def pending_claims(entries: Sequence[Mapping[str, Any]]) -> list[str]:
    """Names of claims not (yet) allocated, for the NotReady message."""
    pending = []
    for entry in entries:
        nested = (
            [entry["resourceClaimStatus"]]
            if "resourceClaimStatus" in entry
            else (entry["resourceClaimTemplateStatus"].get("resourceClaimStatuses") or [])
        )
        pending += [c["name"] for c in nested if "pending" in c["state"].split(",")]
    return pending
