"""The model layout fact of a NIMService without a NIMCache: whether its own image is native
(NIMCraft), as its registry says — or, when the registry cannot be read, as the workload that
already runs this very image says.

Upstream fails the reconcile whenever the registry cannot be read. nimop holds a new service
`ImageInspectionFailed` instead of guessing (docs/caching.md), but a service whose workload
already runs the same image keeps the layout that workload has: after an operator restart or a
leader handover during a registry outage, a serving NIM is neither marked NotReady nor
re-rolled, and an edit that keeps the image (env, replicas) still applies. The inspection goes
on being retried in the background.
"""

from __future__ import annotations

import structlog

from nimop.api import kinds
from nimop.api.kinds import Kind
from nimop.api.nimservice import NIMService
from nimop.controllers.dra_status import pod_templates
from nimop.controllers.image_protocol import ImageProtocols, Verdict
from nimop.controllers.runtime import Runtime
from nimop.render.names import child_name
from nimop.render.storage import NATIVE_ROOT
from nimop.render.wire import image_ref
from nimop.watch.objects import Obj, controller_owner, meta

log = structlog.get_logger("nimop.controllers.service_layout")

#: The workloads a service may run its NIM in, by the child name suffix.
WORKLOADS: tuple[tuple[Kind, str], ...] = (
    (kinds.DEPLOYMENT, ""), (kinds.LWS, "-lws"), (kinds.ISVC, ""),
)


def nimcache_name(model: NIMService) -> str:
    storage = model.spec.storage
    return str(storage.nim_cache.name or "") if storage and storage.nim_cache else ""


async def image_fact(
    rt: Runtime, protocols: ImageProtocols, svc: Obj, model: NIMService | None
) -> tuple[str, Verdict] | None:
    """(reference, verdict) of the image of a service without a NIMCache (upstream
    `ResolveModelLayout`: the serving image with `spec.image.pullSecrets`); None with one,
    whose `status.type` already says."""
    if model is None or nimcache_name(model):
        return None
    md = meta(svc)
    ref = image_ref(model.spec.image)
    verdict = await protocols.verdict(
        str(md.get("uid", "")), int(md.get("generation") or 0), str(md["namespace"]), ref,
        model.spec.image.pull_secrets or [],
    )  # fmt: skip
    if not verdict.error:
        return ref, verdict
    running = running_layout(rt, svc, ref)
    if running is None:
        return ref, verdict
    log.info("keeping the model layout of the running workload", image=ref, native=running)
    return ref, Verdict(native=running, retry_in=verdict.retry_in)


def running_layout(rt: Runtime, svc: Obj, image: str) -> bool | None:
    """True (native) or False (legacy) as the service's own live workload mounts its model
    volume, when that workload runs `image`; None when there is no such workload."""
    md = meta(svc)
    for kind, suffix in WORKLOADS:
        live = rt.get(kind, str(md["namespace"]), child_name(str(md["name"]), suffix))
        if live is None or (controller_owner(live) or {}).get("uid") != md.get("uid"):
            continue
        templates = pod_templates(live)  # the leader's first, for a LeaderWorkerSet
        containers = ((templates[0].get("spec") or {}).get("containers") or []) if templates else []
        main = next(iter(containers), None)
        if not main or main.get("image") != image:
            return None
        paths = {m.get("mountPath") for m in main.get("volumeMounts") or ()
                 if m.get("name") == "model-store"}  # fmt: skip
        return NATIVE_ROOT in paths if paths else None
    return None
