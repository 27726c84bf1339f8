"""The API twin's storage: objects, resourceVersions, the event log, watchers and GC.

One resourceVersion counter for everything (like etcd's revision); each write that changes an
object bumps it, appends an event to the log of the object's group-resource and fans it out to
the open watches that select it. A write that changes nothing bumps nothing and sends no event,
as the apiserver skips no-op updates. Deleting an object with finalizers only marks it
(``deletionTimestamp``); it goes when the last finalizer is removed. Deleting an owner
garbage-collects its dependents (``Background`` and ``Foreground`` alike, in this model) or
strips their ownerReferences (``Orphan``).
"""

from __future__ import annotations

import contextlib
import copy
import math
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import anyio
import orjson
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from nimop.watch.clock import Clock
from nimop.watch.objects import Obj, ResourceRef, meta

from .errors import ApiStatus
from .fields import Path, fields_v1
from .selectors import Selector

__all__ = ["Database", "Served", "Watcher"]

GroupResource = tuple[str, str]  # (group, plural): storage is shared by all versions
Key = tuple[str, str]  # (namespace, name)


@dataclass(frozen=True)
class Served:
    """A resource the twin serves, with the server-side rules that apply to it."""

    ref: ResourceRef
    #: writes to the main resource ignore ``status``; ``/status`` writes only change it
    status_subresource: bool = True
    #: dotted paths a change to which the apiserver rejects (422 "field is immutable")
    immutable: tuple[str, ...] = ()

    @property
    def group_resource(self) -> GroupResource:
        return (self.ref.group, self.ref.plural)


@dataclass
class Managed:
    """Who owns which fields of one object (``metadata.managedFields``).

    Entries are keyed ``(manager, operation, subresource)`` as the apiserver keys them: what a
    manager applies and what it writes with an update or on ``/status`` are owned separately.
    """

    fields: dict[tuple[str, str, str], set[Path]] = field(default_factory=dict)

    def owners(self, path: Path, *, besides: tuple[str, str, str]) -> list[str]:
        return [e[0] for e, paths in self.fields.items() if e != besides and path in paths]

    def render(self, api_version: str) -> list[dict[str, Any]]:
        return [
            {"manager": m, "operation": op, "apiVersion": api_version, "fieldsType": "FieldsV1",
             "fieldsV1": fields_v1(paths), **({"subresource": sub} if sub else {})}
            for (m, op, sub), paths in self.fields.items() if paths
        ]  # fmt: skip


@dataclass
class Watcher:
    """One open watch: what it selects and the stream its events are written to."""

    group_resource: GroupResource
    namespace: str | None
    selector: Selector
    api_version: str
    send: MemoryObjectSendStream[bytes]
    receive: MemoryObjectReceiveStream[bytes]

    def offer(self, kind: str, obj: Obj, old: Obj | None) -> None:
        """Send the event as this watch sees it: label changes turn updates into adds or
        deletes, as for a label-selected watch on the apiserver."""
        if self.namespace and meta(obj).get("namespace") != self.namespace:
            return
        now = self.selector(meta(obj).get("labels") or {})
        before = old is not None and self.selector(meta(old).get("labels") or {})
        if kind == "MODIFIED" and now != before:
            kind = "ADDED" if now else "DELETED"
        elif not (now or (kind == "DELETED" and before)):
            return
        self.line({"type": kind, "object": {**obj, "apiVersion": self.api_version}})

    def line(self, event: dict[str, Any]) -> None:
        with contextlib.suppress(anyio.BrokenResourceError, anyio.ClosedResourceError):
            self.send.send_nowait(orjson.dumps(event) + b"\n")  # unless the client went away

    def close(self) -> None:
        self.send.close()


@dataclass
class _LogEntry:
    rv: int
    kind: str
    obj: Obj
    old: Obj | None


