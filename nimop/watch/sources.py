"""Event -> key mappers and predicates (controller-runtime ``pkg/handler``, ``pkg/predicate``).

A mapper turns an informer event into the primary keys to reconcile; a predicate decides
whether an event is worth mapping at all. Both are plain functions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .informer import Event, EventType
from .objects import Obj, ObjectKey, controller_owner, key_of, meta
from .store import Store

__all__ = [
    "Mapper",
    "Predicate",
    "all_of",
    "annotations_changed",
    "any_of",
    "enqueue_from_index",
    "enqueue_owner",
    "enqueue_self",
    "generation_changed",
    "labels_changed",
    "not_",
    "resource_version_changed",
]

Mapper = Callable[[Event], Iterable[ObjectKey]]
Predicate = Callable[[Event], bool]


def enqueue_self() -> Mapper:
    """``For(T)``: the object's own key (``handler.EnqueueRequestForObject``)."""
    return lambda event: (key_of(event.obj),)


def enqueue_owner(api_group: str, kind: str) -> Mapper:
    """``Owns(C)``: the key of the *controller* owner of kind ``kind`` in ``api_group``.

    Both the old and the new owner are enqueued on updates, as ``EnqueueRequestForOwner`` does.
    The owner lives in the child's namespace (owner references never cross namespaces), or is
    cluster-scoped (then its key has namespace "" - pass ``cluster_scoped`` owners that way).
    """

    def owner_key(obj: Obj) -> ObjectKey | None:
        ref = controller_owner(obj)
        if ref is None or ref.get("kind") != kind:
            return None
        group = str(ref.get("apiVersion", "")).rpartition("/")[0]
        if group != api_group:
            return None
        return ObjectKey(str(meta(obj).get("namespace") or ""), str(ref["name"]))

    def mapper(event: Event) -> Iterable[ObjectKey]:
        objs = (event.obj,) if event.old is None else (event.old, event.obj)
        return {k for o in objs if (k := owner_key(o)) is not None}

    return mapper


def enqueue_from_index(store: Store, index: str, value: Callable[[Obj], str]) -> Mapper:
    """Fan-in through an index of the primary store: e.g. a ConfigMap -> every primary whose
    index ``configmap`` holds ``namespace/name`` of that ConfigMap (``EnqueueRequestsFromMapFunc``).
    """
    return lambda event: store.keys_by_index(index, value(event.obj))


def _changed(path: Callable[[Obj], Any]) -> Predicate:
    def predicate(event: Event) -> bool:
        if event.type is not EventType.UPDATED or event.old is None:
            return True
        return bool(path(event.old) != path(event.obj))

    return predicate


generation_changed: Predicate = _changed(lambda o: meta(o).get("generation"))
"""Drop updates that did not change ``metadata.generation`` (status-only writes, resyncs).

Caveat from controller-runtime: status changes made by others are then never seen, and some
built-ins bump generation on annotation changes too."""

resource_version_changed: Predicate = _changed(lambda o: meta(o).get("resourceVersion"))
labels_changed: Predicate = _changed(lambda o: meta(o).get("labels") or {})
annotations_changed: Predicate = _changed(lambda o: meta(o).get("annotations") or {})


def all_of(*predicates: Predicate) -> Predicate:
    return lambda event: all(p(event) for p in predicates)


def any_of(*predicates: Predicate) -> Predicate:
    return lambda event: any(p(event) for p in predicates)


def not_(predicate: Predicate) -> Predicate:
    return lambda event: not predicate(event)
