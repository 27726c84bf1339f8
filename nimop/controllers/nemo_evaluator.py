"""The NemoEvaluator controller: the shared NeMo reconcile over the evaluator's renderer."""

from __future__ import annotations

from nimop.api import kinds
from nimop.api.nemo_evaluator import NemoEvaluator
from nimop.controllers.facts import cluster_facts
from nimop.controllers.nemo import NemoReconciler, build_nemo
from nimop.controllers.runtime import Runtime
from nimop.render import Rendered
from nimop.render.nemo_evaluator import render_nemoevaluator
from nimop.watch.controller import Controller


class NemoEvaluatorReconciler(NemoReconciler):
    kind = kinds.NEMOEVALUATOR
    model_type = NemoEvaluator

    def render(self, cr: NemoEvaluator) -> Rendered:
        return render_nemoevaluator(cr, cluster_facts(self.rt, cr.metadata.namespace or ""))


def build(rt: Runtime, *, workers: int = 2) -> Controller:
    return build_nemo(rt, "nemoevaluator", NemoEvaluatorReconciler, workers=workers)
