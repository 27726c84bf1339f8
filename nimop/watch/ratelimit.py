"""Rate limiters: client-go's ``util/workqueue/default_rate_limiters.go`` and ``flowcontrol``.

* :class:`TokenBucket` - the overall limiter (and the REST client's QPS/burst limiter). Like
  ``golang.org/x/time/rate``'s ``Reserve()``, a caller always gets a slot and is told how long
  to wait for it; tokens may go negative, so waiters are served in order.
* :class:`ItemExponentialLimiter` - per key ``base * 2**failures`` capped at ``max_delay``
  (controller-runtime default 5 ms -> 1000 s); ``forget`` resets the key.
* :class:`MaxOfLimiter` - the worst of several, which is how ``DefaultControllerRateLimiter``
  combines per-item backoff with a 10 qps / 100 burst bucket.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Protocol

from .clock import Clock

__all__ = [
    "ItemExponentialLimiter",
    "MaxOfLimiter",
    "RateLimiter",
    "TokenBucket",
    "default_controller_rate_limiter",
]


class RateLimiter(Protocol):
    """How long to delay a retry of ``key`` (client-go's ``TypedRateLimiter``)."""

    def when(self, key: Hashable) -> float: ...

    def forget(self, key: Hashable) -> None: ...

    def num_requeues(self, key: Hashable) -> int: ...


class TokenBucket:
    """A token bucket with ``qps`` refill and ``burst`` capacity; ``qps <= 0`` disables it."""

    def __init__(self, qps: float, burst: int, clock: Clock) -> None:
        if qps > 0 and burst < 1:
            raise ValueError("burst must be >= 1 when qps > 0")
        self._qps = qps
        self._burst = float(burst)
        self._clock = clock
        self._tokens = float(burst)
        self._last = clock.now()

    @property
    def enabled(self) -> bool:
        return self._qps > 0

    def reserve(self) -> float:
        """Take one token; return the seconds to wait before using it (0 if available now)."""
        if not self.enabled:
            return 0.0
        now = self._clock.now()
        self._tokens = min(self._burst, self._tokens + (now - self._last) * self._qps)
        self._last = now
        self._tokens -= 1.0
        return 0.0 if self._tokens >= 0 else -self._tokens / self._qps

    async def acquire(self) -> float:
        """Wait for a token; return how long we waited (for the rate-limiter metric)."""
        delay = self.reserve()
        if delay > 0:
            await self._clock.sleep(delay)
        return delay

    # The bucket is not per key: it also implements RateLimiter so MaxOfLimiter can mix it in.
    def when(self, key: Hashable) -> float:
        return self.reserve()

    def forget(self, key: Hashable) -> None:
        return None

    def num_requeues(self, key: Hashable) -> int:
        return 0


class ItemExponentialLimiter:
    """Per-key exponential backoff, ``base * 2**n`` capped at ``max_delay``."""

    def __init__(self, base: float = 0.005, max_delay: float = 1000.0) -> None:
        self._base = base
        self._max = max_delay
        self._failures: dict[Hashable, int] = {}

    def when(self, key: Hashable) -> float:
        n = self._failures.get(key, 0)
        self._failures[key] = n + 1
        # Cap the exponent too: 2**n overflows a float long after the cap applies.
        return min(self._base * 2.0 ** min(n, 62), self._max)

    def forget(self, key: Hashable) -> None:
        self._failures.pop(key, None)

    def num_requeues(self, key: Hashable) -> int:
        return self._failures.get(key, 0)


class MaxOfLimiter:
    """The longest delay any member asks for (client-go ``MaxOfRateLimiter``)."""

    def __init__(self, *limiters: RateLimiter) -> None:
        if not limiters:
            raise ValueError("MaxOfLimiter needs at least one limiter")
        self._limiters = limiters

    def when(self, key: Hashable) -> float:
        return max(limiter.when(key) for limiter in self._limiters)

    def forget(self, key: Hashable) -> None:
        for limiter in self._limiters:
            limiter.forget(key)

    def num_requeues(self, key: Hashable) -> int:
        return max(limiter.num_requeues(key) for limiter in self._limiters)


def default_controller_rate_limiter(
    clock: Clock, *, qps: float = 10.0, burst: int = 100
) -> MaxOfLimiter:
    """client-go's ``DefaultControllerRateLimiter``: 5 ms -> 1000 s per key, 10 qps/100 overall."""
    return MaxOfLimiter(ItemExponentialLimiter(0.005, 1000.0), TokenBucket(qps, burst, clock))
