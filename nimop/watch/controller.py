"""A controller: sources -> work queue -> N workers -> ``reconcile(key)``.

The reconciler contract is controller-runtime's (``pkg/reconcile``,
``pkg/internal/controller/controller.go`` ``reconcileHandler``):

* return ``None``/``Result()`` -> success: ``forget`` the key's backoff;
* return ``Result(requeue_after=s)`` -> ``forget`` then ``add_after(s)`` (polling, not errors);
* raise :class:`~nimop.watch.errors.TerminalError` -> logged and counted, never retried;
* raise :class:`~nimop.watch.errors.ConflictError` (409) -> quick rate-limited requeue, logged
  at debug only: the cache simply had not caught up with our own write yet;
* raise anything else -> error log, ``add_rate_limited`` (per-key exponential backoff).

Concurrency: ``workers`` reconciles at most; with an :class:`~.concurrency.AdaptiveLimit`
(the manager's default) fewer run when the apiserver signals pressure and up to ``workers``
when it keeps up.

Queue priorities (controller-runtime's priority queue, one step further): what the first list
and a resync enqueue is ``LOW``, a primary's watch event ``NORMAL``, a child's (``owns``) event
``HIGH`` — so when a workload becomes available its owner's status is reported next, not after
the first reconcile of every object created meanwhile (a Ready ramp, not a cliff).

Echoes: a write this controller remembered in a store (``Store.remember``: status patches,
child applies) comes back as a watch event carrying the controller's name; it wakes nobody
here — the reconcile that wrote already saw that state. Another controller's writes do wake.

Workers start only after every watched informer has synced (``CacheSyncTimeout``), each
reconcile gets a ``reconcile_id`` bound in structlog contextvars and an OpenTelemetry span, and
a periodic resync re-enqueues every primary (controller-runtime's ``SyncPeriod``: level-based
controllers heal drift nobody told them about).
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass
from enum import Enum
from types import TracebackType
from typing import Protocol, Self

import anyio
import anyio.abc
import structlog
from opentelemetry import trace

from . import metrics as m
from .clock import Clock, SystemClock
from .concurrency import AdaptiveLimit
from .errors import (
    ConflictError,
    KubeError,
    NamespaceTerminatingError,
    StateError,
    TerminalError,
)
from .informer import Event, Handler, Informer
from .objects import ObjectKey
from .queue import HIGH, LOW, NORMAL, QueueShutDown, WorkQueue
from .ratelimit import RateLimiter
from .sources import Mapper, Predicate, enqueue_owner, enqueue_self

__all__ = ["Controller", "ControllerState", "ReconcileFunc", "Reconciler", "Result"]

log = structlog.get_logger("nimop.watch.controller")
tracer = trace.get_tracer("nimop.watch")


@dataclass(frozen=True, slots=True)
class Result:
    """``requeue_after``: reconcile again after this many seconds even if nothing changes."""

    requeue_after: float | None = None


class Reconciler(Protocol):
    async def reconcile(self, key: ObjectKey) -> Result | None: ...


ReconcileFunc = Callable[[ObjectKey], Awaitable[Result | None]]


class ControllerState(Enum):
    NEW = "new"
    RUNNING = "running"
    STOPPED = "stopped"


@dataclass
class _Source:
    informer: Informer
    mapper: Mapper
    predicates: tuple[Predicate, ...]
    primary: bool
    handler: Handler | None = None
    #: the queue priority of this source's watch events (the first list's are always LOW)
    priority: int = NORMAL


class Controller:
    """Use ``controller.for_(...)``/``owns(...)``/``watches(...)`` then ``async with``."""

    def __init__(
        self,
        name: str,
        reconciler: Reconciler | ReconcileFunc,
        *,
        workers: int = 1,
        resync_period: float | None = 10 * 3600.0,
        rate_limiter: RateLimiter | None = None,
        reconcile_timeout: float | None = None,
        cache_sync_timeout: float = 120.0,
        shutdown_timeout: float = 25.0,
        clock: Clock | None = None,
        limit: AdaptiveLimit | None = None,
    ) -> None:
        if workers < 1:
            raise ValueError("workers must be >= 1")
        self.name = name
        self.reconciler = reconciler
        self._reconcile = reconciler.reconcile if hasattr(reconciler, "reconcile") else reconciler
        self.workers = workers
        #: with a limit, ``workers`` is the most this controller runs at once and the limit
        #: (shared by the process's controllers, following the apiserver) decides how many
        self.limit = limit
        self.resync_period = resync_period
        self.reconcile_timeout = reconcile_timeout
        self.cache_sync_timeout = cache_sync_timeout
        self.shutdown_timeout = shutdown_timeout
        self._clock = clock or SystemClock()
        self._clock_given = clock is not None
        self._rate_limiter = rate_limiter
        self.queue: WorkQueue[ObjectKey] = WorkQueue(
            name, rate_limiter=rate_limiter, clock=self._clock
        )
        self._sources: list[_Source] = []
        self._state = ControllerState.NEW
        self._tg: anyio.abc.TaskGroup | None = None
        self._aborted = False

    # -- wiring ------------------------------------------------------------------------------

    def adopt_clock(self, clock: Clock) -> None:
        """Run on ``clock`` (its manager's) unless one was given at construction, so a fake
        clock in a test also drives requeues and resyncs. Only before the controller starts."""
        if self._clock_given or self._state is not ControllerState.NEW:
            return
        self._clock = clock
        self.queue = WorkQueue(self.name, rate_limiter=self._rate_limiter, clock=clock)

    def adopt_limit(self, limit: AdaptiveLimit, workers: int) -> None:
        """Share the process's adaptive limit (its manager's), up to ``workers`` at once,
        unless one was given at construction. Only before the controller starts."""
        if self.limit is not None or self._state is not ControllerState.NEW:
            return
        self.limit = limit
        self.workers = max(self.workers, workers)

    def for_(self, informer: Informer, *predicates: Predicate) -> Self:
        """The primary kind: its own events enqueue its key; resync re-enqueues all of it."""
        return self._add(_Source(informer, enqueue_self(), predicates, primary=True))

    def owns(self, informer: Informer, owner_group: str, owner_kind: str,
             *predicates: Predicate) -> Self:  # fmt: skip
        """Children: their events enqueue their controller owner of ``owner_kind``."""
        mapper = enqueue_owner(owner_group, owner_kind)
        return self._add(_Source(informer, mapper, predicates, primary=False, priority=HIGH))

    def watches(self, informer: Informer, mapper: Mapper, *predicates: Predicate) -> Self:
        """Anything else, mapped to primary keys by ``mapper``."""
        return self._add(_Source(informer, mapper, predicates, primary=False))

    @property
    def informers(self) -> list[Informer]:
        return [s.informer for s in self._sources]

    def _add(self, source: _Source) -> Self:
        if self._state is not ControllerState.NEW:
            raise StateError(f"controller {self.name!r} is {self._state.value}; wire it first")
        self._sources.append(source)
        return self

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def state(self) -> ControllerState:
        return self._state

    async def __aenter__(self) -> Self:
        if self._state is not ControllerState.NEW:
            raise StateError(f"controller {self.name!r} is {self._state.value}; it runs once")
        if not self._sources:
            raise StateError(f"controller {self.name!r} watches nothing")
        m.init_controller(self.name)
        m.MAX_CONCURRENT.labels(self.name).set(self.workers)
        await self.queue.__aenter__()
        self._tg = anyio.create_task_group()
        await self._tg.__aenter__()
        self._state = ControllerState.RUNNING
        for source in self._sources:
            source.handler = self._handler(source)
            source.informer.add_handler(source.handler)
        self._tg.start_soon(self._run)
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> bool | None:
        """Stop intake, let in-flight reconciles finish (bounded), then cancel the rest; after
        :meth:`abort`, cancel at once."""
        self.stop_intake()
        if not self._aborted:
            with anyio.move_on_after(self.shutdown_timeout, shield=True):
                await self.drain()
        assert self._tg is not None
        self._tg.cancel_scope.cancel()
        try:
            return await self._tg.__aexit__(et, e, tb)
        finally:
            await self.queue.__aexit__(None, None, None)
            self._state = ControllerState.STOPPED

    def stop_intake(self, *, discard_queued: bool = False) -> None:
        """No new keys; with ``discard_queued`` none of the queued ones are handed out either."""
        for source in self._sources:
            if source.handler is not None:
                source.informer.remove_handler(source.handler)
                source.handler = None
        self.queue.shutdown(discard_queued=discard_queued)

    async def drain(self) -> None:
        """Wait for the reconciles in flight (after :meth:`stop_intake`); the caller bounds it."""
        await self.queue.drain()

    def abort(self) -> None:
        """Cancel every reconcile now, no drain (leadership lost: not one more write)."""
        self._aborted = True
        self.stop_intake(discard_queued=True)
        if self._tg is not None:
            self._tg.cancel_scope.cancel()

    def oldest_in_flight(self) -> tuple[str, float] | None:
        """The reconcile running longest, as (key, seconds): what liveness calls wedged."""
        oldest = self.queue.oldest_processing()
        return None if oldest is None else (str(oldest[0]), oldest[1])

    def enqueue(self, key: ObjectKey) -> None:
        self.queue.add(key)

    # -- internals ---------------------------------------------------------------------------

    def _handler(self, source: _Source) -> Handler:
        def handle(event: Event) -> None:
            if event.writer == self.name:
                return  # the echo of this controller's own write: its reconcile saw it
            if all(p(event) for p in source.predicates):
                priority = LOW if event.initial else source.priority
                for key in source.mapper(event):
                    self.queue.add(key, priority)

        return handle

    async def _run(self) -> None:
        with anyio.fail_after(self.cache_sync_timeout):
            for informer in self.informers:
                await informer.wait_synced()
        log.info("caches synced; starting workers", controller=self.name, workers=self.workers)
        async with anyio.create_task_group() as tg:
            for _ in range(self.workers):
                tg.start_soon(self._worker)
            if self.resync_period:
                tg.start_soon(self._resync_loop, self.resync_period)

    async def _resync_loop(self, period: float) -> None:
        while not self.queue.shutting_down:
            await self._clock.sleep(period * (1 + 0.1 * random.random()))
            for source in self._sources:
                if source.primary:
                    for key in source.informer.store.keys():  # noqa: SIM118
                        self.queue.add(key, LOW)

    async def _worker(self) -> None:
        while True:
            try:
                key = await self.queue.get()
            except QueueShutDown:
                return
            slot: AbstractAsyncContextManager[None] = (
                self.limit.slot() if self.limit else nullcontext()
            )
            try:
                async with slot:
                    m.ACTIVE_WORKERS.labels(self.name).inc()
                    try:
                        await self._process(key)
                    finally:
                        m.ACTIVE_WORKERS.labels(self.name).dec()
            finally:
                self.queue.done(key)

    async def _process(self, key: ObjectKey) -> None:
        reconcile_id = str(uuid.uuid4())
        with (
            structlog.contextvars.bound_contextvars(
                controller=self.name, namespace=key.namespace, name=key.name,
                reconcile_id=reconcile_id,
            ),
            tracer.start_as_current_span(
                "reconcile",
                attributes={"controller": self.name, "namespace": key.namespace,
                            "name": key.name, "reconcile_id": reconcile_id},
            ) as span,
        ):  # fmt: skip
            start = time.monotonic()
            outcome = await self._invoke(key, span)
            elapsed = time.monotonic() - start
            m.RECONCILE_TIME.labels(self.name).observe(elapsed)
            m.RECONCILE_TOTAL.labels(self.name, outcome).inc()
            # controller-runtime's V(5) "Reconcile done"; carries the span's trace ids
            log.debug("reconcile done", result=outcome, seconds=round(elapsed, 4))

    async def _invoke(self, key: ObjectKey, span: trace.Span) -> str:
        try:
            if self.reconcile_timeout:
                with anyio.fail_after(self.reconcile_timeout):
                    result = await self._reconcile(key)
            else:
                result = await self._reconcile(key)
        except TerminalError as exc:
            log.error("reconcile failed terminally; not retrying", error=str(exc))
            m.RECONCILE_TERMINAL_ERRORS.labels(self.name).inc()
            m.RECONCILE_ERRORS.labels(self.name).inc()
            span.record_exception(exc)
            self.queue.forget(key)
            return "error"
        except NamespaceTerminatingError:
            log.debug("namespace is being deleted; nothing to do")
            self.queue.forget(key)
            return "success"
        except ConflictError as exc:
            log.debug("conflict; requeueing", error=str(exc))
            self.queue.add_rate_limited(key)
            return "requeue"
        except Exception as exc:
            log.error("reconcile failed; will retry", exc_info=True,
                      retries=self.queue.num_requeues(key))  # fmt: skip
            if not isinstance(exc, KubeError | TimeoutError):
                m.RECONCILE_PANICS.labels(self.name).inc()  # a bug: Go would have panicked
            m.RECONCILE_ERRORS.labels(self.name).inc()
            span.record_exception(exc)
            span.set_status(trace.StatusCode.ERROR)
            self.queue.add_rate_limited(key)
            return "error"
        self.queue.forget(key)
        if result is not None and result.requeue_after and result.requeue_after > 0:
            self.queue.add_after(key, result.requeue_after)
            return "requeue_after"
        return "success"
