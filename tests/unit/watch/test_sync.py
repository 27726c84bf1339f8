"""Children sync on the in-memory API, through the real client and a live informer: zero
writes at steady state, apply on drift only, orphans deleted, nothing done for an owner being
deleted, immutable children recreated."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from nimop.watch.errors import InvalidError
from nimop.watch.informer import Informer
from nimop.watch.objects import ResourceRef
from nimop.watch.ownership import ChildConflictError
from nimop.watch.sync import ChildSync, Immutable
from nimop.watch.testing import ApiTwin

CM = ResourceRef("", "v1", "ConfigMap", "configmaps")
OWNER = {"apiVersion": "example.com/v1", "kind": "Widget",
         "metadata": {"name": "w", "namespace": "n", "uid": "owner-uid"}}  # fmt: skip


def cm(name: str, **data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


class World:
    """The twin, an informer of its ConfigMaps, and a ChildSync over them."""

    def __init__(self, twin: ApiTwin, informer: Informer, sync: ChildSync) -> None:
        self.twin, self.informer, self.sync = twin, informer, sync

    async def run(self, owner: dict[str, Any], desired: list[dict[str, Any]], **kw: Any) -> Any:
        result = await self.sync.sync(owner, desired, **kw)
        await self.twin.settle()
        return result

    def writes(self) -> list[tuple[str, str | None]]:
        return [(r.verb, r.name) for r in self.twin.writes()]


@asynccontextmanager
async def world(*, kept: bool = False) -> AsyncIterator[World]:
    twin = ApiTwin()
    async with twin.client() as client:
        informer = Informer(client, CM)
        async with informer:
            await informer.wait_synced()
            sync = ChildSync(client, [(CM, informer.store)], kept=[CM] if kept else ())
            yield World(twin, informer, sync)


async def test_create_then_steady_state_is_zero_writes() -> None:
    async with world() as w:
        first = await w.run(OWNER, [cm("a", k="v"), cm("b", k="v")])
        assert sorted(first.created) == ["ConfigMap/n/a", "ConfigMap/n/b"]
        child = w.twin.get(CM, "n", "a")
        assert child is not None
        assert child["metadata"]["ownerReferences"][0]["uid"] == "owner-uid"
        w.twin.requests.clear()
        again = await w.run(OWNER, [cm("a", k="v"), cm("b", k="v")])
        assert w.writes() == [] and again.unchanged == 2 and again.writes == 0


async def test_manual_edit_of_owned_field_is_reapplied_foreign_field_is_not() -> None:
    async with world() as w:
        await w.run(OWNER, [cm("a", k="v")])
        w.twin.patch(CM, "n", "a", {"metadata": {"labels": {"team": "someone-else"}},
                                    "data": {"extra": "someone else's key"}})  # fmt: skip
        await w.twin.settle()
        w.twin.requests.clear()
        assert (await w.run(OWNER, [cm("a", k="v")])).writes == 0
        w.twin.patch(CM, "n", "a", {"data": {"k": "edited"}})
        await w.twin.settle()
        result = await w.run(OWNER, [cm("a", k="v")])
        assert result.updated == ["ConfigMap/n/a"] and w.writes() == [("apply", "a")]
        live = w.twin.get(CM, "n", "a")
        assert live is not None and live["data"] == {"k": "v", "extra": "someone else's key"}


async def test_dropped_field_is_noticed_through_the_manifest_hash() -> None:
    async with world() as w:
        await w.run(OWNER, [cm("a", k="v", old="x")])
        # Live still holds "old" (we owned it); a pure subset check would call this in sync.
        result = await w.run(OWNER, [cm("a", k="v")])
        assert result.updated == ["ConfigMap/n/a"]
        live = w.twin.get(CM, "n", "a")
        assert live is not None and live["data"] == {"k": "v"}, "apply removed the dropped key"


async def test_undesired_owned_children_are_deleted_others_kept() -> None:
    async with world() as w:
        await w.run(OWNER, [cm("a"), cm("b")])
        w.twin.create({**cm("unowned"), "metadata": {"name": "unowned", "namespace": "n"}})
        await w.twin.settle()
        w.twin.requests.clear()
        result = await w.run(OWNER, [cm("a")])
        assert result.deleted == ["ConfigMap/n/b"] and w.writes() == [("delete", "b")]
        assert w.twin.get(CM, "n", "unowned") is not None


async def test_children_of_a_kept_kind_are_never_pruned() -> None:
    """A kind the operator may not delete (PVCs: data) stays when no longer desired."""
    async with world(kept=True) as w:
        await w.run(OWNER, [cm("a"), cm("b")])
        w.twin.requests.clear()
        result = await w.run(OWNER, [cm("a")])
        assert result.deleted == [] and w.writes() == []
        assert w.twin.get(CM, "n", "b") is not None


async def test_owner_being_deleted_gets_no_writes() -> None:
    async with world() as w:
        deleting = {**OWNER, "metadata": {**OWNER["metadata"],
                                          "deletionTimestamp": "2026-01-01T00:00:00Z"}}  # fmt: skip
        result = await w.run(deleting, [cm("a")])
        assert result.writes == 0 and w.writes() == []


JOB = ResourceRef("batch", "v1", "Job", "jobs")


def job(image: str) -> dict[str, Any]:
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
            "spec": {"template": {"spec": {"containers": [{"name": "c", "image": image}]}}},
            }  # fmt: skip


@asynccontextmanager
async def job_world() -> AsyncIterator[World]:
    twin = ApiTwin()
    async with twin.client() as client:
        informer = Informer(client, JOB)
        async with informer:
            await informer.wait_synced()
            yield World(twin, informer, ChildSync(client, [(JOB, informer.store)]))


async def test_immutable_child_is_recreated_when_its_manifest_changes() -> None:
    async with job_world() as w:
        await w.run(OWNER, [Immutable(job("a"))])
        first = w.twin.get(JOB, "n", "j")
        assert first is not None
        w.twin.requests.clear()
        result = await w.run(OWNER, [Immutable(job("b"))])
        assert result.recreated == ["Job/n/j"] and w.writes() == [("delete", "j")]
        assert w.twin.get(JOB, "n", "j") is None, "deleted now, created by the next sync"
        result = await w.run(OWNER, [Immutable(job("b"))])
        second = w.twin.get(JOB, "n", "j")
        assert result.created == ["Job/n/j"] and second is not None
        assert second["metadata"]["uid"] != first["metadata"]["uid"]


async def test_plain_apply_of_a_changed_immutable_field_is_rejected() -> None:
    async with job_world() as w:
        await w.run(OWNER, [job("a")])
        with pytest.raises(InvalidError, match="immutable"):
            await w.run(OWNER, [job("b")])


async def test_immutable_child_kept_when_finished_and_edits_applied_back() -> None:
    async with job_world() as w:
        labelled = job("a")
        labelled["metadata"]["labels"] = {"ours": "1"}
        await w.run(OWNER, [Immutable(labelled)])
        w.twin.patch(JOB, "n", "j", {"metadata": {"labels": {"ours": "edited"}}})
        await w.twin.settle()
        result = await w.run(OWNER, [Immutable(labelled)])
        assert result.updated == ["Job/n/j"] and result.recreated == []
        live = w.twin.get(JOB, "n", "j")
        assert live is not None and live["metadata"]["labels"] == {"ours": "1"}
        w.twin.requests.clear()
        finished = Immutable(job("b"), keep=lambda live: True)
        result = await w.run(OWNER, [finished])  # kept as it is: no write the apiserver refuses
        assert result.writes == 0 and result.recreated == [] and w.writes() == []
        assert w.twin.get(JOB, "n", "j") is not None


# -- never adopt a stranger ------------------------------------------------------------------

MANAGED = {"app.kubernetes.io/managed-by": "nimop"}


def labelled(name: str, **data: str) -> dict[str, Any]:
    """A child as nimop renders it: carrying the label its informer selects."""
    return {**cm(name, **data), "metadata": {"name": name, "labels": dict(MANAGED)}}


@asynccontextmanager
async def selected_world() -> AsyncIterator[World]:
    """Children cached through a `managed-by=nimop` informer, as the operator caches them: an
    object without the label is invisible to the sync."""
    twin = ApiTwin()
    async with twin.client() as client:
        informer = Informer(client, CM, label_selector="app.kubernetes.io/managed-by=nimop")
        async with informer:
            await informer.wait_synced()
            yield World(twin, informer, ChildSync(client, [(CM, informer.store)]))


def strangers_cm(name: str, owner: dict[str, Any] | None = None) -> dict[str, Any]:
    md: dict[str, Any] = {"name": name, "namespace": "n"}
    if owner is not None:
        md["ownerReferences"] = [{"apiVersion": owner["apiVersion"], "kind": owner["kind"],
                                  "name": owner["metadata"]["name"],
                                  "uid": owner["metadata"]["uid"], "controller": True}]  # fmt: skip
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": md, "data": {"mine": "yes"}}


async def test_a_users_object_with_the_childs_name_is_never_written() -> None:
    async with selected_world() as w:
        w.twin.create(strangers_cm("a"), manager="kubectl")
        w.twin.requests.clear()
        with pytest.raises(ChildConflictError) as caught:
            await w.run(OWNER, [labelled("a", k="v"), labelled("b", k="v")])
        assert caught.value.result.created == ["ConfigMap/n/b"]  # the others are still written
        live = w.twin.get(CM, "n", "a")
        assert live is not None and live["data"] == {"mine": "yes"}
        assert "ownerReferences" not in live["metadata"] and "labels" not in live["metadata"]
        calls = [(r.verb, c) for r, c in w.twin.requests if r.name == "a"]
        assert calls == [("apply", 409), ("get", 200)], "a create-only apply refused, one read"
        message = str(caught.value)
        assert "ConfigMap n/a already exists and has no controller owner" in message
        assert "Fix: delete or rename that ConfigMap" in message
        assert w.sync.recheck_after(OWNER) == 10.0


async def test_a_taken_name_is_rechecked_with_a_read_only_and_backing_off() -> None:
    async with selected_world() as w:
        w.twin.create(strangers_cm("a"), manager="kubectl")
        for _ in range(2):
            with pytest.raises(ChildConflictError):
                await w.run(OWNER, [labelled("a")])
        assert w.sync.recheck_after(OWNER) == 20.0
        w.twin.requests.clear()
        with pytest.raises(ChildConflictError):
            await w.run(OWNER, [labelled("a")])
        assert [r.verb for r, _ in w.twin.requests] == ["get"], "a re-check sends no write"
        w.twin.delete(CM, "n", "a")  # the user removed it: the next sync creates the child
        await w.twin.settle()
        result = await w.run(OWNER, [labelled("a")])
        assert result.created == ["ConfigMap/n/a"] and w.sync.recheck_after(OWNER) is None
        live = w.twin.get(CM, "n", "a")
        assert live is not None and live["metadata"]["ownerReferences"][0]["uid"] == "owner-uid"


async def test_an_object_another_owner_controls_is_named_with_its_owner() -> None:
    other = {"apiVersion": "example.com/v1", "kind": "Widget",
             "metadata": {"name": "other", "namespace": "n", "uid": "other-uid"}}  # fmt: skip
    async with selected_world() as w:
        w.twin.create(strangers_cm("a", owner=other), manager="kubectl")
        with pytest.raises(ChildConflictError, match=r"controlled by Widget other \(uid other-uid"):
            await w.run(OWNER, [labelled("a")])


async def test_an_object_this_owner_already_controls_is_adopted() -> None:
    """Children NVIDIA's operator made for the same CR carry its UID but not our label."""
    async with selected_world() as w:
        w.twin.create(strangers_cm("a", owner=OWNER), manager="upstream")
        result = await w.run(OWNER, [labelled("a", k="v")])
        assert result.created == ["ConfigMap/n/a"]
        live = w.twin.get(CM, "n", "a")
        assert live is not None and live["data"]["k"] == "v"
        assert live["metadata"]["labels"] == MANAGED
        assert w.informer.store.get("n/a") is not None, "now cached like any child"


