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
