"""Children sync against a recording fake client: zero writes at steady state, apply on
drift only, orphans deleted, nothing done for an owner being deleted."""

from __future__ import annotations

import copy
from typing import Any

from nimop.watch.objects import ObjectKey, ResourceRef
from nimop.watch.store import Store
from nimop.watch.sync import ChildSync

CM = ResourceRef("", "v1", "ConfigMap", "configmaps")
OWNER = {"apiVersion": "example.com/v1", "kind": "Widget",
         "metadata": {"name": "w", "namespace": "n", "uid": "owner-uid"}}  # fmt: skip


class RecordingClient:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.calls: list[tuple[str, str]] = []

    async def apply(self, res: ResourceRef, obj: dict[str, Any], **_: Any) -> dict[str, Any]:
        self.calls.append(("apply", obj["metadata"]["name"]))
        live = copy.deepcopy(obj)
        live["metadata"].update(uid=f"uid-{obj['metadata']['name']}", resourceVersion="1")
        self.store.upsert(live)  # what the watch would deliver
        return live

    async def delete(self, res: ResourceRef, ns: str, name: str, **_: Any) -> None:
        self.calls.append(("delete", name))
        self.store.delete(ObjectKey(ns, name))


def cm(name: str, **data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


def setup() -> tuple[Store, RecordingClient, ChildSync]:
    store = Store()
    client = RecordingClient(store)
    return store, client, ChildSync(client, [(CM, store)])  # type: ignore[arg-type]


async def test_create_then_steady_state_is_zero_writes() -> None:
    store, client, sync = setup()
    first = await sync.sync(OWNER, [cm("a", k="v"), cm("b", k="v")])
    assert sorted(first.created) == ["ConfigMap/n/a", "ConfigMap/n/b"]
    child = store.get("n/a")
    assert child is not None
    assert child["metadata"]["ownerReferences"][0]["uid"] == "owner-uid"
    client.calls.clear()
    again = await sync.sync(OWNER, [cm("a", k="v"), cm("b", k="v")])
    assert client.calls == [] and again.unchanged == 2 and again.writes == 0


async def test_manual_edit_of_owned_field_is_reapplied_foreign_field_is_not() -> None:
    store, client, sync = setup()
    await sync.sync(OWNER, [cm("a", k="v")])
    live = store.get("n/a")
    assert live is not None
    live["metadata"].setdefault("labels", {})["team"] = "added-by-someone-else"
    live["data"]["extra"] = "someone else's key"
    client.calls.clear()
    assert (await sync.sync(OWNER, [cm("a", k="v")])).writes == 0
    live["data"]["k"] = "edited"
    result = await sync.sync(OWNER, [cm("a", k="v")])
    assert result.updated == ["ConfigMap/n/a"] and client.calls == [("apply", "a")]


async def test_dropped_field_is_noticed_through_the_manifest_hash() -> None:
    _store, client, sync = setup()
    await sync.sync(OWNER, [cm("a", k="v", old="x")])
    client.calls.clear()
    # Live still holds "old" (we owned it); a pure subset check would call this in sync.
    result = await sync.sync(OWNER, [cm("a", k="v")])
    assert result.updated == ["ConfigMap/n/a"]


async def test_undesired_owned_children_are_deleted_others_kept() -> None:
    store, client, sync = setup()
    await sync.sync(OWNER, [cm("a"), cm("b")])
    store.upsert({"apiVersion": "v1", "kind": "ConfigMap",
                  "metadata": {"name": "unowned", "namespace": "n", "uid": "x"}})  # fmt: skip
    client.calls.clear()
    result = await sync.sync(OWNER, [cm("a")])
    assert result.deleted == ["ConfigMap/n/b"] and client.calls == [("delete", "b")]
    assert store.get("n/unowned") is not None


async def test_owner_being_deleted_gets_no_writes() -> None:
    _store, client, sync = setup()
    deleting = copy.deepcopy(OWNER)
    deleting["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    result = await sync.sync(deleting, [cm("a")])
    assert result.writes == 0 and client.calls == []
