"""A deduplicating, rate-limited, delaying work queue (client-go ``util/workqueue``).

Invariants, as in ``queue.go``:

* a key is queued at most once (``dirty`` set): adding a queued key is a no-op;
* a key is held by at most one worker (``processing`` set): adding it while it is processed
  only marks it dirty, and :meth:`WorkQueue.done` puts it back, so it runs again *after*;
* :meth:`WorkQueue.add_after` keeps a heap of ready times; re-adding a waiting key only moves it
  earlier (``delaying_queue.go``); every delayed add counts in ``workqueue_retries_total``;
* :meth:`WorkQueue.add_rate_limited` delays by the rate limiter (per-key exponential backoff
  plus an overall bucket) and :meth:`WorkQueue.forget` resets the key's backoff;
* :meth:`WorkQueue.shutdown` ignores new adds; workers drain what is queued, then ``get``
  raises :class:`QueueShutDown`; ``drain=True`` also waits for in-flight keys.

Priorities (controller-runtime's ``priorityqueue``): every add carries one, the highest queued
priority is handed out first, FIFO within a priority, and adding a queued key with a higher
priority moves it up (never down). The controller queues what the first list and resyncs
find at :data:`LOW`, watch events at :data:`NORMAL` and events about a child's state at
:data:`HIGH`: the reconcile that can report a workload available does not wait behind the
first reconcile of every object created after it.

Waiting workers each own an :class:`anyio.Event` (a deque of waiters): swapping one shared
event loses wake-ups under many workers, as the framework notes observed.
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from collections.abc import Hashable
from enum import Enum
from types import TracebackType
from typing import Generic, NamedTuple, Self, TypeVar

import anyio
import anyio.abc

from . import metrics as m
from .clock import Clock, SystemClock
from .errors import StateError
from .ratelimit import RateLimiter, default_controller_rate_limiter

__all__ = ["HIGH", "LOW", "NORMAL", "QueueShutDown", "QueueState", "QueueStats", "WorkQueue"]

K = TypeVar("K", bound=Hashable)

#: what the initial list and resyncs enqueue: nothing has happened to these objects
LOW = -100
#: watch events, retries and requeues
NORMAL = 0
#: a child's state changed: its owner may now be able to report progress
HIGH = 10


class _Lanes(Generic[K]):
    """Keys in FIFO lanes, one per priority; a key lives in one lane (the highest it was
    added with). Raising a key leaves a stale entry behind in its old lane, skipped on pop."""

    def __init__(self) -> None:
        self._lanes: dict[int, deque[K]] = {}
        self._priority: dict[K, int] = {}

    def push(self, key: K, priority: int) -> None:
        current = self._priority.get(key)
        if current is not None and current >= priority:
            return
        self._priority[key] = priority
        lane = self._lanes.get(priority)
        if lane is None:
            self._lanes = dict(sorted({**self._lanes, priority: deque()}.items(), reverse=True))
            lane = self._lanes[priority]
        lane.append(key)

    def pop(self) -> K:
        for priority, lane in self._lanes.items():
            while lane:
                key = lane.popleft()
                if self._priority.get(key) == priority:
                    del self._priority[key]
                    return key
        raise IndexError("pop from empty lanes")

    def priority(self, key: K) -> int | None:
        return self._priority.get(key)

    def clear(self) -> None:
        self._lanes.clear()
        self._priority.clear()

    def __len__(self) -> int:
        return len(self._priority)

    def __bool__(self) -> bool:
        return bool(self._priority)


class QueueShutDown(Exception):
    """``get`` after shutdown once nothing is left to hand out: the worker should exit."""


class QueueState(Enum):
    NEW = "new"  # constructed, not entered
    RUNNING = "running"  # accepting adds, background delay loop running
    SHUTTING_DOWN = "shutting_down"  # adds ignored, workers drain the queue
    CLOSED = "closed"  # exited; any use is an error


class QueueStats(NamedTuple):
    depth: int
    processing: int
    delayed: int
    waiting_workers: int


class WorkQueue(Generic[K]):
    """The controller's queue of keys. Use as ``async with WorkQueue(name) as q``."""

    def __init__(
        self,
        name: str,
        *,
        rate_limiter: RateLimiter | None = None,
        clock: Clock | None = None,
        metrics: bool = True,
    ) -> None:
        self.name = name
        self._clock = clock or SystemClock()
        self._limiter = rate_limiter or default_controller_rate_limiter(self._clock)
        self._metrics = metrics
        self._state = QueueState.NEW
        self._queue: _Lanes[K] = _Lanes()
        self._dirty: set[K] = set()
        self._requeue_priority: dict[K, int] = {}  # dirty while processing -> lane on done()
        self._processing: dict[K, float] = {}  # key -> when a worker took it
        self._added_at: dict[K, float] = {}
        self._waiters: deque[anyio.Event] = deque()
        self._delayed: list[tuple[float, int, K]] = []
        self._ready_at: dict[K, float] = {}
        self._seq = itertools.count()
        self._wake = anyio.Event()
        self._idle = anyio.Event()
        self._tg: anyio.abc.TaskGroup | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def state(self) -> QueueState:
        return self._state

    async def __aenter__(self) -> Self:
        if self._state is not QueueState.NEW:
            raise StateError(f"work queue {self.name!r} is {self._state.value}; it runs once")
        self._tg = anyio.create_task_group()
        await self._tg.__aenter__()
        self._state = QueueState.RUNNING
        self._tg.start_soon(self._delay_loop)
        if self._metrics:
            self._tg.start_soon(self._metrics_loop)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        self.shutdown()
        assert self._tg is not None
        self._tg.cancel_scope.cancel()
        try:
            return await self._tg.__aexit__(exc_type, exc, tb)
        finally:
            self._state = QueueState.CLOSED

    def shutdown(self, *, discard_queued: bool = False) -> None:
        """Stop accepting adds and release idle workers; queued keys are still handed out,
        unless ``discard_queued``: then only the keys being processed finish (a leader handing
        over: its successor lists and reconciles everything anyway)."""
        if discard_queued:
            self._queue.clear()
            self._dirty.clear()
            self._requeue_priority.clear()
            self._added_at.clear()
            self._set_depth()
        if self._state in (QueueState.SHUTTING_DOWN, QueueState.CLOSED):
            self._check_idle()
            return
        self._state = QueueState.SHUTTING_DOWN
        self._delayed.clear()
        self._ready_at.clear()
        while self._waiters:
            self._waiters.popleft().set()
        self._check_idle()

    async def drain(self) -> None:
        """Wait until nothing is queued or processing (call after :meth:`shutdown`)."""
        if self._state is QueueState.RUNNING:
            raise StateError("drain() needs shutdown() first")
        self._check_idle()
        await self._idle.wait()

    @property
    def shutting_down(self) -> bool:
        return self._state is not QueueState.RUNNING

    # -- producers ---------------------------------------------------------------------------

    def add(self, key: K, priority: int = NORMAL) -> None:
        """Queue ``key`` now, unless it is already queued (dedup: a higher ``priority`` only
        moves it up) or shutdown began."""
        self._require_open()
        if self._state is not QueueState.RUNNING:
            return
        if key in self._dirty:
            if key in self._processing:
                self._requeue_priority[key] = max(priority, self._requeue_priority[key])
            else:
                self._queue.push(key, priority)
            return
        self._dirty.add(key)
        if self._metrics:
            m.WORKQUEUE_ADDS.labels(self.name, self.name).inc()
        self._added_at.setdefault(key, self._clock.now())
        if key in self._processing:
            self._requeue_priority[key] = priority
            return  # done() re-queues it: one worker per key
        self._push(key, priority)

    def add_after(self, key: K, delay: float) -> None:
        """Queue ``key`` after ``delay`` seconds; an earlier pending time wins."""
        self._require_open()
        if self._state is not QueueState.RUNNING:
            return
        if delay <= 0:
            self.add(key)
            return
        if self._metrics:
            m.WORKQUEUE_RETRIES.labels(self.name, self.name).inc()
        ready = self._clock.now() + delay
        current = self._ready_at.get(key)
        if current is not None and current <= ready:
            return
        self._ready_at[key] = ready
        heapq.heappush(self._delayed, (ready, next(self._seq), key))
        if self._delayed[0][2] == key:
            self._wake.set()

    def add_rate_limited(self, key: K) -> None:
        """Requeue after the rate limiter's delay (per-key backoff, overall bucket)."""
        self.add_after(key, self._limiter.when(key))

    def forget(self, key: K) -> None:
        """Reset ``key``'s backoff: call after a success (it is not a removal)."""
        self._limiter.forget(key)

    def num_requeues(self, key: K) -> int:
        return self._limiter.num_requeues(key)

    # -- consumers ---------------------------------------------------------------------------

    async def get(self) -> K:
        """Wait for a key and mark it processing; raise :class:`QueueShutDown` when drained."""
        self._require_open()
        while not self._queue:
            if self._state is not QueueState.RUNNING:
                raise QueueShutDown(self.name)
            await self._wait_for_item()
        return self._take()

    def get_nowait(self) -> K | None:
        """The non-blocking twin of :meth:`get`: a key, or ``None`` if nothing is queued."""
        self._require_open()
        return self._take() if self._queue else None

    def done(self, key: K) -> None:
        """Mark ``key`` finished; if it was re-added meanwhile, queue it again."""
        started = self._processing.pop(key, None)
        if started is None:
            raise StateError(f"done({key!r}) for a key that is not being processed")
        if self._metrics:
            m.WORKQUEUE_WORK_DURATION.labels(self.name, self.name).observe(
                self._clock.now() - started
            )
        if key in self._dirty:
            self._push(key, self._requeue_priority.pop(key, NORMAL))
        self._check_idle()

    def oldest_processing(self) -> tuple[K, float] | None:
        """The key processed longest and for how many seconds (None when idle)."""
        started = list(self._processing.items())
        if not started:
            return None
        key, since = min(started, key=lambda item: item[1])
        return key, self._clock.now() - since

    def stats(self) -> QueueStats:
        return QueueStats(
            len(self._queue), len(self._processing), len(self._ready_at), len(self._waiters)
        )

    def __len__(self) -> int:
        return len(self._queue)

    # -- internals ---------------------------------------------------------------------------

    def _require_open(self) -> None:
        if self._state in (QueueState.NEW, QueueState.CLOSED):
            raise StateError(f"work queue {self.name!r} is {self._state.value}")

    def _push(self, key: K, priority: int) -> None:
        self._queue.push(key, priority)
        self._set_depth()
        if self._waiters:
            self._waiters.popleft().set()

    def _take(self) -> K:
        key = self._queue.pop()
        now = self._clock.now()
        self._dirty.discard(key)
        self._processing[key] = now
        added = self._added_at.pop(key, now)
        if self._metrics:
            m.WORKQUEUE_QUEUE_DURATION.labels(self.name, self.name).observe(now - added)
        self._set_depth()
        return key

    async def _wait_for_item(self) -> None:
        event = anyio.Event()
        self._waiters.append(event)
        try:
            await event.wait()
        finally:
            if event in self._waiters:
                self._waiters.remove(event)
            elif event.is_set() and self._queue and self._waiters:
                # We were woken but are leaving (cancelled): pass the wake-up on.
                self._waiters.popleft().set()

    def _check_idle(self) -> None:
        if self._state is not QueueState.RUNNING and not self._queue and not self._processing:
            self._idle.set()

    def _set_depth(self) -> None:
        if self._metrics:
            m.WORKQUEUE_DEPTH.labels(self.name, self.name).set(len(self._queue))

    def _pop_ready(self) -> None:
        now = self._clock.now()
        while self._delayed and self._delayed[0][0] <= now:
            ready, _, key = heapq.heappop(self._delayed)
            if self._ready_at.get(key) == ready:  # otherwise a stale heap entry
                del self._ready_at[key]
                self.add(key)

    async def _delay_loop(self) -> None:
        while True:
            self._pop_ready()
            self._wake = wake = anyio.Event()
            if not self._delayed:
                await wake.wait()
                continue
            wait = self._delayed[0][0] - self._clock.now()
            async with anyio.create_task_group() as tg:

                async def timer(seconds: float = wait, event: anyio.Event = wake) -> None:
                    await self._clock.sleep(seconds)
                    event.set()

                tg.start_soon(timer)
                await wake.wait()
                tg.cancel_scope.cancel()

    async def _metrics_loop(self) -> None:
        """Update the in-flight gauges every 500 ms, like client-go's ``updateUnfinishedWork``."""
        while True:
            now = self._clock.now()
            ages = [now - t for t in self._processing.values()]
            m.WORKQUEUE_UNFINISHED.labels(self.name, self.name).set(sum(ages))
            m.WORKQUEUE_LONGEST.labels(self.name, self.name).set(max(ages, default=0.0))
            await anyio.sleep(0.5)
