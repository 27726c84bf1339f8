"""A render names what it made — workload, Service, exposure, storage — so status code reads
those names instead of deciding the mode or the names again."""

from __future__ import annotations

import pytest

from nimop.api import kinds
from nimop.render import ClusterFacts, Rendered, render_nimcache
from nimop.render.result import Child
from tests.unit.render.cases import Case, cases, golden_facts, load
from tests.unit.render.helpers import NS, render, svc

MULTI = {"multiNode": {"parallelism": {"pipeline": 2, "tensor": 1}}}
KSERVE = {"inferencePlatform": "kserve"}


def emitted(r: Rendered, child: Child | None) -> bool:
    return child is not None and r.find(child.kind.kind, child.name) is not None and any(
        (o["apiVersion"], o["kind"]) == child.kind.key for o in r.objects)


@pytest.mark.parametrize(("spec", "kind", "name"), [
    ({}, kinds.DEPLOYMENT, "llm"),
    (MULTI, kinds.LWS, "llm-lws"),
    (KSERVE, kinds.ISVC, "llm"),
], ids=["standalone", "multinode", "kserve"])
def test_the_workload_is_named_by_the_mode_that_rendered_it(
        spec: dict[str, object], kind: kinds.Kind, name: str) -> None:
    r = render(svc(**spec))
    assert r.ok, r.problems
    assert r.workload == Child(kind, name)
    assert emitted(r, r.workload)


def test_service_and_exposure_are_the_emitted_objects() -> None:
    expose = {"router": {"hostDomainName": "example.com", "ingress": {"ingressClass": "nginx"},
                         "gateway": {"name": "gw", "namespace": "gw-ns"}}}
    r = render(svc(expose=expose))
    assert r.service == Child(kinds.SERVICE, "llm") and emitted(r, r.service)
    assert {c.kind for c in r.exposure} == {kinds.INGRESS, kinds.HTTP_ROUTE}
    assert all(emitted(r, c) for c in r.exposure)
    assert r.exposed(kinds.INGRESS) == Child(kinds.INGRESS, "llm")
    assert render(svc()).exposure == ()


def test_a_waiting_render_still_names_its_workload() -> None:
    """Waiting for a NIMCache: no Deployment yet, but status knows which one to look for."""
    r = render(svc(storage={"nimCache": {"name": "missing"}}))
    assert not r.ok
    assert r.workload == Child(kinds.DEPLOYMENT, "llm") and not emitted(r, r.workload)


def test_lws_missing_names_the_lws_it_would_create() -> None:
    r = render(svc(**MULTI), ClusterFacts())
    assert [p.reason for p in r.problems] == ["LeaderWorkerSetAPIMissing"]
    assert r.workload == Child(kinds.LWS, "llm-lws")


def test_nimcache_names_job_probe_and_storage() -> None:
    cache = {"apiVersion": "apps.nvidia.com/v1alpha1", "kind": "NIMCache",
             "metadata": {"name": "c", "namespace": NS, "uid": "u"},
             "spec": {"source": {"ngc": {"modelPuller": "nvcr.io/nim/x:1", "pullSecret": "s",
                                         "authSecret": "ngc"}},
                      "storage": {"pvc": {"name": "mine"}}}}
    r = render_nimcache(cache)
    assert r.workload == Child(kinds.JOB, "c-job")
    assert r.probe == Child(kinds.POD, "c-pod")
    assert r.storage == Child(kinds.PVC, "mine")
    assert r.named().objects == () and r.named().workload == r.workload


@pytest.mark.parametrize("case", cases(), ids=lambda c: c.id)
def test_every_golden_render_emits_the_children_it_names(case: Case) -> None:
    """Over every golden input: a complete NIMService render emits the workload it names, and
    the Service it names whenever it names one."""
    docs = load(case)
    facts = golden_facts(docs)
    for doc in (d for d in docs if d.get("kind") == "NIMService"):
        r = render(doc, facts)
        assert r.workload is not None
        if r.ok:
            assert emitted(r, r.workload), (r.workload, [o["kind"] for o in r.objects])
        if r.service is not None:
            assert emitted(r, r.service)
