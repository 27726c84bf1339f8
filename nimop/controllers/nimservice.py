"""The NIMService controller: render the service's children, sync them, report status.

Standalone (Deployment), multi-node (LeaderWorkerSet) and KServe (InferenceService) are all
one path here: the renderer picks the shape; this module only observes and writes. It wakes
on its own spec changes, on any owned child, on the NIMCache it uses (no polling while it
waits for the cache, §2.3), on its pods (to explain a stuck rollout) and on DRA
claims in its namespace. A service without a NIMCache has its own image inspected for its
model-download protocol (native or legacy layout) before it renders, once per generation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

import structlog

from nimop.api import kinds
from nimop.api.nimservice import NIMService
from nimop.controllers import compute_domain, nimservice_status, served_model, workload_status
from nimop.controllers.base import (
    PrimaryReconciler,
    apply_or_reject,
    ensure_shared,
    key_text,
    names_only,
    primary_controller,
    split_owned,
)
from nimop.controllers.facts import cluster_facts
from nimop.controllers.generation_clock import GenerationClock
from nimop.controllers.image_protocol import ImageProtocols, Verdict
from nimop.controllers.kserve_config import CONFIG_NAME
from nimop.controllers.nimservice_status import Observed
from nimop.controllers.predicates import pod_problem_changed, readiness_changed
from nimop.controllers.runtime import Runtime
from nimop.controllers.secrets import ensure_generated
from nimop.controllers.service_layout import image_fact
from nimop.controllers.validate import Checked
from nimop.render import Rendered, render_nimservice
from nimop.render.names import label_value
from nimop.watch.controller import Controller, Result
from nimop.watch.informer import Event
from nimop.watch.objects import Obj, ObjectKey, meta
from nimop.watch.sources import Mapper, enqueue_from_index
from nimop.watch.store import INDEX_LABEL, Store
from nimop.watch.sync import ChildSync

log = structlog.get_logger("nimop.controllers.nimservice")

INDEX_NIMCACHE = "nimcache"
INDEX_DRA = "dra-namespace"
INDEX_INSTANCE = "instance-label"
INDEX_COMPUTE_DOMAIN = "compute-domain"
INSTANCE = "app.kubernetes.io/instance"


#: The workload controllers' status writes that do not change what the status reads from
#: them wake nobody (readiness without pod hints: pods wake the service on their own).
WORKLOAD_FILTERS = {
    kinds.DEPLOYMENT: readiness_changed(lambda o: workload_status.deployment(o, "")),
    kinds.LWS: readiness_changed(lambda o: workload_status.leader_worker_set(o, "")),
}


def nimcache_of(obj: Obj) -> list[str]:
    """Index: `namespace/cache` of the NIMCache a NIMService mounts (upstream's field index)."""
    name = (((obj.get("spec") or {}).get("storage") or {}).get("nimCache") or {}).get("name")
    return [f"{meta(obj).get('namespace')}/{name}"] if name else []


def instance_label(obj: Obj) -> list[str]:
    """Index: `namespace/<instance label value>` — how a pod names its NIMService (the label
    value is the name, shortened when the name is too long for a label)."""
    return [f"{meta(obj).get('namespace')}/{label_value(str(meta(obj).get('name')))}"]


def uses_dra(obj: Obj) -> list[str]:
    """Index: the namespace of a NIMService whose pods hold DRA claims (`draResources`, or the
    channel of a ComputeDomain), so ResourceClaim events there wake it."""
    claims = (obj.get("spec") or {}).get("draResources") or compute_domain.domain_name(obj)
    return [str(meta(obj).get("namespace"))] if claims else []


class NIMServiceReconciler(PrimaryReconciler[NIMService]):
    kind = kinds.NIMSERVICE
    model_type = NIMService
    #: its render reads an InferenceService's status (KServe's write) and the NIMCache, never
    #: a child it wrote; the status it computes after a write already reads that write back
    own_writes_wake = False

    def __init__(self, rt: Runtime, children: ChildSync) -> None:
        super().__init__(rt, children)
        self.served = served_model.ServedModels(enabled=rt.served_model_probe)
        self.generations = GenerationClock()
        self.protocols = ImageProtocols(rt, enabled=rt.image_inspection, clock=rt.monotonic)

    async def handle(
        self, key: ObjectKey, svc: dict[str, Any], cr: Checked[NIMService]
    ) -> Result | None:
        image = None if cr.errors else await image_fact(self.rt, self.protocols, svc, cr.model)
        result = await self._handle(svc, cr, image)
        retry = image[1].retry_in if image else None
        if retry is None:
            return result
        if result is None or result.requeue_after is None:
            return Result(requeue_after=retry)
        return Result(requeue_after=min(retry, result.requeue_after))

    async def _handle(
        self, svc: dict[str, Any], cr: Checked[NIMService], image: tuple[str, Verdict] | None
    ) -> Result | None:
        errors, warnings = cr.errors, cr.warnings
        render = partial(self._render, svc, cr.model, image)
        rendered = names_only(render, errors) if errors else render()
        written: set[str] = set()
        if not errors:
            rendered = await apply_or_reject(self._apply(svc, rendered, written), rendered)
        # What was just written is read back from the stores (read-your-writes), so this
        # status already describes the children as created or updated: no second look needed.
        observed = self._observe(svc, rendered, written)
        status = nimservice_status.compute(svc, rendered, observed, now=self.rt.now())
        hold = self._hold(svc, status, observed)
        if hold:
            return Result(requeue_after=hold)
        named = nimservice_status.named_by_spec(svc, rendered)
        status, retry = await served_model.with_served_model(self.served, svc, status, named)
        await self._report(svc, status, warnings)
        return Result(requeue_after=retry) if retry else None

    def _hold(self, svc: Obj, status: Mapping[str, Any], observed: Observed) -> float:
        """Seconds to keep the reported status while a healthy rollout finishes."""
        now = self.rt.now()
        changed_at = None
        if nimservice_status.reports_older_generation(svc):
            changed_at = self.generations.first_seen(svc, now)
        return nimservice_status.settle_for(
            svc, status, now,
            since=meta(observed.workload or {}).get("creationTimestamp"),
            changed_at=changed_at, stuck=workload_status.stuck(observed.pods),
        )  # fmt: skip

    def _render(self, svc: Obj, model: NIMService | None,
                image: tuple[str, Verdict] | None = None) -> Rendered:  # fmt: skip
        if model is None:
            return Rendered()
        md = meta(svc)
        caches = nimcache_of(svc)
        cache = caches[0].split("/", 1)[1] if caches else None
        facts = cluster_facts(self.rt, str(md["namespace"]), nimcache=cache, isvc=str(md["name"]),
                              compute_domain=compute_domain.existing_domain(svc), image=image)
        return render_nimservice(model, facts)

    async def _apply(self, svc: Obj, rendered: Rendered, written: set[str]) -> None:
        owned, shared = split_owned(rendered.objects)
        await ensure_shared(self.rt, kinds.NIMSERVICE_CHILDREN, shared)
        labels = dict((owned[0]["metadata"].get("labels") or {}) if owned else {})
        await ensure_generated(self.rt, svc, rendered.generated_secrets, labels)
        # An incomplete render (a missing API, a cache not ready) must not tear down what runs.
        result = await self.children.sync(svc, compute_domain.desired(owned), prune=rendered.ok)
        written.update(result.created + result.updated)

    def _observe(self, svc: Obj, rendered: Rendered, written: set[str]) -> Observed:
        md = meta(svc)
        ns, name = str(md["namespace"]), str(md["name"])
        workload, service, ingress = (
            rendered.workload, rendered.service, rendered.exposed(kinds.INGRESS))
        pods = [
            p
            for p in self.rt.store(kinds.POD).by_index(
                INDEX_LABEL, f"{INSTANCE}={label_value(name)}"
            )
            if meta(p).get("namespace") == ns
        ]
        domain = compute_domain.domain_name(svc)
        return Observed(
            workload=self.rt.get(workload.kind, ns, workload.name) if workload else None,
            service=self.rt.get(service.kind, ns, service.name) if service else None,
            ingress=self.rt.get(ingress.kind, ns, ingress.name) if ingress else None,
            pods=pods,
            claims=self.rt.store(kinds.CLAIM).objects(ns) if uses_dra(svc) else (),
            workload_written=workload is not None
            and f"{workload.kind.kind}/{ns}/{workload.name}" in written,
            compute_domain=compute_domain.status(
                domain, self.rt.get(kinds.COMPUTE_DOMAIN, ns, domain) if domain else None
            ),
        )

    async def _report(
        self, svc: Obj, status: Mapping[str, Any], warnings: list[str]
    ) -> None:
        written = await self.write_status(svc, status)
        if written and nimservice_status.reports_older_generation(svc):
            for warning in warnings:
                await self.rt.events.record(
                    svc, type="Warning", reason="SpecWarning", action="Validate", note=warning
                )


def build(rt: Runtime, *, workers: int = 2) -> Controller:
    """The controller with its sources, over the kinds this cluster serves."""
    services = rt.informers[kinds.NIMSERVICE]
    services.add_index(INDEX_NIMCACHE, nimcache_of)
    services.add_index(INDEX_DRA, uses_dra)
    services.add_index(INDEX_INSTANCE, instance_label)
    services.add_index(INDEX_COMPUTE_DOMAIN, compute_domain.domain_index)
    ctrl = primary_controller(
        rt, "nimservice", NIMServiceReconciler, kinds.NIMSERVICE_CHILDREN, workers=workers,
        child_filters=WORKLOAD_FILTERS,
    )  # fmt: skip
    ctrl.watches(
        rt.informers[kinds.NIMCACHE],
        enqueue_from_index(services.store, INDEX_NIMCACHE, key_text),
    )
    ctrl.watches(rt.informers[kinds.POD], _pods_to_services(services.store), pod_problem_changed)
    if rt.served(kinds.KSERVE_CONFIG):
        ctrl.watches(rt.informers[kinds.KSERVE_CONFIG], _kserve_config_to_services(services.store))
    if rt.served(kinds.COMPUTE_DOMAIN):
        ctrl.watches(
            rt.informers[kinds.COMPUTE_DOMAIN],
            enqueue_from_index(services.store, INDEX_COMPUTE_DOMAIN, key_text),
        )
    if rt.served(kinds.CLAIM):
        ctrl.watches(
            rt.informers[kinds.CLAIM], enqueue_from_index(services.store, INDEX_DRA, _namespace)
        )
    return ctrl


def _namespace(obj: Obj) -> str:
    return str(meta(obj).get("namespace"))


def _kserve_config_to_services(store: Store) -> Mapper:
    """KServe's defaults changed: every NIMService on KServe renders again."""

    def mapper(event: Event) -> Iterable[ObjectKey]:
        if meta(event.obj).get("name") != CONFIG_NAME:
            return ()
        return [ObjectKey(meta(o)["namespace"], meta(o)["name"]) for o in store
                if (o.get("spec") or {}).get("inferencePlatform") == "kserve"]  # fmt: skip

    return mapper


def _pods_to_services(store: Store) -> Mapper:
    def mapper(event: Event) -> Iterable[ObjectKey]:
        labels = meta(event.obj).get("labels") or {}
        if labels.get("app.kubernetes.io/part-of") != "nim-service" or INSTANCE not in labels:
            return ()
        return store.keys_by_index(
            INDEX_INSTANCE, f"{meta(event.obj).get('namespace')}/{labels[INSTANCE]}"
        )

    return mapper
