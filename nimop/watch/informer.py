"""Shared informers: list, then watch, into an indexed store, fanning events out to handlers.

A :class:`Reflector` mirrors client-go's ``tools/cache/reflector.go`` for one namespace scope:

* the first list asks for RV ``"0"`` (served by the apiserver's watch cache, cheap); relists
  after 410 Gone ask for ``""`` (a quorum read) and page 500 at a time (``tools/pager``);
* the watch resumes from the list's (then the last event's) resourceVersion with
  ``allowWatchBookmarks`` and a random ``timeoutSeconds`` in [5, 10] min to spread reconnects;
  a client-side inactivity timeout catches streams that froze without closing (kopf#585);
* 410 Gone (on the watch or as an ERROR event) -> relist and ``Store.replace``, which emits
  deletes for objects that vanished meanwhile (client-go's ``DeletedFinalStateUnknown``);
* any other error -> back off 0.8 s doubling to 30 s with full jitter, then re-watch from the
  same resourceVersion (429 and connection errors do not need a relist);
* a watch that ends within 1 s without an event counts as an error (``VeryShortWatchError``).

An :class:`Informer` owns one store shared by all its handlers and one reflector per namespace
(or one for all namespaces). Handlers run synchronously after the store is updated, so they see
at least that state; like client-go's, they must be quick (enqueue keys, nothing more).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from types import TracebackType
from typing import Self

import anyio
import anyio.abc
import structlog

from . import metrics as m
from .client import KubeClient
from .clock import Clock, SystemClock
from .errors import GoneError, StateError
from .objects import Obj, ResourceRef, key_of, strip_for_store
from .store import IndexFunc, Store

__all__ = ["Event", "EventType", "Handler", "Informer", "InformerOptions", "InformerState"]

log = structlog.get_logger("nimop.watch.informer")


class EventType(Enum):
    ADDED = "ADDED"
    UPDATED = "UPDATED"
    DELETED = "DELETED"


@dataclass(frozen=True, slots=True)
class Event:
    """What handlers receive; ``old`` is set on updates; ``initial`` on the first list's adds;
    ``writer`` names the controller whose own write this event only echoes (``Store.remember``).
    """

    type: EventType
    obj: Obj
    old: Obj | None = None
    initial: bool = False
    writer: str | None = None


Handler = Callable[[Event], None]


class InformerState(Enum):
    NEW = "new"
    RUNNING = "running"
    STOPPED = "stopped"


@dataclass(frozen=True)
class InformerOptions:
    watch_timeout: tuple[int, int] = (300, 600)
    inactivity_timeout: float = 120.0
    backoff_initial: float = 0.8
    backoff_max: float = 30.0
    #: failing continuously this long (or crashing) marks the informer dead for readiness
    dead_after: float = 60.0


class Reflector:
    """List-and-watch for one scope (a namespace, or all) of one informer."""

    def __init__(self, informer: Informer, namespace: str | None) -> None:
        self._inf = informer
        self.namespace = namespace
        self.synced = False
        self.failing_since: float | None = None
        self.crashed = False
        self._first_list = True
        self._label = (informer.resource.group_resource, namespace or "")

    async def run(self) -> None:
        opts, clock = self._inf.options, self._inf.clock
        failures = 0
        rv: str | None = None
        m.INFORMER_UP.labels(*self._label).set(1)
        while True:
            try:
                if rv is None:
                    rv = await self._list()
                    failures = 0
                rv, healthy = await self._watch(rv)
                if healthy:
                    failures = 0
                    self._healthy()
                    continue
                raise _ShortWatch("watch closed within 1 s without events")
            except GoneError as exc:
                if rv is not None:  # the watch's RV expired: relist at once
                    log.info("resourceVersion expired; relisting", resource=self._label[0],
                             namespace=self.namespace, resource_version=rv)  # fmt: skip
                    rv = None
                    continue
                failures += 1  # even a list failed with 410: back off, do not spin
                self._failing(exc)
            except Exception as exc:  # the loop must survive anything (kopf#1276)
                failures += 1
                self._failing(exc)
            delay = min(opts.backoff_max, opts.backoff_initial * 2 ** min(failures - 1, 10))
            await clock.sleep(delay * (1 + random.random()))

    def dead(self, now: float) -> bool:
        if self.crashed:
            return True
        since = self.failing_since
        return since is not None and now - since >= self._inf.options.dead_after

    def _healthy(self) -> None:
        self.failing_since = None
        m.INFORMER_UP.labels(*self._label).set(1)

    def _failing(self, exc: Exception) -> None:
        if self.failing_since is None:
            self.failing_since = self._inf.clock.now()
        dead = self.dead(self._inf.clock.now())
        m.INFORMER_UP.labels(*self._label).set(0 if dead else 1)
        log.warning(
            "list/watch failed; backing off",
            resource=self._label[0],
            namespace=self.namespace,
            error=repr(exc),
            dead=dead,
        )

    async def _list(self) -> str:
        inf = self._inf
        rv = "0" if self._first_list else ""
        items, list_rv = await inf.client.list(
            inf.resource, self.namespace, label_selector=inf.label_selector, resource_version=rv
        )
        m.INFORMER_RELISTS.labels(*self._label).inc()
        for item in items:  # list items carry no kind
            item.setdefault("apiVersion", inf.resource.api_version)
            item.setdefault("kind", inf.resource.kind)
        items = [inf.transform(item) for item in items]
        scope = self.namespace if inf.resource.namespaced else None
        added, updated, deleted = inf.store.replace(items, namespace=scope)
        initial, self._first_list = self._first_list, False
        for obj in added:
            inf.dispatch(Event(EventType.ADDED, obj, initial=initial))
        for old, new in updated:
            inf.dispatch(Event(EventType.UPDATED, new, old))
        for obj in deleted:
            inf.dispatch(Event(EventType.DELETED, obj))
        self.synced = True
        inf.check_synced()
        m.INFORMER_SYNCED.labels(*self._label).set(1)
        self._healthy()
        return list_rv

    async def _watch(self, rv: str) -> tuple[str, bool]:
        """Watch until the server closes; return (last RV, whether the watch was healthy)."""
        inf, opts = self._inf, self._inf.options
        started, events = inf.clock.now(), 0
        async with inf.client.watch(
            inf.resource,
            self.namespace,
            resource_version=rv,
            label_selector=inf.label_selector,
            timeout_seconds=random.randint(*opts.watch_timeout),
            inactivity_timeout=opts.inactivity_timeout,
        ) as stream:
            self._healthy()
            async for event in stream:
                events += 1
                rv = self._apply(event) or rv
        return rv, events > 0 or inf.clock.now() - started >= 1.0

    def _apply(self, event: dict[str, object]) -> str | None:
        obj = event.get("object")
        if not isinstance(obj, dict):
            return None
        new_rv = str((obj.get("metadata") or {}).get("resourceVersion") or "") or None
        kind, store = event.get("type"), self._inf.store
        if kind == "BOOKMARK":
            return new_rv
        obj = self._inf.transform(obj)
        if kind in ("ADDED", "MODIFIED"):
            writer = store.writer_of(obj)
            old = store.upsert(obj)
            typ = EventType.ADDED if old is None else EventType.UPDATED
            self._inf.dispatch(Event(typ, obj, old, writer=writer))
        elif kind == "DELETED":
            store.delete(key_of(obj))
            self._inf.dispatch(Event(EventType.DELETED, obj))
        return new_rv


class _ShortWatch(Exception):
    pass


class Informer:
    """One store + handlers for (resource, namespaces, label selector), shared by controllers."""

    def __init__(
        self,
        client: KubeClient,
        resource: ResourceRef,
        *,
        namespaces: Sequence[str] | None = None,
        label_selector: str | None = None,
        options: InformerOptions | None = None,
        clock: Clock | None = None,
        transform: Callable[[Obj], Obj] | None = None,
    ) -> None:
        self.client = client
        self.transform = transform or strip_for_store
        self.resource = resource
        self.label_selector = label_selector
        self.options = options or InformerOptions()
        self.clock = clock or SystemClock()
        self.store = Store(transform=self.transform)
        self._handlers: list[Handler] = []
        scopes: Sequence[str | None] = (
            list(namespaces) if namespaces and resource.namespaced else [None]
        )
        self.reflectors = [Reflector(self, ns) for ns in scopes]
        self._state = InformerState.NEW
        self._tg: anyio.abc.TaskGroup | None = None
        self._synced = anyio.Event()

    def __repr__(self) -> str:
        return f"Informer({self.resource}, selector={self.label_selector!r})"

    @property
    def state(self) -> InformerState:
        return self._state

    @property
    def has_synced(self) -> bool:
        return all(r.synced for r in self.reflectors)

    @property
    def dead(self) -> bool:
        now = self.clock.now()
        return any(r.dead(now) for r in self.reflectors)

    def add_handler(self, handler: Handler) -> None:
        """Register a handler; objects already cached are replayed to it as initial ADDs."""
        self._handlers.append(handler)
        for obj in self.store:
            handler(Event(EventType.ADDED, obj, initial=True))

    def remove_handler(self, handler: Handler) -> None:
        self._handlers.remove(handler)

    def add_index(self, name: str, fn: IndexFunc) -> None:
        self.store.add_index(name, fn)

    async def wait_synced(self) -> None:
        await self._synced.wait()

    def check_synced(self) -> None:
        if not self._synced.is_set() and self.has_synced:
            self._synced.set()

    def dispatch(self, event: Event) -> None:
        m.INFORMER_OBJECTS.labels(self.resource.group_resource).set(len(self.store))
        for handler in self._handlers:
            try:
                handler(event)
            except Exception:  # one bad handler must not stop the informer
                log.exception("event handler failed", resource=str(self.resource))

    async def __aenter__(self) -> Self:
        if self._state is not InformerState.NEW:
            raise StateError(f"{self!r} is {self._state.value}; informers run once")
        self._tg = anyio.create_task_group()
        await self._tg.__aenter__()
        for reflector in self.reflectors:
            self._tg.start_soon(self._run_reflector, reflector)
        self._state = InformerState.RUNNING
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> bool | None:
        assert self._tg is not None
        self._tg.cancel_scope.cancel()
        try:
            return await self._tg.__aexit__(et, e, tb)
        finally:
            self._state = InformerState.STOPPED
            for r in self.reflectors:
                m.INFORMER_UP.labels(self.resource.group_resource, r.namespace or "").set(0)

    async def _run_reflector(self, reflector: Reflector) -> None:
        try:
            await reflector.run()
        except Exception:  # run() catches everything; this is the last line of defence
            reflector.crashed = True
            log.exception("informer crashed", resource=str(self.resource))
