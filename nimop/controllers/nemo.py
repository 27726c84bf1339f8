"""The shared NeMo controller: one reconcile for all five NeMo kinds (§2.8).

A kind's module subclasses :class:`NemoReconciler` with its `kind`, `model` and `render`
(and, like the guardrail, the other objects its render reads), and calls :func:`build_nemo`.
The reconcile parses the CR into its typed model, renders, syncs the children (pruning only
after a complete render, so a missing reference never tears down a running service), and
patches status only when it changed: at steady state nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nimop.api import kinds
from nimop.controllers import nemo_status, nimservice_status
from nimop.controllers.base import (
    PrimaryReconciler,
    apply_or_reject,
    primary_controller,
    write_status,
)
from nimop.controllers.nimservice_status import Observed
from nimop.controllers.runtime import Runtime
from nimop.controllers.validate import Checked
from nimop.render import Rendered
from nimop.render.common import label_value, service_name
from nimop.render.nemo import endpoint
from nimop.watch.controller import Controller, Result
from nimop.watch.objects import ObjectKey, meta
from nimop.watch.store import INDEX_LABEL

#: After creating children, report status on the next reconcile (see NIMService's handle).
STATUS_AFTER_WRITE_SECONDS = 5.0
INSTANCE = "app.kubernetes.io/instance"


class NemoReconciler(PrimaryReconciler[Any]):
    """Reconcile of one NeMo kind; subclasses set `kind`, `model_type` and `render`."""

    def render(self, cr: Any) -> Rendered:
        raise NotImplementedError

    async def handle(self, key: ObjectKey, obj: dict[str, Any], cr: Checked[Any]
                     ) -> Result | None:
        if cr.errors or cr.model is None:
            rendered = Rendered(problems=tuple(cr.errors))
        else:
            rendered = self.render(cr.model)
        written: set[str] = set()
        created: set[str] = set()
        if rendered.objects:
            rendered = await apply_or_reject(self._apply(obj, rendered, written, created),
                                             rendered)
        observed = self._observe(obj, rendered, written)
        url = endpoint(str(meta(obj)["name"]), str(meta(obj)["namespace"]),
                       cr.model.spec if cr.model is not None else None)
        status = nemo_status.compute(obj, rendered, observed, url, now=self.rt.now())
        if created and status.get("state") != "Failed":
            return Result(requeue_after=STATUS_AFTER_WRITE_SECONDS)
        if nimservice_status.settling(obj, status, self.rt.now()):
            return Result(requeue_after=nimservice_status.SETTLE_RECHECK_SECONDS)
        await write_status(self.rt, self.kind, obj, status)
        return None

    async def _apply(self, obj: Mapping[str, Any], rendered: Rendered, written: set[str],
                     created: set[str]) -> None:
        result = await self.children.sync(obj, list(rendered.objects), prune=rendered.ok)
        written.update(result.created + result.updated)
        created.update(result.created)

    def _observe(self, obj: Mapping[str, Any], rendered: Rendered, written: set[str]
                 ) -> Observed:
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
        )


def build_nemo(rt: Runtime, name: str, reconciler: type[NemoReconciler], *,
               workers: int = 2) -> Controller:
    """The controller of one NeMo kind over the shared NeMo children."""
    return primary_controller(rt, name, reconciler, kinds.NEMO_CHILDREN, workers=workers)
