"""The NemoDatastore controller: the shared NeMo reconcile over its renderer."""

from __future__ import annotations

from nimop.api import kinds
from nimop.api.nemo_datastore import NemoDatastore
from nimop.controllers.facts import cluster_facts
from nimop.controllers.nemo import NemoReconciler, build_nemo
from nimop.controllers.runtime import Runtime
from nimop.render import Rendered
from nimop.render.nemo_datastore import render_nemodatastore
from nimop.watch.controller import Controller


class NemoDatastoreReconciler(NemoReconciler):
    kind = kinds.NEMODATASTORE
    model_type = NemoDatastore

    def render(self, cr: NemoDatastore) -> Rendered:
        return render_nemodatastore(cr, cluster_facts(self.rt, cr.metadata.namespace or ""))


def build(rt: Runtime, *, workers: int = 2) -> Controller:
    return build_nemo(rt, "nemodatastore", NemoDatastoreReconciler, workers=workers)
