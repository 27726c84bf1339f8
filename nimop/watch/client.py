"""The one place that talks to the apiserver: raw JSON over aiohttp.

Mirrors client-go's REST client where it matters for an operator:

* every request has a timeout (kubernetes_asyncio has none by default) and passes a client-side
  token bucket (``rest/config.go`` QPS/burst);
* every request is counted in client-go's ``rest_client_requests_total{code,method,host}``,
  in ``nimop_api_requests_total{verb,resource,code}`` and in :attr:`KubeClient.requests` (per
  client, for tests and benchmarks); writes are events on the current span (the reconcile's);
* idempotent reads are retried a few times on transport errors, 429 and 5xx (tenacity, jittered);
  writes are not - the work queue's per-key backoff is the retry loop for reconciles;
* watches use a separate connection pool so a burst of writes cannot starve reconnects;
* writes use server-side apply with field manager ``nimop``; ``force=True`` takes ownership only
  of the fields the applied manifest contains, so fields we omit (HPA-managed ``replicas``) are
  never touched. Content types are explicit (the generated client guesses wrong: python#866).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from enum import Enum
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

import aiohttp
import anyio
import orjson
from opentelemetry import trace
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from . import metrics as m
from .clock import Clock, SystemClock
from .config import ClientConfig
from .errors import (
    KubeError,
    RetryableError,
    StateError,
    TooManyRequests,
    TransportError,
    error_from_status,
)
from .objects import Obj, ResourceRef
from .ratelimit import TokenBucket
from .transport import AiohttpTransport, Response, Session, Transport
from .watchstream import WatchStream

__all__ = ["APPLY", "MERGE_PATCH", "WRITE_VERBS", "KubeClient"]

APPLY = "application/apply-patch+yaml"  # JSON is valid YAML
MERGE_PATCH = "application/merge-patch+json"
WRITE_VERBS = frozenset({"create", "update", "patch", "apply", "delete"})
#: Retry-After when a 429 carries none, and the most we honour (seconds).
_DEFAULT_RETRY_AFTER = 1.0
_MAX_RETRY_AFTER = 30.0
_RETRIES = 4


class _State(Enum):
    NEW = "new"
    OPEN = "open"
    CLOSED = "closed"


class KubeClient:
    """An async Kubernetes API client over raw dicts. ``async with KubeClient(cfg) as c``."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        clock: Clock | None = None,
        transport: Transport | None = None,
    ) -> None:
        self.config = config
        self._clock = clock or SystemClock()
        self._transport = transport
        self._bucket = TokenBucket(config.qps, config.burst, self._clock)
        self._state = _State.NEW
        self._session: Session | None = None
        self._watch_session: Session | None = None
        self.requests: Counter[tuple[str, str, int]] = Counter()
        #: called with (seconds, HTTP status, seconds held by the client-side limiter) for
        #: every answered request but watches: what the adaptive concurrency limit follows
        self.observers: list[Callable[[float, int, float], None]] = []
        self._host = urlsplit(config.server).netloc or config.server
        #: after a 429 no request leaves before this time (the clock's), like client-go's
        #: honouring of Retry-After: a throttled apiserver sees one wave, not a storm
        self._throttled_until = 0.0

    async def __aenter__(self) -> Self:
        if self._state is not _State.NEW:
            raise StateError(f"client is {self._state.value}; open a new one")
        headers = {"User-Agent": self.config.user_agent, "Accept": "application/json"}
        transport = self._transport or AiohttpTransport(self.config.ssl_context, headers)
        self._session = transport.session(stream=False)
        self._watch_session = transport.session(stream=True)
        self._state = _State.OPEN
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._state = _State.CLOSED
        with anyio.CancelScope(shield=True):
            for session in (self._session, self._watch_session):
                if session is not None:
                    await session.close()

    @property
    def writes(self) -> int:
        """Write requests sent so far (create, update, patch, apply, delete)."""
        return sum(n for (verb, _, _), n in self.requests.items() if verb in WRITE_VERBS)

    # -- typed verbs -------------------------------------------------------------------------

    async def get(self, res: ResourceRef, namespace: str | None, name: str) -> Obj:
        return await self._read("get", res, res.path(namespace, name))

    async def list(
        self,
        res: ResourceRef,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        resource_version: str | None = None,
        limit: int = 500,
    ) -> tuple[list[Obj], str]:
        """All pages of a list (client-go pager: 500 per page); returns (items, list RV)."""
        params: dict[str, str] = {"limit": str(limit)}
        if label_selector:
            params["labelSelector"] = label_selector
        if resource_version is not None:
            params["resourceVersion"] = resource_version
        items: list[Obj] = []
        while True:
            page = await self._read("list", res, res.path(namespace), params)
            items.extend(page.get("items") or ())
            meta = page.get("metadata") or {}
            if not meta.get("continue"):
                return items, str(meta.get("resourceVersion", ""))
            params = {"limit": str(limit), "continue": meta["continue"]}
            if label_selector:
                params["labelSelector"] = label_selector

    async def create(self, res: ResourceRef, obj: Obj) -> Obj:
        ns = obj.get("metadata", {}).get("namespace")
        return await self.request("create", res, "POST", res.path(ns), body=obj)

    async def replace(self, res: ResourceRef, obj: Obj) -> Obj:
        md = obj["metadata"]
        return await self.request(
            "update", res, "PUT", res.path(md.get("namespace"), md["name"]), body=obj
        )

    async def apply(
        self, res: ResourceRef, obj: Obj, *, force: bool = True, subresource: str | None = None
    ) -> Obj:
        """Server-side apply ``obj`` as field manager ``nimop`` (creates it if absent)."""
        md = obj["metadata"]
        params = {"fieldManager": self.config.field_manager, "force": str(force).lower()}
        path = res.path(md.get("namespace"), md["name"], subresource)
        return await self.request(
            "apply", res, "PATCH", path, params=params, body=obj, content_type=APPLY
        )

    async def patch(
        self,
        res: ResourceRef,
        namespace: str | None,
        name: str,
        patch: Mapping[str, Any],
        *,
        subresource: str | None = None,
        content_type: str = MERGE_PATCH,
    ) -> Obj:
        params = {"fieldManager": self.config.field_manager}
        return await self.request(
            "patch",
            res,
            "PATCH",
            res.path(namespace, name, subresource),
            params=params,
            body=patch,
            content_type=content_type,
        )

    async def patch_status(
        self, res: ResourceRef, namespace: str | None, name: str, status: Mapping[str, Any]
    ) -> Obj:
        """Merge-patch ``{"status": status}`` on the status subresource (no generation bump)."""
        return await self.patch(res, namespace, name, {"status": status}, subresource="status")

    async def apply_status(self, res: ResourceRef, obj: Obj) -> Obj:
        """Server-side apply on ``/status``: ``obj`` holds apiVersion, kind, metadata, status."""
        return await self.apply(res, obj, subresource="status")

    async def pod_logs(
        self,
        namespace: str,
        name: str,
        *,
        container: str | None = None,
        limit_bytes: int = 4 * 1024 * 1024,
    ) -> str:
        """A pod's container log as text (``GET .../pods/NAME/log``), at most ``limit_bytes``."""
        params = {"limitBytes": str(limit_bytes)}
        if container:
            params["container"] = container
        path = f"/api/v1/namespaces/{namespace}/pods/{name}/log"
        resp = await self._send(
            "get", None, "GET", path, params, None, None,
            aiohttp.ClientTimeout(total=self.config.request_timeout),
        )  # fmt: skip
        try:
            return (await resp.read()).decode(errors="replace")
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise TransportError(f"GET {path}: {exc!r}") from exc
        finally:
            resp.release()

    async def delete(
        self,
        res: ResourceRef,
        namespace: str | None,
        name: str,
        *,
        propagation: str = "Background",
        uid: str | None = None,
    ) -> None:
        """Delete with a propagation policy; ``uid`` is a precondition (never the namesake)."""
        body: dict[str, Any] = {"propagationPolicy": propagation}
        if uid:
            body["preconditions"] = {"uid": uid}
        await self.request("delete", res, "DELETE", res.path(namespace, name), body=body)

    @asynccontextmanager
    async def watch(
        self,
        res: ResourceRef,
        namespace: str | None,
        *,
        resource_version: str,
        label_selector: str | None = None,
        timeout_seconds: int = 300,
        inactivity_timeout: float = 120.0,
    ) -> AsyncIterator[WatchStream]:
        """Open a watch; iterate events (dicts with ``type`` and ``object``) from the stream."""
        params = {
            "watch": "true",
            "allowWatchBookmarks": "true",
            "resourceVersion": resource_version,
            "timeoutSeconds": str(timeout_seconds),
        }
        if label_selector:
            params["labelSelector"] = label_selector
        timeout = aiohttp.ClientTimeout(
            total=None, connect=self.config.request_timeout, sock_read=inactivity_timeout
        )
        resp = await self._send(
            "watch", res, "GET", res.path(namespace), params, None, None, timeout, stream=True
        )
        try:
            yield WatchStream(resp, inactivity_timeout)
        finally:
            resp.release()

    # -- plumbing ----------------------------------------------------------------------------

    async def _read(
        self, verb: str, res: ResourceRef | None, path: str, params: Mapping[str, str] | None = None
    ) -> Obj:
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(RetryableError),
            stop=stop_after_attempt(_RETRIES),
            wait=wait_random_exponential(multiplier=0.2, max=5),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self.request(verb, res, "GET", path, params=params)
        raise AssertionError("unreachable")  # pragma: no cover

    async def request(
        self,
        verb: str,
        res: ResourceRef | None,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        content_type: str | None = None,
        deadline: float | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Obj:
        """One request; returns the decoded JSON body or raises a classified :class:`KubeError`."""
        client_timeout = aiohttp.ClientTimeout(total=deadline or self.config.request_timeout)
        resp = await self._send(
            verb,
            res,
            method,
            path,
            params,
            body,
            content_type,
            client_timeout,
            extra_headers=headers,
        )
        try:
            data = await resp.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise TransportError(f"{method} {path}: {exc!r}") from exc
        finally:
            resp.release()
        return orjson.loads(data) if data else {}

    async def _send(
        self,
        verb: str,
        res: ResourceRef | None,
        method: str,
        path: str,
        params: Mapping[str, str] | None,
        body: Any,
        content_type: str | None,
        limits: aiohttp.ClientTimeout,
        *,
        stream: bool = False,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Response:
        session = self._watch_session if stream else self._session
        if self._state is not _State.OPEN or session is None:
            raise StateError(f"client is {self._state.value}")
        pause = max(0.0, self._throttled_until - self._clock.now())
        if pause > 0:
            await self._clock.sleep(pause)
        waited = await self._bucket.acquire()
        m.REST_RATE_LIMITER_DURATION.labels(method, self._host).observe(waited)
        headers = await self.config.auth_headers()
        headers.update(extra_headers or {})
        data = None
        if body is not None:
            data = orjson.dumps(body)
            headers["Content-Type"] = content_type or "application/json"
        resource = res.group_resource if res else path
        start = time.monotonic()
        try:
            resp = await self._request_once_more_if_stale(
                session, method, self.config.server + path, params, data, headers, limits
            )
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            self._count(verb, resource, method, 0, path)
            raise TransportError(f"{method} {path}: {exc!r}") from exc
        finally:
            elapsed = time.monotonic() - start
            m.REST_DURATION.labels(method, self._host).observe(elapsed)
        self._count(verb, resource, method, resp.status, path)
        if not stream:
            for observe in self.observers:
                observe(elapsed, resp.status, waited + pause)
        if resp.status >= 400:
            error = await _error(resp)
            if isinstance(error, TooManyRequests):
                delay = min(error.retry_after or _DEFAULT_RETRY_AFTER, _MAX_RETRY_AFTER)
                self._throttled_until = max(self._throttled_until, self._clock.now() + delay)
            raise error
        return resp

    @staticmethod
    async def _request_once_more_if_stale(
        session: Session,
        method: str,
        url: str,
        params: Mapping[str, str] | None,
        data: bytes | None,
        headers: dict[str, str],
        limits: aiohttp.ClientTimeout,
    ) -> Response:
        """Send; if a pooled keep-alive connection turns out dead, send once more.

        After an apiserver restart the pool still holds connections to the old process; the
        first write on one fails before the request is read. Go's transport retries such
        requests too. A second attempt is safe for Kubernetes verbs: a duplicate create is a
        409, apply and merge patches are idempotent, a stale PUT conflicts, a delete is a 404.
        """
        stale = (aiohttp.ServerDisconnectedError, aiohttp.ClientConnectionResetError)
        for attempt in (1, 2):
            try:
                return await session.request(
                    method, url, params=params, data=data, headers=headers, timeout=limits
                )
            except stale:
                if attempt == 2:
                    raise
            except aiohttp.ClientOSError as exc:
                if attempt == 2 or isinstance(exc, aiohttp.ClientConnectorError):
                    raise  # could not even connect: a retry now would fail the same way
        raise AssertionError("unreachable")  # pragma: no cover

    def _count(self, verb: str, resource: str, method: str, code: int, path: str = "") -> None:
        if verb in WRITE_VERBS:  # a child write: an event on the reconcile's span
            trace.get_current_span().add_event(verb, {
                "k8s.resource": resource, "url.path": path, "http.request.method": method,
                "http.response.status_code": code})  # fmt: skip
        self.requests[(verb, resource, code)] += 1
        m.API_REQUESTS.labels(verb, resource, str(code)).inc()
        m.REST_REQUESTS.labels(str(code) if code else "<error>", method, self._host).inc()


async def _error(resp: Response) -> KubeError:
    try:
        raw = await resp.read()
        body = orjson.loads(raw) if raw else {}
    except (aiohttp.ClientError, TimeoutError, orjson.JSONDecodeError):
        body = {}
    finally:
        resp.release()
    retry_after = resp.headers.get("Retry-After")
    return error_from_status(
        resp.status,
        body if isinstance(body, dict) else {},
        retry_after=float(retry_after) if retry_after and retry_after.isdigit() else None,
    )
