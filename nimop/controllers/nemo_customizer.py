"""The NemoCustomizer controller: the shared NeMo reconcile, plus the two ConfigMaps its
config.yaml is built from.

Upstream reads the modelConfig and training ConfigMaps only when the CR's spec changes, so an
edit of the model catalogue never reaches the customizer (§9 item 29). Here they come
from an informer of user ConfigMaps, and a ConfigMap event wakes the customizers that reference
it: config.yaml is rewritten and its hash, a pod annotation, rolls the pods.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from nimop.api import kinds
from nimop.api.nemo_customizer import NemoCustomizer
from nimop.configdata import parse_values
from nimop.controllers.base import key_text
from nimop.controllers.facts import cluster_facts
from nimop.controllers.nemo import NemoReconciler, build_nemo
from nimop.controllers.runtime import Runtime
from nimop.render import ClusterFacts, Rendered
from nimop.render.nemo_customizer import render_nemocustomizer
from nimop.watch.controller import Controller
from nimop.watch.objects import meta
from nimop.watch.sources import enqueue_from_index

INDEX_CONFIG_MAPS = "configmaps"


def config_maps_of(obj: Mapping[str, Any]) -> list[str]:
    """Index: `namespace/name` of the ConfigMaps a NemoCustomizer reads."""
    spec = obj.get("spec") or {}
    names = [(spec.get("modelConfig") or {}).get("name"),
             ((spec.get("trainingConfig") or {}).get("configMap") or {}).get("name")]
    namespace = meta(obj).get("namespace")
    return [f"{namespace}/{n}" for n in names if n]


class NemoCustomizerReconciler(NemoReconciler):
    kind = kinds.NEMOCUSTOMIZER
    model_type = NemoCustomizer

    def render(self, cr: NemoCustomizer) -> Rendered:
        return render_nemocustomizer(cr, self._facts(cr))

    def _facts(self, cr: NemoCustomizer) -> ClusterFacts:
        namespace = cr.metadata.namespace or ""
        found: dict[str, Mapping[str, Any]] = {}
        for ref in config_maps_of(cr.to_dict()):
            name = ref.split("/", 1)[1]
            obj = self.rt.get(kinds.USER_CONFIG_MAP, namespace, name)
            if obj is not None:
                found[ref] = parse_values(obj.get("data"))
        return dataclasses.replace(cluster_facts(self.rt, namespace), config_maps=found)


def build(rt: Runtime, *, workers: int = 2) -> Controller:
    customizers = rt.informers[kinds.NEMOCUSTOMIZER]
    customizers.add_index(INDEX_CONFIG_MAPS, config_maps_of)
    ctrl = build_nemo(rt, "nemocustomizer", NemoCustomizerReconciler, workers=workers)
    if rt.served(kinds.USER_CONFIG_MAP):
        ctrl.watches(rt.informers[kinds.USER_CONFIG_MAP],
                     enqueue_from_index(customizers.store, INDEX_CONFIG_MAPS, key_text))
    return ctrl
