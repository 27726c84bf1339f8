"""`render_nimservice`: one entry point for every NIMService mode (§2.3 dispatch):
KServe InferenceService (`kserve`), multi-node LeaderWorkerSet (`multinode`) or a standalone
Deployment (`standalone`). Each of them starts from the shared preparation in `prepare`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nimop.api import kinds
from nimop.api.nimservice import NIMService
from nimop.render.facts import ClusterFacts
from nimop.render.kserve import render_kserve
from nimop.render.multinode import render_multinode
from nimop.render.owners import Owner, parsed
from nimop.render.result import Collector, Rendered
from nimop.render.standalone import render_standalone
from nimop.render.wire import spec_hash, wire

#: The kinds this renderer may emit: the kind table's NIMSERVICE children.
CHILD_KINDS = kinds.keys(kinds.NIMSERVICE_CHILDREN)


def render_nimservice(svc: NIMService | Mapping[str, Any],
                      facts: ClusterFacts | None = None) -> Rendered:
    """Desired children of a NIMService on `facts`' cluster.

    Problems (reasons): NIMCacheNotFound/NotReady/Failed, InvalidStorage, InvalidPVCSpec,
    InvalidProfile, DRAResourcesUnsupported, GatewayAPIMissing, InvalidRouter,
    ServiceMonitorAPIMissing, LeaderWorkerSetAPIMissing, InvalidParallelism,
    InferenceServiceAPIMissing, InvalidDeploymentMode, UnsupportedOnKServe,
    InferencePoolAPIMissing, InvalidEPPConfig.
    """
    facts = facts or ClusterFacts()
    model = parsed(NIMService, svc)
    owner = Owner.of(model, model.spec)
    out = Collector()
    if owner.spec.inference_platform == "kserve":
        render_kserve(owner, facts, out)
    elif owner.spec.multi_node is not None:
        render_multinode(owner, facts, out)
    else:
        render_standalone(owner, facts, out)
    return out.result(spec_hash(wire(owner.spec)))
