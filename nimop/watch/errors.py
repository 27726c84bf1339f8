"""One exception hierarchy for everything the framework raises, classified by what to do.

::

    KubeError                    a request to the apiserver failed
    ├── RetryableError           try again later with backoff (the default for the unknown)
    │   ├── TransportError       no HTTP answer: refused, reset, timed out
    │   ├── ServerError          5xx
    │   └── TooManyRequests      429; honour ``retry_after`` (API Priority and Fairness)
    ├── ConflictError            409: our view is stale; requeue quickly, log nothing loud
    │   └── AlreadyExistsError   409 on create
    ├── GoneError                410: the resourceVersion is compacted away; relist
    ├── NotFoundError            404: the object (or its API) is absent; usually "done"
    └── TerminalApiError         4xx that repeating cannot fix (400, 401, 403, 405, 415, 422)
        ├── ForbiddenError       403: RBAC is missing
        │   └── NamespaceTerminatingError  403 on create: the namespace is being deleted —
        │                        nothing to do, its objects go with it (not an error)
        └── InvalidError         422: the object fails validation; ``message`` names the field
    TerminalError                raised by a reconciler: log and count, never retry
    StateError                   misuse of a long-lived object (start twice, use after close)

The split mirrors controller-runtime's reconcile handler: an error is a rate-limited retry,
``reconcile.TerminalError`` is not retried, and apimachinery's ``IsConflict``/``IsGone``/
``IsNotFound`` predicates become classes here so ``except`` clauses read as the decision.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AlreadyExistsError",
    "ConflictError",
    "ForbiddenError",
    "GoneError",
    "InvalidError",
    "KubeError",
    "NamespaceTerminatingError",
    "NotFoundError",
    "RetryableError",
    "ServerError",
    "StateError",
    "TerminalApiError",
    "TerminalError",
    "TooManyRequests",
    "TransportError",
    "error_from_status",
]


class KubeError(Exception):
    """A request to the apiserver failed; ``status`` is the HTTP code (0 without an answer)."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 0,
        reason: str = "",
        body: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.reason = reason
        self.body = body or {}

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status}, reason={self.reason!r}, {self.message!r})"
        )


class RetryableError(KubeError):
    """Transient: the same request may succeed later."""


class TransportError(RetryableError):
    """No HTTP response at all (connection refused or reset, DNS, timeout)."""


class ServerError(RetryableError):
    """5xx from the apiserver."""


class TooManyRequests(RetryableError):
    """429; ``retry_after`` seconds comes from the Retry-After header when present."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class ConflictError(KubeError):
    """409: optimistic concurrency lost; re-read (the cache will catch up) and requeue."""


class AlreadyExistsError(ConflictError):
    """409 AlreadyExists on create."""


class GoneError(KubeError):
    """410 Gone / Expired: the requested resourceVersion is older than etcd's history."""


class NotFoundError(KubeError):
    """404: object, namespace or the whole API is absent."""


class TerminalApiError(KubeError):
    """A 4xx that no retry can fix without a change of input or permissions."""


class ForbiddenError(TerminalApiError):
    """403: the service account lacks RBAC for this verb and resource."""


class NamespaceTerminatingError(ForbiddenError):
    """403: a create in a namespace being deleted. The objects would go with the namespace
    anyway, so a controller ends the reconcile quietly instead of retrying."""


class InvalidError(TerminalApiError):
    """422: the apiserver rejected the object; ``message`` names the field."""


class TerminalError(Exception):
    """Raised by a reconciler to say "retrying will not help": counted, logged, not requeued.

    Mirrors controller-runtime's ``reconcile.TerminalError``; wrap the cause with ``from``.
    """


class StateError(RuntimeError):
    """A long-lived object was used in the wrong state (started twice, used after close)."""


_BY_STATUS: dict[int, type[KubeError]] = {
    400: TerminalApiError,
    401: TerminalApiError,
    403: ForbiddenError,
    404: NotFoundError,
    405: TerminalApiError,
    406: TerminalApiError,
    409: ConflictError,
    410: GoneError,
    415: TerminalApiError,
    422: InvalidError,
    429: TooManyRequests,
}


def error_from_status(
    status: int, body: dict[str, Any] | None, *, retry_after: float | None = None
) -> KubeError:
    """Build the right exception from an HTTP status and a ``metav1.Status`` body."""
    body = body or {}
    reason = str(body.get("reason", ""))
    message = str(body.get("message", "")) or f"HTTP {status}"
    if status == 409 and reason == "AlreadyExists":
        return AlreadyExistsError(message, status=status, reason=reason, body=body)
    if status == 403 and "because it is being terminated" in message:
        return NamespaceTerminatingError(message, status=status, reason=reason, body=body)
    if status == 429:
        return TooManyRequests(
            message, status=status, reason=reason, body=body, retry_after=retry_after
        )
    cls = _BY_STATUS.get(status)
    if cls is None:
        cls = ServerError if status >= 500 else TerminalApiError if status >= 400 else KubeError
    return cls(message, status=status, reason=reason, body=body)
