"""Fault injection for the API twin: answer matching requests with an error, or fail them on
the wire (a stale pooled connection, a reset), a given number of times."""

from __future__ import annotations

from dataclasses import dataclass

from .wire import Request

__all__ = ["Fault", "Injection"]


@dataclass(frozen=True)
class Fault:
    """What a matched request gets instead of its answer.

    ``status`` (404, 409, 410, 429, 500…) answers with a ``Status`` body (``reason``,
    ``message``) and, for 429, a ``Retry-After`` header when ``retry_after`` is set. ``error``
    is raised from the session instead — the request never reached the server (use aiohttp's
    exceptions: ``ServerDisconnectedError()`` is a dead keep-alive connection)."""

    status: int = 0
    reason: str = ""
    message: str = ""
    retry_after: float | None = None
    error: BaseException | None = None


@dataclass
class Injection:
    """A registered fault and which requests it matches; ``times=None`` is every time."""

    fault: Fault
    verb: str | None = None
    resource: str | None = None  # plural, e.g. "configmaps"
    namespace: str | None = None
    name: str | None = None
    subresource: str | None = None
    times: int | None = 1
    hits: int = 0

    def take(self, request: Request) -> bool:
        """Match ``request`` and consume one use."""
        if self.times is not None and self.hits >= self.times:
            return False
        expected = (self.verb, self.resource, self.namespace, self.name, self.subresource)
        actual = (request.verb, request.resource, request.namespace, request.name,
                  request.subresource)  # fmt: skip
        if any(e is not None and e != a for e, a in zip(expected, actual, strict=True)):
            return False
        self.hits += 1
        return True

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times
