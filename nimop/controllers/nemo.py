"""The shared NeMo controller: one reconcile for all five NeMo kinds (§2.8).

A kind's module subclasses :class:`NemoReconciler` with its `kind`, `model` and `render`
(and, like the guardrail, the other objects its render reads), and calls :func:`build_nemo`.
The reconcile parses the CR into its typed model, renders, syncs the children (pruning only
after a complete render, so a missing reference never tears down a running service), checks
that what the spec names exists (`nemo_refs`: Secrets, existing PVCs, in-cluster endpoints),
and patches status only when it changed: at steady state nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nimop.api import kinds
from nimop.api.resource import CustomResource
from nimop.controllers import nemo_refs, nemo_status, nimservice_status, workload_status
from nimop.controllers.base import (
    PrimaryReconciler,
    apply_or_reject,
    key_text,
    primary_controller,
)
from nimop.controllers.nimservice_status import Observed
from nimop.controllers.references import References, problems
from nimop.controllers.runtime import Runtime
from nimop.controllers.validate import Checked
from nimop.render import Problem, Rendered
from nimop.render.names import label_value, service_name
from nimop.render.nemo import endpoint
from nimop.watch.controller import Controller, Result
from nimop.watch.objects import ObjectKey, meta
from nimop.watch.sources import enqueue_from_index
from nimop.watch.store import INDEX_LABEL
from nimop.watch.sync import ChildSync

INSTANCE = "app.kubernetes.io/instance"


class NemoReconciler(PrimaryReconciler[Any]):
    """Reconcile of one NeMo kind; subclasses set `kind`, `model_type` and `render`."""

    def __init__(self, rt: Runtime, children: ChildSync) -> None:
        super().__init__(rt, children)
        self.references = References(rt, self.kind)

    def render(self, cr: Any) -> Rendered:
        raise NotImplementedError

    async def handle(self, key: ObjectKey, obj: dict[str, Any], cr: Checked[Any]
                     ) -> Result | None:
        if cr.errors or cr.model is None:
            rendered = Rendered(problems=tuple(cr.errors))
        else:
            rendered = self.render(cr.model)
        written: set[str] = set()
        if rendered.objects:
            rendered = await apply_or_reject(self._apply(obj, rendered, written), rendered)
        model = None if cr.errors else cr.model
        missing, services = await self._check_references(obj, model)
        observed = self._observe(obj, rendered, written, missing)
        url = endpoint(str(meta(obj)["name"]), str(meta(obj)["namespace"]),
                       cr.model.spec if cr.model is not None else None)
        status = nemo_status.compute(obj, rendered, observed, url, now=self.rt.now(),
                                     missing_services=services)
        recheck = self.references.recheck_after(obj)
        hold = nimservice_status.settle_for(obj, status, self.rt.now(),
                                            stuck=workload_status.stuck(observed.pods))
        if hold:
            return Result(requeue_after=hold)
        await self.write_status(obj, status)
        return Result(requeue_after=recheck) if recheck else None

    async def _check_references(self, obj: Mapping[str, Any], cr: CustomResource | None
                                ) -> tuple[list[Problem], list[Problem]]:
        """(problems of what the spec names that is missing or not Ready, problems of
        in-cluster endpoint Services that do not exist); nothing for a CR that did not parse."""
        if cr is None:
            return [], []
        not_ready, services = nemo_refs.endpoint_problems(obj, self.rt.get)
        found = await self.references.missing(dict(obj), [*nemo_refs.named(cr), *services])
        by_name = [m for m in found if m.named.kind != kinds.SERVICE]
        return ([*problems(by_name), *not_ready],
                problems([m for m in found if m.named.kind == kinds.SERVICE]))

    async def _apply(self, obj: Mapping[str, Any], rendered: Rendered, written: set[str]) -> None:
        result = await self.children.sync(obj, list(rendered.objects), prune=rendered.ok)
        written.update(result.created + result.updated)

    def _observe(self, obj: Mapping[str, Any], rendered: Rendered, written: set[str],
                 missing: list[Problem]) -> Observed:
        md = meta(obj)
        ns, name = str(md["namespace"]), str(md["name"])
        desired = rendered.find("Deployment")
        workload = desired["metadata"]["name"] if desired else name
        pods = [p for p in self.rt.store(kinds.POD).by_index(
            INDEX_LABEL, f"{INSTANCE}={label_value(name)}") if meta(p).get("namespace") == ns]
        return Observed(
            workload=self.rt.get(kinds.DEPLOYMENT, ns, workload),
            service=self.rt.get(kinds.SERVICE, ns, service_name(name)),
            pods=pods,
            workload_written=f"Deployment/{ns}/{workload}" in written,
            extra_problems=missing,
        )


def build_nemo(rt: Runtime, name: str, reconciler: type[NemoReconciler], *,
               workers: int = 2) -> Controller:
    """The controller of one NeMo kind over the shared NeMo children, woken too by the nimop
    CRs its endpoint URLs name (a data store becoming Ready wakes the customizers using it)."""
    ctrl = primary_controller(rt, name, reconciler, kinds.NEMO_CHILDREN, workers=workers)
    informer = rt.informers[reconciler.kind]
    for target in nemo_refs.ENDPOINT_KINDS:
        if rt.served(target):
            index = f"endpoint-{target.plural}"
            informer.add_index(index, nemo_refs.named_by_endpoints(target))
            ctrl.watches(rt.informers[target],
                         enqueue_from_index(informer.store, index, key_text))
    return ctrl
