"""Indexed store: built-in and custom indexes stay consistent through upserts, deletes and
replace (the relist path)."""

from __future__ import annotations

from typing import Any

from nimop.watch.objects import ObjectKey
from nimop.watch.store import INDEX_LABEL, INDEX_NAMESPACE, INDEX_OWNER, Store


def obj(ns: str, name: str, rv: str = "1", *, owner: str | None = None, **labels: str) -> Any:
    md: dict[str, Any] = {"namespace": ns, "name": name, "resourceVersion": rv, "labels": labels}
    if owner:
        md["ownerReferences"] = [
            {"uid": owner, "controller": True, "kind": "X", "name": "o"},
            {"uid": "not-controller", "kind": "Y", "name": "p"},
        ]
    return {"metadata": md, "spec": {"cache": labels.get("cache", "")}}


def test_builtin_indexes_follow_updates_and_deletes() -> None:
    s = Store()
    s.upsert(obj("a", "x", owner="u1", app="web"))
    s.upsert(obj("b", "y", owner="u1", app="db"))
    assert [o["metadata"]["name"] for o in s.by_index(INDEX_OWNER, "u1")] == ["x", "y"]
    assert s.keys_by_index(INDEX_OWNER, "not-controller") == []  # only the controller ref
    assert s.keys_by_index(INDEX_NAMESPACE, "a") == [ObjectKey("a", "x")]
    assert s.keys_by_index(INDEX_LABEL, "app=web") == [ObjectKey("a", "x")]
    s.upsert(obj("a", "x", "2", owner="u2", app="api"))  # owner and label changed
    assert s.keys_by_index(INDEX_OWNER, "u1") == [ObjectKey("b", "y")]
    assert s.keys_by_index(INDEX_LABEL, "app=web") == []
    assert s.keys_by_index(INDEX_LABEL, "app=api") == [ObjectKey("a", "x")]
    s.delete(ObjectKey("b", "y"))
    assert s.keys_by_index(INDEX_OWNER, "u1") == []
    assert "u1" not in s.index_values(INDEX_OWNER)  # empty buckets are dropped


def test_custom_index_registered_late_covers_existing_objects() -> None:
    s = Store()
    s.upsert(obj("a", "svc1", cache="c1"))
    s.upsert(obj("a", "svc2", cache="c1"))
    s.upsert(obj("a", "svc3", cache="c2"))
    s.add_index("by-cache", lambda o: [f"{o['metadata']['namespace']}/{o['spec']['cache']}"])
    assert s.keys_by_index("by-cache", "a/c1") == [ObjectKey("a", "svc1"), ObjectKey("a", "svc2")]
    s.upsert(obj("a", "svc2", "2", cache="c2"))
    assert s.keys_by_index("by-cache", "a/c2") == [ObjectKey("a", "svc2"), ObjectKey("a", "svc3")]


def test_replace_reports_added_updated_deleted_and_skips_unchanged() -> None:
    s = Store()
    for name in ("keep", "change", "gone"):
        s.upsert(obj("a", name))
    s.upsert(obj("b", "other-namespace"))
    added, updated, deleted = s.replace(
        [obj("a", "keep"), obj("a", "change", "2"), obj("a", "new")], namespace="a"
    )
    assert [o["metadata"]["name"] for o in added] == ["new"]
    assert [
        (o["metadata"]["resourceVersion"], n["metadata"]["resourceVersion"]) for o, n in updated
    ] == [("1", "2")]
    assert [o["metadata"]["name"] for o in deleted] == ["gone"]
    assert s.get("b/other-namespace") is not None  # outside the replaced scope
    keys = sorted(str(k) for k in s.keys())  # noqa: SIM118 - iterating a Store yields objects
    assert keys == ["a/change", "a/keep", "a/new", "b/other-namespace"]
    assert s.keys_by_index(INDEX_NAMESPACE, "a") == [
        ObjectKey("a", "change"),
        ObjectKey("a", "keep"),
        ObjectKey("a", "new"),
    ]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_remembered_write_is_read_until_the_watch_delivers_it_or_a_newer_version() -> None:
    clock = Clock()
    s = Store(clock=clock)
    s.upsert(obj("a", "x", "5", app="old"))
    s.remember(obj("a", "x", "7", app="written"), "ctl")
    assert s.get("a/x")["metadata"]["labels"] == {"app": "written"}  # type: ignore[index]
    assert s.get_by_name("a", "x") is s.get("a/x")
    s.upsert(obj("a", "x", "6", app="between"))  # an event from before our write
    assert s.get("a/x")["metadata"]["resourceVersion"] == "7"  # type: ignore[index]
    assert s.writer_of(obj("a", "x", "6")) is None
    assert s.writer_of(obj("a", "x", "7")) == "ctl"  # its own echo, named
    s.upsert(obj("a", "x", "7", app="written"))
    assert s.writer_of(obj("a", "x", "7")) is None, "delivered: forgotten"
    s.remember(obj("a", "x", "9", app="again"), "ctl")
    s.upsert(obj("a", "x", "10", app="someone-else"))  # newer than ours: the cache wins
    assert s.get("a/x")["metadata"]["labels"] == {"app": "someone-else"}  # type: ignore[index]


def test_a_remembered_create_is_found_and_forgotten_on_expiry_or_delete() -> None:
    from nimop.watch import store as store_module

    clock = Clock()
    s = Store(clock=clock)
    s.remember(obj("a", "new", "3"))
    assert s.get("a/new") is not None and len(s) == 0, "served, but not listed as cached"
    clock.now = store_module.REMEMBER_FOR
    assert s.get("a/new") is None, "a watch event that never came: the cache is trusted again"
    s.remember(obj("a", "gone", "4"))
    s.delete(ObjectKey("a", "gone"))
    assert s.get("a/gone") is None
    s.remember({"metadata": {"namespace": "a", "name": "no-rv"}})
    assert s.get("a/no-rv") is None, "an answer without a version is not remembered"


def test_resource_versions_that_are_not_integers_only_compare_equal() -> None:
    s = Store()
    s.upsert(obj("a", "x", "abc", app="old"))
    s.remember(obj("a", "x", "xyz", app="written"))
    assert s.get("a/x")["metadata"]["labels"] == {"app": "written"}  # type: ignore[index]
    s.upsert(obj("a", "x", "xyz", app="written"))
    s.upsert(obj("a", "x", "later", app="later"))
    assert s.get("a/x")["metadata"]["labels"] == {"app": "later"}  # type: ignore[index]


def test_writes_never_confirmed_are_swept() -> None:
    from nimop.watch import store as store_module

    clock = Clock()
    s = Store(clock=clock)
    for i in range(1023):
        s.remember(obj("a", f"o{i}", "2"))
    clock.now = store_module.REMEMBER_FOR
    s.remember(obj("a", "last", "2"))  # the 1024th: the sweep runs
    assert len(s._written) == 1


def test_a_remembered_write_takes_the_informers_shape() -> None:
    from nimop.watch.objects import strip_for_store

    s = Store(transform=strip_for_store)
    answer = obj("a", "x", "2")
    answer["metadata"]["managedFields"] = [{"manager": "nimop"}]
    s.remember(answer)
    assert "managedFields" not in s.get("a/x")["metadata"]  # type: ignore[index]
