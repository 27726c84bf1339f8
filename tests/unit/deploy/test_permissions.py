"""The permission table covers what the operator does, and grants nothing it does not need.

Coverage is checked against what the code can do — the renderers' declared child kinds, every
object they render for every sample and example (on a vanilla cluster, one with every optional
API, and OpenShift), the rules of the Roles they render (RBAC escalation prevention) and the
Secrets they ask the controller to create — not against a hand-kept list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from nimop import offline
from nimop.api import kinds, parse_object
from nimop.permissions import KEEP, MANAGE, PERMISSIONS, allowed, select, sent
from nimop.render import (
    NIMBUILD_CHILD_KINDS,
    NIMCACHE_CHILD_KINDS,
    NIMPIPELINE_CHILD_KINDS,
    NIMSERVICE_CHILD_KINDS,
    ClusterFacts,
    Rendered,
    render_nimbuild,
    render_nimcache,
    render_nimpipeline,
    render_nimservice,
)
from tests.unit.render.cases import Case, cases, golden_facts, load

CHILD_KINDS = (NIMCACHE_CHILD_KINDS | NIMSERVICE_CHILD_KINDS | NIMPIPELINE_CHILD_KINDS
               | NIMBUILD_CHILD_KINDS)
Renderer = Callable[[dict[str, Any], ClusterFacts], Rendered]


def _from_model(render: Callable[[Any, ClusterFacts], Rendered]) -> Renderer:
    """A NeMo renderer (it takes the parsed model) over the document as the files hold it."""
    return lambda doc, facts: render(parse_object(doc), facts)


RENDERERS: dict[str, Renderer] = {
    "NIMCache": render_nimcache, "NIMService": render_nimservice,
    "NIMPipeline": render_nimpipeline, "NIMBuild": render_nimbuild,
    **{kind: _from_model(render) for kind, render in offline.RENDERERS.items()
       if kind.startswith("Nemo")},
}
NAMESPACED = ("namespaced",)


def resource_of(api_version: str, kind: str) -> tuple[str, str]:
    """`(group, plural)` from the kind table; a kind it does not list fails here."""
    row = kinds.find(api_version, kind)
    assert row is not None, f"{api_version} {kind} is not in nimop.api.kinds"
    return row.group, row.plural


def renders(case: Case) -> list[tuple[str, Rendered]]:
    """Every CR of the case rendered on three clusters (pipelines' NIMServices too); each label
    starts with `<cluster>:<kind>/`."""
    docs = load(case)
    rich = golden_facts(docs)
    out: list[tuple[str, Rendered]] = []
    for label, facts in (("vanilla", ClusterFacts()), ("all-apis", rich),
                         ("openshift", replace(rich, openshift=True))):
        queue: list[dict[str, Any]] = [d for d in docs if d.get("kind") in RENDERERS]
        while queue:
            doc = queue.pop(0)
            result = RENDERERS[doc["kind"]](doc, facts)
            out.append((f"{label}:{doc['kind']}/{doc['metadata']['name']}", result))
            queue += [o for o in result.objects if o["kind"] == "NIMService"]
    return out


def sync_verbs(kind: kinds.Kind, *, pruned: bool) -> tuple[str, ...]:
    """The verbs the children sync sends for `kind`: no delete where it never prunes, no get
    where the kind is cached whole (a name's holder is in the store)."""
    return tuple(v for v in (MANAGE if pruned else KEEP) if not (v == "get" and kind.cached_whole))


@pytest.mark.parametrize(("api_version", "kind"), sorted(CHILD_KINDS))
def test_every_declared_child_kind_is_fully_managed(api_version: str, kind: str) -> None:
    group, resource = resource_of(api_version, kind)
    # kinds never pruned hold no delete of nimop's own (test_controller_access.NEVER_PRUNED)
    row = kinds.find(api_version, kind)
    assert row is not None
    needed = sync_verbs(row, pruned=sent(group, resource, "delete"))
    missing = [v for v in needed if not allowed(group, resource, v, scopes=NAMESPACED)]
    assert not missing, f"{kind} ({group or 'core'}/{resource}) lacks {missing}"


@pytest.mark.parametrize("case", cases(), ids=lambda c: c.id)
def test_every_rendered_object_is_a_declared_and_permitted_kind(case: Case) -> None:
    for where, result in renders(case):
        for obj in result.objects:
            key = (obj["apiVersion"], obj["kind"])
            owner_kind = where.split(":", 1)[1].split("/", 1)[0]
            assert key in kinds.keys(kinds.CHILDREN[owner_kind]), (
                f"{where} renders {key}, which nimop.api.kinds does not list as a "
                f"{owner_kind} child")
            group, resource = resource_of(*key)
            assert allowed(group, resource, "create", scopes=NAMESPACED), f"{where}: {key}"


@pytest.mark.parametrize("case", cases(), ids=lambda c: c.id)
def test_rendered_roles_grant_only_what_the_operator_holds(case: Case) -> None:
    """The apiserver refuses to create a Role granting more than its creator holds."""
    seen = 0
    for where, result in renders(case):
        for obj in result.objects:
            if obj["kind"] != "Role":
                continue
            for rule in obj["rules"]:
                names = rule.get("resourceNames") or [None]
                for group in rule["apiGroups"]:
                    for resource in rule["resources"]:
                        for verb in rule["verbs"]:
                            for name in names:
                                seen += 1
                                assert allowed(group, resource, verb, name), (
                                    f"{where}: Role {obj['metadata']['name']} grants {verb} "
                                    f"{group}/{resource} {name or ''} which nimop lacks")
    docs = load(case)
    if any(d.get("kind") == "NIMCache" for d in docs):
        assert seen, "OpenShift NIMCache renders should include an SCC Role"


def test_generated_secrets_can_be_created_but_never_changed() -> None:
    multi = next(c for c in cases() if c.rel == "multi-node.yaml")
    secrets = [s for _, r in renders(multi) for s in r.generated_secrets]
    assert secrets, "the multi-node example should ask for its MPI SSH key Secret"
    assert allowed("", "secrets", "create", scopes=NAMESPACED)
    for verb in ("update", "patch", "delete", "deletecollection"):
        assert not allowed("", "secrets", verb), f"secrets {verb} is granted"


def test_no_wildcards_and_no_privilege_verbs() -> None:
    for p in PERMISSIONS:
        assert "*" not in (p.group, *p.resources, *p.verbs), p
        assert not {"escalate", "bind", "impersonate", "deletecollection"} & set(p.verbs), p
        assert p.why.strip(), f"{p.group}/{p.resources} has no reason"


def test_leases_only_in_the_operator_namespace() -> None:
    assert allowed("coordination.k8s.io", "leases", "create", scopes=("operator",))
    assert allowed("coordination.k8s.io", "leases", "update", "nimop-leader", scopes=("operator",))
    assert not allowed("coordination.k8s.io", "leases", "update", "someone-else")
    assert not allowed("coordination.k8s.io", "leases", "get", scopes=("cluster", "namespaced"))


def test_cluster_scope_holds_only_cluster_scoped_resources() -> None:
    cluster_scoped = {("", "nodes"), ("apiextensions.k8s.io", "customresourcedefinitions"),
                      ("security.openshift.io", "securitycontextconstraints")}
    for p in select("cluster"):
        for resource in p.resources:
            assert (p.group, resource) in cluster_scoped, p


def test_events_are_created_through_events_k8s_io() -> None:
    assert allowed("events.k8s.io", "events", "create", scopes=NAMESPACED)
    # Events are never aggregated into series (nimop.watch.events), so never patched.
    assert not allowed("events.k8s.io", "events", "patch", scopes=NAMESPACED)
    assert not allowed("events.k8s.io", "events", "delete")
