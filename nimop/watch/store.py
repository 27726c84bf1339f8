"""An indexed store of raw dicts (client-go ``thread_safe_store.go`` + ``index.go``).

Objects are keyed ``namespace/name``. Named index functions map an object to index values; a
reverse map value -> keys answers "which objects have this value". Built-in indexes:

* ``namespace`` - the object's namespace;
* ``owner`` - the UID of the controller ownerReference (children of a primary);
* ``label`` - one value ``key=value`` per label.

Custom indexes are registered by name (e.g. "NIMServices by referenced NIMCache") and may be
added after objects are stored (the index is rebuilt).

Contract (as in client-go): objects handed out are shared and must be treated as read-only;
mutating one corrupts the indexes. Copy what you intend to change.

Read-your-writes (client-go's ``MutationCache``): a controller that wrote an object hands the
apiserver's answer to :meth:`Store.remember`; until the watch delivers that version (or a newer
one), :meth:`Store.get` returns the answer instead of the older cached copy. Without it, a
reconcile that runs between a write and its watch event computes from the world before the
write: a merge patch against a stale status omits what the stale copy already shows (so the
write is lost), a child just created looks missing. resourceVersions are compared as integers
(etcd revisions: comparable, KEP-5504); one that is not an integer is only ever equal. A
remembered write the watch never confirms is forgotten after ``REMEMBER_FOR`` seconds. Its
watch event is marked with the writer's name (:meth:`Store.writer_of`): a controller is not
woken by the echo of its own write.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .objects import Obj, ObjectKey, controller_owner, key_of, meta

__all__ = ["INDEX_LABEL", "INDEX_NAMESPACE", "INDEX_OWNER", "REMEMBER_FOR", "IndexFunc", "Store"]

IndexFunc = Callable[[Obj], Iterable[str]]

INDEX_NAMESPACE = "namespace"
INDEX_OWNER = "owner"
INDEX_LABEL = "label"

#: seconds a remembered write may wait for its watch event before the cache is trusted again
REMEMBER_FOR = 30.0


def _by_namespace(obj: Obj) -> Iterable[str]:
    return (str(meta(obj).get("namespace") or ""),)


def _by_owner(obj: Obj) -> Iterable[str]:
    ref = controller_owner(obj)
    return (str(ref["uid"]),) if ref and ref.get("uid") else ()


def _by_label(obj: Obj) -> Iterable[str]:
    labels: dict[str, Any] = meta(obj).get("labels") or {}
    return [f"{k}={v}" for k, v in labels.items()]


@dataclass(frozen=True, slots=True)
class _Written:
    """An object as a write of ours left it, not yet seen on the watch."""

    obj: Obj
    writer: str
    at: float


def _rv(obj: Obj) -> str:
    return str(meta(obj).get("resourceVersion") or "")


def _not_older(rv: str, than: str) -> bool:
    """``rv`` is ``than`` or a later version of the same object."""
    if rv == than:
        return True
    if rv.isdigit() and than.isdigit():
        return int(rv) > int(than)
    return False


class Store:
    """Objects by key plus secondary indexes. Not thread-safe: one event loop owns it.

    ``transform`` is what the informer applies to every object it caches; a remembered write
    goes through it too, so reads see one shape either way."""

    def __init__(
        self,
        *,
        transform: Callable[[Obj], Obj] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._items: dict[ObjectKey, Obj] = {}
        self._written: dict[ObjectKey, _Written] = {}
        self._sweep_at = 1024
        self._transform = transform
        self._clock = clock
        self._indexers: dict[str, IndexFunc] = {}
        self._indices: dict[str, dict[str, set[ObjectKey]]] = {}
        for name, fn in (
            (INDEX_NAMESPACE, _by_namespace),
            (INDEX_OWNER, _by_owner),
            (INDEX_LABEL, _by_label),
        ):
            self.add_index(name, fn)

    # -- reads -----------------------------------------------------------------------------

    def get(self, key: ObjectKey | str) -> Obj | None:
        """The cached object, or our own later write of it (read-your-writes)."""
        if isinstance(key, str):
            key = ObjectKey.parse(key)
        cached = self._items.get(key)
        written = self._written.get(key) if self._written else None
        if written is None:
            return cached
        if self._confirmed(written, cached):
            del self._written[key]
            return cached
        return written.obj

    def get_by_name(self, namespace: str, name: str) -> Obj | None:
        return self.get(ObjectKey(namespace, name))

    def keys(self) -> list[ObjectKey]:
        return [*self._items]

    def objects(self, namespace: str | None = None) -> list[Obj]:
        if namespace is None:
            return [*self._items.values()]
        return self.by_index(INDEX_NAMESPACE, namespace)

    def by_index(self, index: str, value: str) -> list[Obj]:
        return [self._items[k] for k in self.keys_by_index(index, value)]

    def keys_by_index(self, index: str, value: str) -> list[ObjectKey]:
        if index not in self._indices:
            raise KeyError(f"no index named {index!r}")
        return sorted(self._indices[index].get(value, ()))

    def children_of(self, owner_uid: str) -> list[Obj]:
        return self.by_index(INDEX_OWNER, owner_uid)

    def index_values(self, index: str) -> list[str]:
        return [*self._indices[index]]

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[Obj]:
        return iter([*self._items.values()])

    # -- indexes ---------------------------------------------------------------------------

    def add_index(self, name: str, fn: IndexFunc) -> None:
        """Register (or replace) index ``name``; existing objects are indexed at once."""
        self._indexers[name] = fn
        index: dict[str, set[ObjectKey]] = {}
        self._indices[name] = index
        for key, obj in self._items.items():
            for value in fn(obj):
                index.setdefault(value, set()).add(key)

    def has_index(self, name: str) -> bool:
        return name in self._indexers

    # -- read-your-writes ---------------------------------------------------------------------

    def remember(self, obj: Obj, writer: str = "") -> None:
        """``obj`` is what a write of ``writer``'s left on the server: serve it until the watch
        delivers this version or a newer one (at most ``REMEMBER_FOR`` seconds)."""
        if not _rv(obj):
            return
        obj = self._transform(obj) if self._transform is not None else obj
        self._written[key_of(obj)] = _Written(obj, writer, self._clock())
        if len(self._written) >= self._sweep_at:
            self._sweep()

    def writer_of(self, obj: Obj) -> str | None:
        """Whose remembered write ``obj`` (as the watch delivers it) is the echo of, if any.
        Ask before :meth:`upsert`, which forgets the write once delivered."""
        written = self._written.get(key_of(obj)) if self._written else None
        if written is None or _rv(written.obj) != _rv(obj):
            return None
        return written.writer

    def _confirmed(self, written: _Written, cached: Obj | None) -> bool:
        """The cache caught up with ``written`` (or gave up waiting for it)."""
        if self._clock() - written.at >= REMEMBER_FOR:
            return True
        return cached is not None and _not_older(_rv(cached), _rv(written.obj))

    def _sweep(self) -> None:
        """Forget writes the watch never confirmed (outside the informer's selector, lost)."""
        self._written = {
            k: w for k, w in self._written.items() if not self._confirmed(w, self._items.get(k))
        }
        self._sweep_at = max(1024, 2 * len(self._written))

    # -- writes (the informer's) ------------------------------------------------------------

    def upsert(self, obj: Obj) -> Obj | None:
        """Insert or replace; return the previous object."""
        key = key_of(obj)
        written = self._written.get(key) if self._written else None
        if written is not None and self._confirmed(written, obj):
            del self._written[key]
        old = self._items.get(key)
        if old is not None:
            self._unindex(key, old)
        self._items[key] = obj
        self._index(key, obj)
        return old

    def delete(self, key: ObjectKey) -> Obj | None:
        self._written.pop(key, None)
        old = self._items.pop(key, None)
        if old is not None:
            self._unindex(key, old)
        return old

    def replace(
        self, objs: Iterable[Obj], *, namespace: str | None = None
    ) -> tuple[list[Obj], list[tuple[Obj, Obj]], list[Obj]]:
        """Make the store (or one namespace of it) hold exactly ``objs`` after a relist.

        Returns ``(added, updated, deleted)``; unchanged objects (same resourceVersion) are in
        none. ``deleted`` are objects that vanished while we were not watching: client-go
        delivers them as ``DeletedFinalStateUnknown`` tombstones; here they are the last state
        we saw.
        """
        scope = (
            set(self._items)
            if namespace is None
            else set(self.keys_by_index(INDEX_NAMESPACE, namespace))
        )
        added: list[Obj] = []
        updated: list[tuple[Obj, Obj]] = []
        for obj in objs:
            key = key_of(obj)
            scope.discard(key)
            old = self.upsert(obj)
            if old is None:
                added.append(obj)
            elif meta(old).get("resourceVersion") != meta(obj).get("resourceVersion"):
                updated.append((old, obj))
        deleted = [old for key in scope if (old := self.delete(key)) is not None]
        return added, updated, deleted

    def _index(self, key: ObjectKey, obj: Obj) -> None:
        for name, fn in self._indexers.items():
            index = self._indices[name]
            for value in fn(obj):
                index.setdefault(value, set()).add(key)

    def _unindex(self, key: ObjectKey, obj: Obj) -> None:
        for name, fn in self._indexers.items():
            index = self._indices[name]
            for value in fn(obj):
                keys = index.get(value)
                if keys is not None:
                    keys.discard(key)
                    if not keys:
                        del index[value]
