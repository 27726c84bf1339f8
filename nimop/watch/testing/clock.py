"""A fake clock for tests: time moves only when the test says so.

The fake clock only moves when a test calls :meth:`FakeClock.advance`; every sleeper whose
deadline has passed is then woken, in deadline order.
"""

from __future__ import annotations

import heapq
import itertools
from datetime import UTC, datetime, timedelta

import anyio

from .quiet import all_tasks_blocked

__all__ = ["FakeClock"]


class FakeClock:
    """A :class:`~nimop.watch.clock.Clock` that tests drive by hand."""

    def __init__(self, start: float = 1000.0) -> None:
        self._now = start
        self._start = start
        self._epoch = datetime(2026, 1, 1, tzinfo=UTC)
        self._sleepers: list[tuple[float, int, anyio.Event]] = []
        self._seq = itertools.count()

    def now(self) -> float:
        return self._now

    def wall(self) -> datetime:
        return self._epoch + timedelta(seconds=self._now - self._start)

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await anyio.lowlevel.checkpoint()
            return
        event = anyio.Event()
        heapq.heappush(self._sleepers, (self._now + seconds, next(self._seq), event))
        await event.wait()

    @property
    def sleepers(self) -> int:
        """How many tasks are asleep on this clock (for tests that wait for quiescence)."""
        return sum(1 for _, _, e in self._sleepers if not e.is_set())

    async def advance(self, seconds: float) -> None:
        """Move time forward, wake due sleepers, and let every woken task run."""
        self._now += seconds
        while self._sleepers and self._sleepers[0][0] <= self._now:
            heapq.heappop(self._sleepers)[2].set()
        await all_tasks_blocked()
