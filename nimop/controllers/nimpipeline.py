"""The NIMPipeline controller: its NIMServices created, updated and removed together.

Upstream never updated a pipeline's existing services (§9 item 1); here they are applied
like any child, so editing a service's spec in the pipeline updates the NIMService. A
same-named NIMService the pipeline does not own is left alone and reported, as upstream does.
"""

from __future__ import annotations

from typing import Any

from nimop.api import kinds
from nimop.api.nimpipeline import NIMPipeline
from nimop.controllers import nimpipeline_status
from nimop.controllers.base import (
    CHILD_PROBLEMS,
    PrimaryReconciler,
    apply_or_reject,
    primary_controller,
)
from nimop.controllers.runtime import Runtime
from nimop.controllers.validate import Checked
from nimop.render import Rendered, render_nimpipeline
from nimop.watch.controller import Controller, Result
from nimop.watch.objects import Obj, ObjectKey, controller_owner, meta


class NIMPipelineReconciler(PrimaryReconciler[NIMPipeline]):
    kind = kinds.NIMPIPELINE
    model_type = NIMPipeline

    async def handle(
        self, key: ObjectKey, pipeline: dict[str, Any], cr: Checked[NIMPipeline]
    ) -> Result | None:
        errors = cr.errors
        rendered = render_nimpipeline(cr.model) if cr.model is not None else Rendered()
        problems = [p.message for p in (*errors, *rendered.problems)]
        if not errors:
            # A NIMService of the same name that this pipeline does not control is never taken
            # over: the children sync leaves it alone and reports ChildConflict.
            sync = self.children.sync(pipeline, rendered.objects, prune=not rendered.problems)
            rendered = await apply_or_reject(sync, rendered)
            problems += [p.message for p in rendered.problems if p.reason in CHILD_PROBLEMS]
        await self._report(
            pipeline, [s["metadata"]["name"] for s in rendered.objects], "; ".join(problems)
        )
        return None

    async def _report(self, pipeline: Obj, enabled: list[str], problem: str) -> None:
        ns = key_ns(pipeline)
        uid = meta(pipeline).get("uid")
        owned = {
            str(meta(s)["name"]): s
            for s in self.rt.store(kinds.NIMSERVICE).objects(ns)
            if (controller_owner(s) or {}).get("uid") == uid
        }
        status = nimpipeline_status.compute(
            pipeline, enabled, owned, now=self.rt.now(), problem=problem
        )
        await self.write_status(pipeline, status)


def key_ns(obj: Obj) -> str:
    return str(meta(obj).get("namespace"))


def build(rt: Runtime, *, workers: int = 1) -> Controller:
    return primary_controller(
        rt, "nimpipeline", NIMPipelineReconciler, kinds.NIMPIPELINE_CHILDREN, workers=workers
    )
