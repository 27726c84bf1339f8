"""How many reconciles run at once: a limit that follows the apiserver, not a constant.

A fixed worker count caps throughput at ``workers / reconcile latency`` whatever the
apiserver could take, and on a struggling apiserver it keeps pushing the same load. This is
the AIMD scheme TCP and Netflix's ``concurrency-limits`` use, fed by the client's own
requests (every one but watches):

* **additive increase**: one more slot per ``limit`` requests answered without a sign of
  pressure, up to ``maximum``;
* **multiplicative decrease** on the apiserver's signals: a 429 (API Priority and Fairness
  rejected the request: its queues for our flow are full) halves the limit, down to
  ``minimum``; answers getting slower — the recent latency (a fast moving average) above
  ``tolerance`` times the usual one (a slow moving average): APF queueing, a busy etcd — take
  10 % off, at most once per ``limit`` answers and never below ``initial``: latency on a shared
  machine is noisy, and only the apiserver's explicit "no" may push below the start;
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
        tolerance: float = 1.5,
    ) -> None:
        if not 1 <= minimum <= initial <= maximum:
            raise ValueError("need 1 <= minimum <= initial <= maximum")
        self.minimum, self.maximum, self.tolerance = minimum, maximum, tolerance
        self.initial = initial
        self._limit = initial
        self._good = 0  # answers without pressure since the last change
        self._in_use = 0
        self._waiters: deque[anyio.Event] = deque()
        #: moving averages of the latency: recent (weight 0.2) and usual (0.01), so a lasting
        #: change of the apiserver's speed becomes the new normal, not a permanent "overload"
        self._recent: float | None = None
        self._usual: float | None = None
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
        recent = self._recent = _average(self._recent, seconds, 0.2)
        usual = self._usual = _average(self._usual, seconds, 0.01)
        if recent > self.tolerance * usual and recent > 0.05:
            if self._since_decrease >= self._limit and self._limit > self.initial:
                self._decrease(0.9, floor=self.initial)
            return
        if limiter_wait > 0:
            return
        self._good += 1
        if self._good >= self._limit:
            self._set(self._limit + 1)

    def _decrease(self, factor: float, floor: int = 0) -> None:
        self._since_decrease = 0
        self._set(max(floor, int(self._limit * factor)))

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


def _average(current: float | None, sample: float, weight: float) -> float:
    return sample if current is None else current + (sample - current) * weight
