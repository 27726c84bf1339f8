"""nimop.render: pure functions from a CR and the cluster facts to its desired children.

No I/O, no clock, no randomness: the same input gives byte-identical output. Imports only
`nimop.api` and the standard library (import-linter contract in pyproject.toml).

Entry points (each returns a `Rendered`: objects in apply order, problems as data):
- `render_nimcache(cache, facts)`
- `render_nimservice(service, facts)` — standalone, multi-node (LWS) or KServe
- `render_nimpipeline(pipeline, facts)`
- `render_nimbuild(build, facts)`
- `render_nemoentitystore`, `render_nemodatastore`, `render_nemoguardrail(cr, facts, …)` —
  the NeMo kinds on the shared NeMo layer (`nimop.render.nemo`)

The kinds each may emit are the kind table's children (`nimop.api.kinds.CHILDREN`).
"""

from nimop.api.problem import Problem
from nimop.render.cache import CHILD_KINDS as NIMCACHE_CHILD_KINDS
from nimop.render.cache import render_nimcache
from nimop.render.facts import CachedProfile, ClusterFacts, ComputeDomainFacts, NIMCacheFacts
from nimop.render.nemo import CHILD_KINDS as NEMO_CHILD_KINDS
from nimop.render.nemo_datastore import render_nemodatastore
from nimop.render.nemo_entitystore import render_nemoentitystore
from nimop.render.nemo_guardrail import render_nemoguardrail
from nimop.render.nimbuild import CHILD_KINDS as NIMBUILD_CHILD_KINDS
from nimop.render.nimbuild import render_nimbuild
from nimop.render.nimservice import CHILD_KINDS as NIMSERVICE_CHILD_KINDS
from nimop.render.nimservice import render_nimservice
from nimop.render.pipeline import CHILD_KINDS as NIMPIPELINE_CHILD_KINDS
from nimop.render.pipeline import render_nimpipeline
from nimop.render.profiles import select_profiles
from nimop.render.result import GeneratedSecret, Rendered

__all__ = [
    "NEMO_CHILD_KINDS",
    "NIMBUILD_CHILD_KINDS",
    "NIMCACHE_CHILD_KINDS",
    "NIMPIPELINE_CHILD_KINDS",
    "NIMSERVICE_CHILD_KINDS",
    "CachedProfile",
    "ClusterFacts",
    "ComputeDomainFacts",
    "GeneratedSecret",
    "NIMCacheFacts",
    "Problem",
    "Rendered",
    "render_nemodatastore",
    "render_nemoentitystore",
    "render_nemoguardrail",
    "render_nimbuild",
    "render_nimcache",
    "render_nimpipeline",
    "render_nimservice",
    "select_profiles",
]
