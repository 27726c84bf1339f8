"""The permission table against what the controllers and the framework actually do: every kind
they cache is readable, every child kind they sync is manageable, and no read access is granted
that no informer uses (the table shrinks when the code does)."""

from __future__ import annotations

import pytest

from nimop.api import kinds
from nimop.permissions import PERMISSIONS, allowed, sent
from nimop.render import nemo_customizer, nemo_evaluator
from nimop.watch.events import EVENTS
from nimop.watch.leader import LEASES
from tests.unit.deploy.test_permissions import resource_of, sync_verbs

CACHED = kinds.ALL
CHILDREN = tuple(dict.fromkeys(
    kinds.NIMCACHE_CHILDREN + kinds.NIMSERVICE_CHILDREN + kinds.NIMPIPELINE_CHILDREN
    + kinds.NEMO_CHILDREN))
#: Read by the framework itself, not through the kind table: CRDs (discovery re-runs on changes).
FRAMEWORK_READS = {("apiextensions.k8s.io", "customresourcedefinitions")}
WATCH_SCOPES = ("cluster", "namespaced")


def ident(kind: kinds.Kind) -> str:
    return f"{kind.group or 'core'}/{kind.kind}"


@pytest.mark.parametrize("kind", CACHED, ids=ident)
def test_every_cached_kind_can_be_listed_and_watched(kind: kinds.Kind) -> None:
    group, resource = resource_of(kind.api_version, kind.kind)
    for verb in ("list", "watch"):
        assert allowed(group, resource, verb, scopes=WATCH_SCOPES), f"{verb} {group}/{resource}"


#: Child kinds no spec change prunes, so nimop holds no delete on them and the children sync
#: never deletes one (`primary_controller`): PVCs hold data; multi-node and DRA settings are
#: immutable (a ComputeDomain is only ever recreated, see its held delete). Garbage collection
#: deletes them with their owner.
NEVER_PRUNED = {(k.group, k.plural)
                for k in (kinds.PVC, kinds.LWS, kinds.CLAIM_TEMPLATE, kinds.COMPUTE_DOMAIN)}


@pytest.mark.parametrize("kind", CHILDREN, ids=ident)
def test_every_synced_child_kind_is_manageable(kind: kinds.Kind) -> None:
    group, resource = resource_of(kind.api_version, kind.kind)
    kept = (kind.group, kind.plural) in NEVER_PRUNED
    needed = sync_verbs(kind, pruned=not kept)
    missing = [v for v in needed if not allowed(group, resource, v, scopes=("namespaced",))]
    assert not missing, f"{group}/{resource} lacks {missing}"
    if kind.cached_whole:
        assert not allowed(group, resource, "get"), f"{group}/{resource}: get never sent"
    deletable = sent(group, resource, "delete")
    assert deletable != kept, f"{group}/{resource} delete: {deletable}"


@pytest.mark.parametrize("kind", kinds.PRIMARIES, ids=ident)
def test_primaries_status_and_legacy_finalizer_release(kind: kinds.Kind) -> None:
    group, resource = resource_of(kind.api_version, kind.kind)
    assert allowed(group, f"{resource}/status", "patch", scopes=("namespaced",))
    assert allowed(group, resource, "patch", scopes=("namespaced",))


def test_framework_events_and_lease() -> None:
    assert allowed(EVENTS.group, EVENTS.plural, "create", scopes=("namespaced",))
    for verb in ("get", "create", "update"):
        assert allowed(LEASES.group, LEASES.plural, verb, "nimop-leader", scopes=("operator",))
    for group, resource in FRAMEWORK_READS:
        assert allowed(group, resource, "watch", scopes=("cluster",))


def nemo_pod_reads() -> set[tuple[str, str]]:
    """What the NemoCustomizer (either scheduler) and NemoEvaluator Roles let their pods read."""
    rules = [*nemo_evaluator.ROLE_RULES]
    for scheduler in nemo_customizer.SCHEDULERS:
        rules += nemo_customizer.role_rules(scheduler)
    return {(g, r) for rule in rules if {"list", "watch"} & set(rule["verbs"])
            for g in rule["apiGroups"] for r in rule["resources"]}


def test_no_list_or_watch_without_an_informer() -> None:
    """list/watch exposes every object of a kind (RBAC cannot filter by label): grant it only
    where an informer needs it, or where a rendered Role passes read access on (EPP)."""
    informed = {resource_of(k.api_version, k.kind) for k in CACHED} | FRAMEWORK_READS
    passed_on = {("inference.networking.k8s.io", "inferenceobjectives"),
                 ("inference.networking.x-k8s.io", "inferencepools"),
                 ("inference.networking.x-k8s.io", "inferenceobjectives")} | nemo_pod_reads()
    for p in PERMISSIONS:
        if {"list", "watch"} & set(p.verbs):
            for resource in p.resources:
                assert (p.group, resource) in informed | passed_on, (
                    f"{p.group or 'core'}/{resource} is listable but nothing watches it")
