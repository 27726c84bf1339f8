"""Time as an injectable dependency.

Queues, rate limiters, informers and the leader elector take a :class:`Clock` so unit tests can
drive time by hand (:class:`nimop.watch.testing.FakeClock`) instead of sleeping. Times are
monotonic seconds; only the Lease record needs wall time, and it asks ``wall()`` for it.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol

import anyio

__all__ = ["Clock", "SystemClock", "micro_time"]


class Clock(Protocol):
    """Monotonic time plus a sleep that honours it."""

    def now(self) -> float:
        """Monotonic seconds."""
        ...

    def wall(self) -> datetime:
        """Wall-clock time (UTC), for timestamps written to the API."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Sleep ``seconds`` of this clock's time; a cancellation point."""
        ...


class SystemClock:
    """The real clock: ``time.monotonic`` and ``anyio.sleep``."""

    def now(self) -> float:
        return time.monotonic()

    def wall(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await anyio.sleep(max(seconds, 0.0))


def micro_time(t: datetime) -> str:
    """Format as ``metav1.MicroTime`` (RFC 3339 with microseconds, UTC)."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
