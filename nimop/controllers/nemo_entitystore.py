"""The NemoEntitystore controller: the shared NeMo reconcile over its renderer."""

from __future__ import annotations

from nimop.api import kinds
from nimop.api.nemo_entitystore import NemoEntitystore
from nimop.controllers.facts import cluster_facts
from nimop.controllers.nemo import NemoReconciler, build_nemo
from nimop.controllers.runtime import Runtime
from nimop.render import Rendered
from nimop.render.nemo_entitystore import render_nemoentitystore
from nimop.watch.controller import Controller


class NemoEntitystoreReconciler(NemoReconciler):
    kind = kinds.NEMOENTITYSTORE
    model_type = NemoEntitystore

    def render(self, cr: NemoEntitystore) -> Rendered:
        return render_nemoentitystore(cr, cluster_facts(self.rt, cr.metadata.namespace or ""))


def build(rt: Runtime, *, workers: int = 2) -> Controller:
    return build_nemo(rt, "nemoentitystore", NemoEntitystoreReconciler, workers=workers)
