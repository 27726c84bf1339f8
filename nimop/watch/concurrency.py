"""How many reconciles run at once: a limit that follows the apiserver, not a constant.

A fixed worker count caps throughput at ``workers / reconcile latency`` whatever the
apiserver could take, and on a struggling apiserver it keeps pushing the same load. This is
the AIMD scheme TCP and Netflix's ``concurrency-limits`` use, fed by the client's own
requests (every one but watches):

* **additive increase**: one more slot per ``limit`` requests answered without a sign of
  pressure, up to ``maximum``;
* **multiplicative decrease** on the apiserver's signals: a 429 (API Priority and Fairness
  rejected the request: its queues for our flow are full) halves the limit; a latency above
  ``tolerance`` times the recent best (APF queueing, an overloaded etcd) takes 10 % off — at most
  once per ``limit`` answers, so one slow burst is one step;
* **no increase while the client-side limiter holds requests back**: the QPS budget is then
  the bound, and more reconciles would only wait in it.

The limit is shared by every controller of a process (the apiserver is shared too); each
controller still runs at most its ``workers`` reconciles. Writes do not change: the same
reconciles run, sooner or later.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio

from . import metrics as m

__all__ = ["AdaptiveLimit"]


class AdaptiveLimit:
    def __init__(
        self,
        initial: int,
        *,
        minimum: int = 1,
        maximum: int = 64,
        tolerance: float = 2.0,
        baseline_drift: float = 0.01,
    ) -> None:
        if not 1 <= minimum <= initial <= maximum:
            raise ValueError("need 1 <= minimum <= initial <= maximum")
        self.minimum, self.maximum, self.tolerance = minimum, maximum, tolerance
        self._limit = initial
        self._good = 0  # answers without pressure since the last change
        self._in_use = 0
        self._waiters: deque[anyio.Event] = deque()
        #: the best recent latency; drifts up slowly so a lasting change of the apiserver's
        #: speed becomes the new normal instead of a permanent "overloaded"
        self._baseline: float | None = None
        self._drift = baseline_drift
        self._since_decrease = 0
        m.CONCURRENCY_LIMIT.set(self.limit)

    @property
    def limit(self) -> int:
        return self._limit

    @property
    def in_use(self) -> int:
        return self._in_use

    # -- signals -----------------------------------------------------------------------------

    def observe(self, seconds: float, status: int, limiter_wait: float = 0.0) -> None:
        """One answered request: its latency, HTTP status and client-side limiter wait."""
        self._since_decrease += 1
        if status == 429:
            self._decrease(0.5)
            return
        if self._baseline is None or seconds < self._baseline:
            self._baseline = seconds
        else:
            self._baseline += (seconds - self._baseline) * self._drift
        if seconds > self.tolerance * self._baseline and seconds > 0.05:
            if self._since_decrease >= self._limit:
                self._decrease(0.9)
            return
        if limiter_wait > 0:
            return
        self._good += 1
        if self._good >= self._limit:
            self._set(self._limit + 1)

    def _decrease(self, factor: float) -> None:
        self._since_decrease = 0
        self._set(int(self._limit * factor))

    def _set(self, value: int) -> None:
        self._good = 0
        before = self._limit
        self._limit = min(self.maximum, max(self.minimum, value))
        if self._limit != before:
            m.CONCURRENCY_LIMIT.set(self._limit)
            self._wake()

    # -- slots -------------------------------------------------------------------------------

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one of ``limit`` slots for the duration (FIFO among waiters)."""
        while self._in_use >= self.limit:
            event = anyio.Event()
            self._waiters.append(event)
            try:
                await event.wait()
            except BaseException:
                if event in self._waiters:
                    self._waiters.remove(event)
                else:
                    self._wake()  # woken but leaving (cancelled): pass the wake-up on
                raise
        self._in_use += 1
        try:
            yield
        finally:
            self._in_use -= 1
            self._wake()

    def _wake(self) -> None:
        free = self.limit - self._in_use
        while free > 0 and self._waiters:
            self._waiters.popleft().set()
            free -= 1
