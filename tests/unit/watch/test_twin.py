"""The in-memory API twin behaves like an apiserver where the framework relies on it, seen
through the real KubeClient and Informer: resourceVersions, list paging, watch fan-out and
410s, server-side apply ownership, the status subresource, preconditions, finalizers,
garbage collection, discovery following CRDs, and injected faults."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from nimop.watch import (
    ConflictError,
    Discovery,
    GoneError,
    Informer,
    InvalidError,
    NotFoundError,
    ResourceRef,
)
from nimop.watch.errors import AlreadyExistsError, NamespaceTerminatingError, TransportError
from nimop.watch.informer import EventType, InformerOptions
from nimop.watch.testing import ApiTwin, Fault

CM = ResourceRef("", "v1", "ConfigMap", "configmaps")
DEPLOY = ResourceRef("apps", "v1", "Deployment", "deployments")
JOB = ResourceRef("batch", "v1", "Job", "jobs")
WIDGET = ResourceRef("example.com", "v1", "Widget", "widgets")


def cm(name: str, ns: str = "n", **data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": ns}, "data": data}  # fmt: skip


def deployment(name: str, replicas: int = 1, image: str = "a") -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": "n"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"spec": {"containers": [{"name": "c", "image": image}]}},
                     }}  # fmt: skip


async def test_create_get_update_with_resource_versions_and_conflicts() -> None:
    twin = ApiTwin()
    async with twin.client() as client:
        created = await client.create(CM, cm("a", k="1"))
        # etcd's first write is revision 2 (an empty store is at 1)
        assert created["metadata"]["uid"] and created["metadata"]["resourceVersion"] == "2"
        with pytest.raises(AlreadyExistsError):
            await client.create(CM, cm("a"))
        stale = dict(created, data={"k": "2"})
        updated = await client.replace(CM, stale)
        assert updated["metadata"]["resourceVersion"] == "3"
        with pytest.raises(ConflictError):
            await client.replace(CM, dict(stale, data={"k": "3"}))  # RV 2 is stale now
        assert (await client.get(CM, "n", "a"))["data"] == {"k": "2"}
        with pytest.raises(NotFoundError):
            await client.get(CM, "n", "missing")


async def test_a_write_that_changes_nothing_bumps_nothing() -> None:
    twin = ApiTwin()
    async with twin.client() as client:
        first = await client.apply(CM, cm("a", k="1"))
        again = await client.apply(CM, cm("a", k="1"))
    assert again["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]


async def test_list_pages_and_label_selectors() -> None:
    twin = ApiTwin()
    for i in range(7):
        obj = cm(f"c{i}")
        obj["metadata"]["labels"] = {"tier": "a" if i % 2 else "b"}
        twin.create(obj)
    async with twin.client() as client:
        items, rv = await client.list(CM, "n", limit=3)
        assert len(items) == 7 and rv == "8"
        odd, _ = await client.list(CM, "n", label_selector="tier=a")
        assert sorted(o["metadata"]["name"] for o in odd) == ["c1", "c3", "c5"]
        both, _ = await client.list(CM, label_selector="tier in (a,b),!missing")
        assert len(both) == 7
    pages = [r for r, _ in twin.requests if r.verb == "list" and r.params.get("limit") == "3"]
    assert len(pages) == 3  # 3 + 3 + 1, by continue tokens


async def test_server_side_apply_owns_removes_and_conflicts() -> None:
    twin = ApiTwin()
    async with twin.client() as client:
        await client.apply(DEPLOY, deployment("d", replicas=2))
        # another manager (an HPA) takes replicas with an update
        twin.patch(DEPLOY, "n", "d", {"spec": {"replicas": 5}}, manager="hpa")
        without_replicas = deployment("d")
        del without_replicas["spec"]["replicas"]
        live = await client.apply(DEPLOY, without_replicas)
        assert live["spec"]["replicas"] == 5, "a field another manager owns is kept"
        managers = {e["manager"] for e in live["metadata"]["managedFields"]}
        assert managers == {"nimop", "hpa"}
        # not forcing a different value of hpa's field is a conflict naming the field
        with pytest.raises(ConflictError, match=r"conflict with \"hpa\": \.spec\.replicas"):
            await client.apply(DEPLOY, deployment("d", replicas=1), force=False)
        # a field we stop applying (and own alone) is removed
        labelled = deployment("d", image="b")
        labelled["metadata"]["labels"] = {"x": "1"}
        await client.apply(DEPLOY, labelled)
        gone = await client.apply(DEPLOY, deployment("d", image="b"))
        assert "labels" not in gone["metadata"]
        assert gone["spec"]["template"]["spec"]["containers"] == [{"name": "c", "image": "b"}]


async def test_status_subresource_split_and_generation() -> None:
    twin = ApiTwin()
    async with twin.client() as client:
        live = await client.apply(DEPLOY, {**deployment("d"), "status": {"replicas": 9}})
        assert "status" not in live and live["metadata"]["generation"] == 1
        live = await client.patch_status(DEPLOY, "n", "d", {"readyReplicas": 1})
        assert live["status"] == {"readyReplicas": 1} and live["metadata"]["generation"] == 1
        live = await client.apply(DEPLOY, deployment("d", image="new"))
        assert live["metadata"]["generation"] == 2 and live["status"] == {"readyReplicas": 1}


async def test_immutable_fields_and_merge_patch_preconditions() -> None:
    twin = ApiTwin()
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j", "namespace": "n"},
           "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "a"}]}}},
           }  # fmt: skip
    async with twin.client() as client:
        live = await client.apply(JOB, job)
        job["spec"]["template"]["spec"]["containers"][0]["image"] = "b"
        with pytest.raises(InvalidError, match="immutable"):
            await client.apply(JOB, job)
        patch = {"metadata": {"resourceVersion": "999", "labels": {"a": "b"}}}
        with pytest.raises(ConflictError):
            await client.patch(JOB, "n", "j", patch)
        patch["metadata"]["resourceVersion"] = live["metadata"]["resourceVersion"]
        assert (await client.patch(JOB, "n", "j", patch))["metadata"]["labels"] == {"a": "b"}


async def test_delete_preconditions_finalizers_and_garbage_collection() -> None:
    twin = ApiTwin()
    async with twin.client() as client:
        owner = await client.create(CM, {**cm("owner"), "metadata": {
            "name": "owner", "namespace": "n", "finalizers": ["example.com/keep"]}})  # fmt: skip
        ref = {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner",
               "uid": owner["metadata"]["uid"], "controller": True}  # fmt: skip
        child = cm("child")
        child["metadata"]["ownerReferences"] = [ref]
        await client.create(CM, child)
        with pytest.raises(ConflictError):
            await client.delete(CM, "n", "owner", uid="not-the-uid")
        await client.delete(CM, "n", "owner", uid=owner["metadata"]["uid"])
        marked = twin.get(CM, "n", "owner")
        assert marked is not None and marked["metadata"]["deletionTimestamp"]
        assert twin.get(CM, "n", "child") is not None, "the owner is still there"
        await client.patch(CM, "n", "owner", {"metadata": {"finalizers": None}})
        assert twin.get(CM, "n", "owner") is None
        assert twin.get(CM, "n", "child") is None, "garbage collected with its owner"


async def test_orphan_propagation_strips_the_owner_reference() -> None:
    twin = ApiTwin()
    owner = twin.create(cm("owner"))
    child = cm("child")
    child["metadata"]["ownerReferences"] = [{"apiVersion": "v1", "kind": "ConfigMap",
                                             "name": "owner", "uid": owner["metadata"]["uid"]}]
    twin.create(child)
    twin.delete(CM, "n", "owner", propagation="Orphan")
    kept = twin.get(CM, "n", "child")
    assert kept is not None and not kept["metadata"].get("ownerReferences")


async def test_creates_in_a_terminating_namespace_are_refused() -> None:
    twin = ApiTwin()
    twin.create({"apiVersion": "v1", "kind": "Namespace",
                 "metadata": {"name": "n", "finalizers": ["kubernetes"]}})  # fmt: skip
    twin.delete("Namespace", None, "n")
    async with twin.client() as client:
        with pytest.raises(NamespaceTerminatingError):
            await client.create(CM, cm("a"))


async def test_informer_follows_watch_fan_out_relists_on_410_and_sees_label_moves() -> None:
    twin = ApiTwin()
    twin.create(cm("before"))
    async with twin.client() as client:
        all_cms = Informer(client, CM)
        selected = Informer(client, CM, label_selector="pick=yes")
        events: list[tuple[EventType, str]] = []
        selected.add_handler(lambda e: events.append((e.type, e.obj["metadata"]["name"])))
        async with all_cms, selected:
            await all_cms.wait_synced()
            await selected.wait_synced()
            obj = twin.create(cm("later"))
            twin.patch(CM, "n", "later", {"metadata": {"labels": {"pick": "yes"}}})
            await twin.settle()
            assert selected.store.get("n/later") is not None
            twin.patch(CM, "n", "later", {"metadata": {"labels": {"pick": "no"}}})
            await twin.settle()
            assert selected.store.get("n/later") is None
            assert events == [(EventType.ADDED, "later"), (EventType.DELETED, "later")]
            # history compacted: the watch gets 410, the informer relists and sees the delete
            twin.db.compact()
            twin.delete(CM, "n", "before")
            twin.expire_watches()
            await twin.settle()
            assert all_cms.store.get("n/before") is None
            assert all_cms.store.get("n/later") is not None
            assert obj["metadata"]["uid"] == all_cms.store.get("n/later")["metadata"]["uid"]
    relists = [r for r, _ in twin.requests if r.verb == "list" and r.params.get(
        "resourceVersion") == ""]  # fmt: skip
    assert relists, "a 410 makes the informer relist with a quorum read"


async def test_watch_from_a_compacted_resource_version_is_gone() -> None:
    twin = ApiTwin()
    twin.create(cm("a"))
    twin.create(cm("b"))
    twin.db.compact()
    async with twin.client() as client:
        with pytest.raises(GoneError):
            async with client.watch(CM, "n", resource_version="2") as stream:
                pass
        async with client.watch(CM, "n", resource_version="3") as stream:
            twin.create(cm("c"))
            twin.bookmark()
            twin.close_watches()
            seen = [(e["type"], e["object"]["metadata"].get("name")) async for e in stream]
    assert seen == [("ADDED", "c"), ("BOOKMARK", None)]


async def test_idle_watch_times_out_on_the_client() -> None:
    twin = ApiTwin()
    async with twin.client() as client:
        with pytest.raises(TransportError, match="idle"):
            async with client.watch(CM, "n", resource_version="0",
                                    inactivity_timeout=0.01) as stream:  # fmt: skip
                async for _ in stream:
                    pass


async def test_discovery_follows_crds_in_both_formats() -> None:
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "widgets.example.com"},
           "spec": {"group": "example.com", "scope": "Namespaced",
                    "names": {"kind": "Widget", "plural": "widgets"},
                    "versions": [{"name": "v1", "served": True,
                                  "subresources": {"status": {}}}]}}  # fmt: skip
    for aggregated in (True, False):
        twin = ApiTwin(aggregated_discovery=aggregated)
        async with twin.client() as client:
            discovery = Discovery(client)
            await discovery.refresh()
            assert discovery.resource("apps", "v1", "Deployment") is not None
            assert discovery.resource("example.com", "v1", "Widget") is None
            twin.create(crd)
            added, _ = await discovery.refresh()
            assert added == {("example.com", "v1", "Widget")}
            assert discovery.require("example.com", "v1", "Widget") == WIDGET
            await client.create(WIDGET, {"apiVersion": "example.com/v1", "kind": "Widget",
                                         "metadata": {"name": "w", "namespace": "n"}})
            twin.delete("CustomResourceDefinition", None, "widgets.example.com")
            _, removed = await discovery.refresh()
            assert removed == {("example.com", "v1", "Widget")}
            with pytest.raises(NotFoundError):
                await client.get(WIDGET, "n", "w")


async def test_injected_faults_match_and_run_out() -> None:
    twin = ApiTwin()
    twin.create(cm("a"))
    injection = twin.inject(Fault(status=409), verb="apply", name="a", times=1)
    async with twin.client() as client:
        with pytest.raises(ConflictError):
            await client.apply(CM, cm("a", k="v"))
        await client.apply(CM, cm("a", k="v"))
        assert injection.exhausted and injection.hits == 1
        twin.inject(Fault(error=aiohttp.ClientConnectorError(
            aiohttp.client_reqrep.ConnectionKey("h", 1, False, True, None, None, None),
            OSError("refused"))), verb="create", times=None)  # fmt: skip
        with pytest.raises(TransportError):
            await client.create(CM, cm("b"))
    assert twin.get(CM, "n", "b") is None


def test_options_are_default_constructible() -> None:
    assert InformerOptions().backoff_initial > 0


async def test_an_apply_with_a_resource_version_is_a_precondition() -> None:
    """As the apiserver: an applied configuration's resourceVersion must match a live object
    (409 otherwise) and is not a managed field; with no live object the apply creates it."""
    twin = ApiTwin()
    async with twin.client() as client:
        body = cm("a", k="1")
        body["metadata"]["resourceVersion"] = "1"
        created = await client.apply(CM, body)
        assert created["metadata"]["resourceVersion"] != "1"
        with pytest.raises(ConflictError):
            await client.apply(CM, dict(body, data={"k": "2"}))
        assert (await client.get(CM, "n", "a"))["data"] == {"k": "1"}
        current = dict(body, data={"k": "2"})
        rv = created["metadata"]["resourceVersion"]
        current["metadata"] = dict(body["metadata"], resourceVersion=rv)
        assert (await client.apply(CM, current))["data"] == {"k": "2"}
