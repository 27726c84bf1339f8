"""The NemoGuardrail controller: the shared NeMo reconcile over its renderer, plus the
NIMService its `nimEndpoint.nimServiceRef` names — read from the NIMService store, and a
NIMService event wakes the guardrails that use it (no polling while one waits for it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from nimop.api import kinds
from nimop.api.nemo_guardrail import NemoGuardrail
from nimop.api.nimservice import NIMService
from nimop.controllers.base import key_text
from nimop.controllers.facts import cluster_facts
from nimop.controllers.nemo import NemoReconciler, build_nemo
from nimop.controllers.runtime import Runtime
from nimop.render import Rendered
from nimop.render.nemo_guardrail import render_nemoguardrail
from nimop.watch.controller import Controller
from nimop.watch.objects import meta
from nimop.watch.sources import enqueue_from_index

INDEX_NIMSERVICE = "nimservice"


def nimservice_of(obj: Mapping[str, Any]) -> list[str]:
    """Index: `namespace/name` of the NIMService a guardrail's `nimServiceRef` names."""
    ref = (((obj.get("spec") or {}).get("nimEndpoint") or {}).get("nimServiceRef")) or {}
    if not ref.get("name"):
        return []
    return [f"{ref.get('namespace') or meta(obj).get('namespace')}/{ref['name']}"]


class NemoGuardrailReconciler(NemoReconciler):
    kind = kinds.NEMOGUARDRAIL
    model_type = NemoGuardrail

    def render(self, cr: NemoGuardrail) -> Rendered:
        namespace = cr.metadata.namespace or ""
        return render_nemoguardrail(cr, cluster_facts(self.rt, namespace), self._nim(cr))

    def _nim(self, cr: NemoGuardrail) -> NIMService | None:
        ref = cr.spec.nim_endpoint.nim_service_ref if cr.spec.nim_endpoint else None
        if ref is None:
            return None
        obj = self.rt.get(kinds.NIMSERVICE, ref.namespace or cr.metadata.namespace or "",
                          ref.name)
        if obj is None:
            return None
        try:
            return NIMService.model_validate(obj)
        except ValidationError:
            return None  # reported on the NIMService itself; here it is "not found"


def build(rt: Runtime, *, workers: int = 2) -> Controller:
    guardrails = rt.informers[kinds.NEMOGUARDRAIL]
    guardrails.add_index(INDEX_NIMSERVICE, nimservice_of)
    ctrl = build_nemo(rt, "nemoguardrail", NemoGuardrailReconciler, workers=workers)
    if rt.served(kinds.NIMSERVICE):
        ctrl.watches(
            rt.informers[kinds.NIMSERVICE],
            enqueue_from_index(guardrails.store, INDEX_NIMSERVICE, key_text),
        )
    return ctrl