async def test_a_cached_object_with_another_controller_is_left_alone() -> None:
    """Labelled like ours (so cached) but controlled by nobody: still not ours."""
    async with selected_world() as w:
        w.twin.create({**strangers_cm("a"), "metadata": {"name": "a", "namespace": "n",
                                                         "labels": dict(MANAGED)}})  # fmt: skip
        await w.twin.settle()
        w.twin.requests.clear()
        with pytest.raises(ChildConflictError):
            await w.run(OWNER, [labelled("a", k="v")])
        assert w.writes() == []
        live = w.twin.get(CM, "n", "a")
        assert live is not None and live["data"] == {"mine": "yes"}


async def test_a_child_just_written_is_not_taken_for_missing_or_drifted_while_the_cache_lags(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A reconcile woken by one child's event may run before the informer shows its sibling:
    the sync reads its own writes (``Store.remember``) instead of reading and applying them
    again; once REMEMBER_FOR has passed, a child still unseen is looked up again."""
    from nimop.watch import store as store_module
    from nimop.watch.store import Store

    twin = ApiTwin()
    async with twin.client() as client:
        lagging = ChildSync(client, [(CM, Store())], writer="unit")  # a cache never caught up
        first = await lagging.sync(OWNER, [cm("a", k="v")])
        assert first.created == ["ConfigMap/n/a"]
        twin.requests.clear()
        again = await lagging.sync(OWNER, [cm("a", k="v")])
        assert again.unchanged == 1 and twin.requests == []
        twin.patch(CM, "n", "a", {"data": {"k": "edited"}})
        lagging._kinds[("v1", "ConfigMap")][1].upsert(twin.get(CM, "n", "a"))  # type: ignore[arg-type]
        fixed = await lagging.sync(OWNER, [cm("a", k="v")])
        assert fixed.updated == ["ConfigMap/n/a"]
        twin.requests.clear()
        assert (await lagging.sync(OWNER, [cm("a", k="v")])).unchanged == 1, (
            "the update's answer is read, not the edited copy the cache still holds")
        assert twin.requests == []
        monkeypatch.setattr(store_module, "REMEMBER_FOR", 0.0)
        stale = await lagging.sync(OWNER, [cm("a", k="v")])
        assert stale.updated == ["ConfigMap/n/a"], "expired: the cache is believed again"


async def test_another_operators_finished_job_is_adopted_as_it_is() -> None:
    """Upstream's completed caching Job: controlled by the same CR, but not carrying the label
    the informer selects, and rendered differently. It gets one read and only our labels (a
    Job's template cannot change: a full apply would be refused)."""
    twin = ApiTwin()
    async with twin.client() as client:
        informer = Informer(client, JOB, label_selector="app.kubernetes.io/managed-by=nimop")
        async with informer:
            await informer.wait_synced()
            w = World(twin, informer, ChildSync(client, [(JOB, informer.store)]))
            upstream = job("theirs")
            upstream["metadata"] |= {"namespace": "n", "ownerReferences": [{
                "apiVersion": OWNER["apiVersion"], "kind": OWNER["kind"],
                "name": OWNER["metadata"]["name"], "uid": OWNER["metadata"]["uid"],
                "controller": True}]}  # fmt: skip
            w.twin.create(upstream, manager="k8s-nim-operator")
            w.twin.patch(JOB, "n", "j", {"status": {"conditions": [
                {"type": "Complete", "status": "True"}]}}, status=True)  # fmt: skip
            w.twin.requests.clear()
            ours = job("ours")
            ours["metadata"]["labels"] = dict(MANAGED)
            done = Immutable(ours, keep=lambda live: is_complete(live))
            result = await w.run(OWNER, [done])
            assert result.updated == ["Job/n/j"] and result.recreated == []
            calls = [(r.verb, c) for r, c in w.twin.requests if r.name == "j"]
            assert calls == [("apply", 409), ("get", 200), ("apply", 200)], (
                "a create-only apply refused, one read, one labels-only apply")
            live = w.twin.get(JOB, "n", "j")
            assert live is not None and live["spec"] == upstream["spec"]
            assert live["metadata"]["labels"] == MANAGED, "now in the managed-by cache"
            await w.twin.settle()
            assert (await w.run(OWNER, [done])).writes == 0, "and left alone from then on"


def is_complete(job: dict[str, Any]) -> bool:
    return any(c.get("type") == "Complete" and c.get("status") == "True"
               for c in (job.get("status") or {}).get("conditions") or [])  # fmt: skip


async def test_a_free_name_is_created_in_one_request() -> None:
    """A child missing from the cache is created by a create-only apply: no read first."""
    async with selected_world() as w:
        w.twin.requests.clear()
        result = await w.run(OWNER, [labelled("a", k="v")])
        assert result.created == ["ConfigMap/n/a"]
        assert [(r.verb, c) for r, c in w.twin.requests if r.name == "a"] == [("apply", 200)]
        live = w.twin.get(CM, "n", "a")
        assert live is not None and live["data"] == {"k": "v"}
        assert live["metadata"]["ownerReferences"][0]["uid"] == "owner-uid"


async def test_a_stranger_created_after_the_cache_was_read_is_not_taken_over(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The create-only apply is atomic: a name taken between the cache read and the write is
    refused by the apiserver, not overwritten (the read-then-apply it replaces had a window)."""
    async with selected_world() as w:
        original = w.sync._client.apply

        async def stranger_first(res: Any, obj: dict[str, Any], **kw: Any) -> dict[str, Any]:
            if w.twin.get(CM, "n", "a") is None:
                w.twin.create(strangers_cm("a"), manager="kubectl")
            return await original(res, obj, **kw)

        monkeypatch.setattr(w.sync._client, "apply", stranger_first)
        with pytest.raises(ChildConflictError, match="ConfigMap n/a already exists"):
            await w.run(OWNER, [labelled("a", k="v")])
        live = w.twin.get(CM, "n", "a")
        assert live is not None and live["data"] == {"mine": "yes"}
        assert "ownerReferences" not in live["metadata"]


async def test_a_kind_cached_whole_is_never_read_a_stranger_is_found_in_its_store() -> None:
    """NIMServices (a pipeline's children) and ComputeDomains are cached without a label
    selector: a stranger is in the store, so the conflict needs no GET (and nimop holds no
    `get` on those kinds); a 409 from a create the cache has not shown yet is requeued."""
    from nimop.watch.errors import ConflictError
    from nimop.watch.store import Store

    twin = ApiTwin()
    async with twin.client() as client:
        informer = Informer(client, CM)
        async with informer:
            await informer.wait_synced()
            w = World(twin, informer, ChildSync(client, [(CM, informer.store)], whole=[CM]))
            w.twin.create(strangers_cm("a"), manager="kubectl")
            await w.twin.settle()
            w.twin.requests.clear()
            with pytest.raises(ChildConflictError):
                await w.run(OWNER, [cm("a", k="v")])
            with pytest.raises(ChildConflictError):  # the re-check reads the store too
                await w.run(OWNER, [cm("a", k="v")])
            assert w.twin.requests == [], "the store decides: no request"
        lagging = ChildSync(client, [(CM, Store())], whole=[CM])  # not shown by the cache yet
        with pytest.raises(ConflictError):
            await lagging.sync(OWNER, [cm("a", k="v")])
        assert [(r.verb, c) for r, c in twin.requests] == [("apply", 409)], "no GET"
        live = twin.get(CM, "n", "a")
        assert live is not None and live["data"] == {"mine": "yes"}