class Database:
    """Objects by group-resource and ``(namespace, name)``, with history and watchers."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.revision = 1  # an empty etcd is at revision 1: the first write gets 2
        self.compacted = 0
        self._objects: dict[GroupResource, dict[Key, Obj]] = {}
        self._managed: dict[tuple[GroupResource, Key], Managed] = {}
        self._log: dict[GroupResource, list[_LogEntry]] = {}
        self.watchers: list[Watcher] = []
        #: called with (group-resource, event type, object) after every change
        self.listeners: list[Callable[[GroupResource, str, Obj], None]] = []

    # -- reads -------------------------------------------------------------------------------

    def get(self, gr: GroupResource, key: Key) -> Obj | None:
        return self._objects.get(gr, {}).get(key)

    def require(self, gr: GroupResource, key: Key) -> Obj:
        obj = self.get(gr, key)
        if obj is None:
            raise ApiStatus(404, "NotFound", f'{gr[1]} "{key[1]}" not found')
        return obj

    def items(self, gr: GroupResource, namespace: str | None = None) -> Iterator[Obj]:
        for (ns, _), obj in sorted(self._objects.get(gr, {}).items()):
            if namespace is None or ns == namespace:
                yield obj

    def all_items(self) -> Iterator[tuple[GroupResource, Obj]]:
        for gr in list(self._objects):
            for obj in list(self.items(gr)):
                yield gr, obj

    def managed(self, gr: GroupResource, key: Key) -> Managed:
        return self._managed.setdefault((gr, key), Managed())

    def with_managed_fields(self, gr: GroupResource, obj: Obj, api_version: str) -> Obj:
        """A copy of ``obj`` as a response carries it: with ``managedFields``."""
        out = copy.deepcopy(obj)
        out["apiVersion"] = api_version
        entries = self.managed(gr, _key(obj)).render(api_version)
        if entries:
            out["metadata"]["managedFields"] = entries
        return out

    # -- writes ------------------------------------------------------------------------------

    def stamp_new(self, obj: Obj) -> None:
        """Server-set metadata of a created object."""
        md = obj["metadata"]
        if not md.get("name") and md.get("generateName"):
            md["name"] = f"{md['generateName']}{uuid.uuid4().hex[:5]}"
        md["uid"] = str(uuid.uuid4())
        md["creationTimestamp"] = self._clock.wall().strftime("%Y-%m-%dT%H:%M:%SZ")
        md["generation"] = 1
        md.pop("resourceVersion", None)

    def commit(self, gr: GroupResource, new: Obj, old: Obj | None) -> Obj:
        """Store ``new`` (replacing ``old``) unless nothing changed; returns what is stored."""
        if old is not None and _comparable(old) == _comparable(new):
            return old
        self.revision += 1
        new["metadata"]["resourceVersion"] = str(self.revision)
        key = _key(new)
        md = meta(new)
        if md.get("deletionTimestamp") and not md.get("finalizers"):
            return self._remove(gr, key, new)
        self._objects.setdefault(gr, {})[key] = new
        self._record(gr, "ADDED" if old is None else "MODIFIED", new, old)
        return new

    def mark_deleted(self, gr: GroupResource, obj: Obj, propagation: str) -> Obj:
        """DELETE: remove ``obj`` now, or mark it while finalizers remain."""
        if meta(obj).get("finalizers"):
            if meta(obj).get("deletionTimestamp"):
                return obj
            new = copy.deepcopy(obj)
            new["metadata"]["deletionTimestamp"] = self._clock.wall().strftime("%Y-%m-%dT%H:%M:%SZ")
            new["metadata"]["deletionGracePeriodSeconds"] = 0
            return self.commit(gr, new, obj)
        self.revision += 1
        gone = copy.deepcopy(obj)
        gone["metadata"]["resourceVersion"] = str(self.revision)
        return self._remove(gr, _key(obj), gone, propagation)

    def _remove(
        self, gr: GroupResource, key: Key, obj: Obj, propagation: str = "Background"
    ) -> Obj:
        self._objects.get(gr, {}).pop(key, None)
        self._managed.pop((gr, key), None)
        self._record(gr, "DELETED", obj, None)
        self._collect_dependents(str(meta(obj).get("uid")), propagation)
        return obj

    def _collect_dependents(self, uid: str, propagation: str) -> None:
        """The garbage collector: dependents whose every owner is gone are deleted."""
        live_uids = {str(meta(o).get("uid")) for _, o in self.all_items()}
        for gr, obj in list(self.all_items()):
            refs = meta(obj).get("ownerReferences") or []
            if not any(r.get("uid") == uid for r in refs):
                continue
            if propagation == "Orphan":
                new = copy.deepcopy(obj)
                new["metadata"]["ownerReferences"] = [r for r in refs if r.get("uid") != uid]
                self.commit(gr, new, obj)
            elif not any(r.get("uid") in live_uids for r in refs):
                current = self.get(gr, _key(obj))
                if current is not None:
                    self.mark_deleted(gr, current, "Background")

    def _record(self, gr: GroupResource, kind: str, obj: Obj, old: Obj | None) -> None:
        entry = _LogEntry(self.revision, kind, copy.deepcopy(obj), old)
        self._log.setdefault(gr, []).append(entry)
        for watcher in list(self.watchers):
            if watcher.group_resource == gr:
                watcher.offer(kind, entry.obj, old)
        for listener in list(self.listeners):
            listener(gr, kind, entry.obj)

    # -- watches -----------------------------------------------------------------------------

    def open_watch(
        self,
        served: Served,
        namespace: str | None,
        selector: Selector,
        resource_version: str,
    ) -> Watcher:
        """A watch from ``resource_version`` (replaying later events), or from now with the
        current objects as ADDED events for ``""``/``"0"``; 410 when history is compacted."""
        gr = served.group_resource
        send, receive = anyio.create_memory_object_stream[bytes](math.inf)
        watcher = Watcher(gr, namespace, selector, served.ref.api_version, send, receive)
        if resource_version in ("", "0"):
            for obj in self.items(gr, namespace):
                watcher.offer("ADDED", obj, None)
        else:
            since = int(resource_version)
            if since < self.compacted:
                raise ApiStatus(410, "Expired", f"too old resource version: {since} "
                                f"({self.compacted})")  # fmt: skip
            for entry in self._log.get(gr, []):
                if entry.rv > since:
                    watcher.offer(entry.kind, entry.obj, entry.old)
        self.watchers.append(watcher)
        return watcher

    def close_watch(self, watcher: Watcher) -> None:
        if watcher in self.watchers:
            self.watchers.remove(watcher)
        watcher.close()

    def compact(self) -> None:
        """Forget history up to now: watches from an older resourceVersion get 410."""
        self.compacted = self.revision
        self._log.clear()


def _key(obj: Obj) -> Key:
    md = meta(obj)
    return (str(md.get("namespace") or ""), str(md.get("name") or ""))


def _comparable(obj: Obj) -> Obj:
    md = {k: v for k, v in (obj.get("metadata") or {}).items() if k != "resourceVersion"}
    return {**obj, "metadata": md, "apiVersion": None}
