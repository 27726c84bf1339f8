"""The manager: owns the client, discovery, informer cache, controllers, leader election and
the metrics/health endpoints, and stops all of it gracefully (controller-runtime's Manager).

::

    async with Manager(WatchSettings()) as mgr:
        informer = mgr.informer(PRIMARY)
        mgr.add_controller(Controller("x", reconcile).for_(informer))
        await mgr.run()            # until SIGTERM/SIGINT or mgr.stop()

Order of events in :meth:`Manager.run`: endpoints up, informers start (every replica warms
its caches), then - if leader election is on - wait for the Lease, then start controllers.

One leader at a time, as controller-runtime does it:

* On stop (SIGTERM): controllers stop handing out keys, the reconciles in flight finish
  (bounded by ``shutdown_timeout``) *while the Lease is still renewed*, what is left is
  cancelled, and only then is the Lease released (a successor starts at once). The whole stop
  takes at most ``shutdown_timeout + RELEASE_TIMEOUT``, which the install keeps below the pod's
  ``terminationGracePeriodSeconds``.
* On a lost Lease (renewals failing past the renew deadline, or the Lease seen held by another
  identity or deleted): every reconcile is cancelled at once - no drain, not one more write -
  and :meth:`run` raises ``LeadershipLost`` (the process exits non-zero and is restarted).
"""

from __future__ import annotations

import signal
import socket
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from enum import Enum
from types import TracebackType
from typing import Any, Self, TypeVar

import anyio
import structlog

from .cache import InformerCache
from .client import KubeClient
from .clock import Clock, SystemClock
from .concurrency import AdaptiveLimit
from .config import ClientConfig, load_client_config
from .controller import Controller, ReconcileFunc, Reconciler
from .discovery import Discovery
from .endpoints import Check, HttpServer, metrics_app
from .errors import StateError
from .events import EventRecorder
from .informer import Event, Informer
from .leader import KubeLeaseClient, LeaderElector, LeadershipLost, LeaseConfig
from .liveness import Liveness, ProbeServer
from .objects import Obj, ResourceRef
from .settings import WatchSettings
from .transport import Transport

__all__ = ["CRDS", "RELEASE_TIMEOUT", "Manager", "ManagerState"]

#: Bound on releasing the Lease at the end of a graceful stop (one Lease update).
RELEASE_TIMEOUT = 2.0

log = structlog.get_logger("nimop.watch.manager")
_T = TypeVar("_T")
CRDS = ResourceRef(
    "apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", False
)


class ManagerState(Enum):
    NEW = "new"  # constructed
    OPEN = "open"  # client connected, discovery done; wire informers and controllers now
    RUNNING = "running"  # run() in progress
    STOPPING = "stopping"
    CLOSED = "closed"


def _metadata_only(obj: Obj) -> Obj:
    return {"apiVersion": obj.get("apiVersion"), "kind": obj.get("kind"),
            "metadata": obj.get("metadata", {})}  # fmt: skip


class Manager:
    def __init__(
        self,
        settings: WatchSettings | None = None,
        *,
        client_config: ClientConfig | None = None,
        clock: Clock | None = None,
        identity: str | None = None,
        transport: Transport | None = None,
    ) -> None:
        self.settings = settings or WatchSettings()
        self._client_config = client_config
        self._transport = transport
        self._clock = clock or SystemClock()
        self.identity = identity or f"{socket.gethostname()}_{uuid.uuid4().hex[:8]}"
        self._state = ManagerState.NEW
        self._stack = AsyncExitStack()
        self._controllers: list[Controller] = []
        self._ready_checks: list[Check] = []
        self._stop = anyio.Event()
        self._refresh = anyio.Event()
        self.elector: LeaderElector | None = None
        self.metrics_port: int | None = None
        self.health_port: int | None = None
        self.liveness = Liveness(
            lambda: self._controllers, wedged_after=self.settings.wedged_after
        )
        self._client: KubeClient | None = None
        self._discovery: Discovery | None = None
        self._cache: InformerCache | None = None
        self._limit: AdaptiveLimit | None = None

    # -- accessors ---------------------------------------------------------------------------

    @property
    def state(self) -> ManagerState:
        return self._state

    @property
    def clock(self) -> Clock:
        """The clock every queue, informer and elector of this manager runs on."""
        return self._clock

    @property
    def client(self) -> KubeClient:
        return self._need(self._client)

    @property
    def discovery(self) -> Discovery:
        return self._need(self._discovery)

    @property
    def cache(self) -> InformerCache:
        return self._need(self._cache)

    @property
    def controllers(self) -> tuple[Controller, ...]:
        return tuple(self._controllers)

    @property
    def is_leader(self) -> bool:
        return self.elector is None or self.elector.is_leader

    def _need(self, value: _T | None) -> _T:
        if value is None:
            raise StateError(f"manager is {self._state.value}; use it inside 'async with'")
        return value

    # -- wiring ------------------------------------------------------------------------------

    def informer(
        self,
        resource: ResourceRef,
        *,
        label_selector: str | None = None,
        namespaces: list[str] | None = None,
    ) -> Informer:
        """The shared informer for ``resource`` (started at once if the manager runs)."""
        return self.cache.informer(resource, label_selector=label_selector, namespaces=namespaces)

    def add_controller(self, controller: Controller) -> Controller:
        if self._state not in (ManagerState.OPEN,):
            raise StateError(f"add controllers before run(); manager is {self._state.value}")
        if any(c.name == controller.name for c in self._controllers):
            raise StateError(f"controller name {controller.name!r} is taken (names are unique)")
        controller.adopt_clock(self._clock)
        if self.settings.max_concurrency > 0:
            controller.adopt_limit(self._adaptive_limit(), self.settings.max_concurrency)
        self._controllers.append(controller)
        return controller

    def controller(
        self, name: str, reconciler: Reconciler | ReconcileFunc, **options: Any
    ) -> Controller:
        """Create and register a controller with the settings' workers and resync period."""
        options.setdefault("workers", self.settings.workers)
        options.setdefault("resync_period", self.settings.resync_period)
        options.setdefault("shutdown_timeout", self.settings.shutdown_timeout)
        return self.add_controller(Controller(name, reconciler, **options))

    def _adaptive_limit(self) -> AdaptiveLimit:
        """One limit for the whole process, fed by the client's answers (the apiserver is
        shared by every controller)."""
        if self._limit is None:
            top = max(self.settings.workers, self.settings.max_concurrency)
            self._limit = AdaptiveLimit(min(self.settings.workers, top), maximum=top)
            self.client.observers.append(self._limit.observe)
        return self._limit

    def events(self, reporting_controller: str = "nimop") -> EventRecorder:
        return EventRecorder(self.client, reporting_controller=reporting_controller,
                             reporting_instance=self.identity, clock=self._clock)  # fmt: skip

    def add_readiness_check(self, check: Check) -> None:
        self._ready_checks.append(check)

    def request_discovery_refresh(self) -> None:
        self._refresh.set()

    def stop(self) -> None:
        """Ask :meth:`run` to stop gracefully (what SIGTERM does)."""
        self._stop.set()

    def _ready_and_live(self) -> list[str]:
        return self.liveness.problems() + self.readiness_problems()

    def readiness_problems(self) -> list[str]:
        if self._state is not ManagerState.RUNNING:
            return [f"manager is {self._state.value}"]
        problems = self.cache.problems()
        for check in self._ready_checks:
            problems.extend(check())
        return problems

    # -- lifecycle ---------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        if self._state is not ManagerState.NEW:
            raise StateError(f"manager is {self._state.value}; managers run once")
        s = self.settings
        config = self._client_config or await load_client_config(
            s.kubeconfig, context=s.context, qps=s.qps, burst=s.burst,
            request_timeout=s.request_timeout,
        )  # fmt: skip
        if s.user_agent:
            config.user_agent = s.user_agent
        self._client = await self._stack.enter_async_context(
            KubeClient(config, clock=self._clock, transport=self._transport)
        )
        self._discovery = Discovery(self._client)
        try:
            await self._discovery.refresh()
        except BaseException:
            await self._stack.aclose()  # do not leak the session when start-up fails
            self._state = ManagerState.CLOSED
            raise
        self._cache = InformerCache(self._client, namespaces=s.namespaces or None,
                                    clock=self._clock)  # fmt: skip
        if s.watch_crds:
            crds = self._cache.informer(CRDS, transform=_metadata_only)
            crds.add_handler(self._on_crd_event)
        self._state = ManagerState.OPEN
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._state = ManagerState.CLOSED
        await self._stack.aclose()

    async def run(self, *, handle_signals: bool = True) -> None:
        """Run until :meth:`stop`, SIGTERM or SIGINT; raise ``LeadershipLost`` if it is lost."""
        if self._state is not ManagerState.OPEN:
            raise StateError(f"run() needs an open, idle manager; it is {self._state.value}")
        self._state = ManagerState.RUNNING
        s = self.settings
        try:
            async with AsyncExitStack() as servers, anyio.create_task_group() as tg:
                self.metrics_port = await self._serve_metrics(servers)
                self.health_port = await self._serve_probes(servers, s.health_bind_address)
                tg.start_soon(self.liveness.run)
                tg.start_soon(self.cache.run)
                tg.start_soon(self._discovery_loop)
                if handle_signals:
                    tg.start_soon(self._signal_loop)
                try:
                    await self._lead()
                finally:
                    tg.cancel_scope.cancel()
        finally:
            self._state = ManagerState.CLOSED

    async def _serve_metrics(self, stack: AsyncExitStack) -> int | None:
        """Plain HTTP, or with ``metrics_secure`` HTTPS for authenticated, authorized callers."""
        s = self.settings
        if not s.metrics_secure:
            return await self._serve(stack, metrics_app(), s.metrics_bind_address)
        from .metricsauth import MetricsAuth, server_ssl_context

        auth = MetricsAuth(self.client, self._clock)
        return await self._serve(stack, metrics_app([auth.middleware]), s.metrics_bind_address,
                                 server_ssl_context(s.metrics_cert_path))  # fmt: skip

    @staticmethod
    async def _serve(
        stack: AsyncExitStack, app: Any, address: str, ssl_context: Any = None
    ) -> int | None:
        """Serve ``app`` on ``address`` until the stack closes; None when the address is ``0``
        (off, as controller-runtime's ``--metrics-bind-address=0``)."""
        if not WatchSettings.enabled(address):
            return None
        host, port = WatchSettings.split_address(address)
        server = await stack.enter_async_context(HttpServer(app, host, port, ssl_context))
        return server.port

    async def _serve_probes(self, stack: AsyncExitStack, address: str) -> int | None:
        """``/healthz`` and ``/readyz`` on their own thread (liveness.py) until the stack
        closes; None when the address is ``0``."""
        if not WatchSettings.enabled(address):
            return None
        probes = ProbeServer(self.liveness.problems, self._ready_and_live,
                             *WatchSettings.split_address(address))  # fmt: skip
        await stack.enter_async_context(probes)
        return probes.port

    async def _lead(self) -> None:
        s = self.settings
        if s.leader_election:
            config = LeaseConfig(s.lease_name, s.effective_lease_namespace(), self.identity,
                                 s.lease_duration, s.renew_deadline, s.retry_period)  # fmt: skip
            self.elector = LeaderElector(config, KubeLeaseClient(self.client), self._clock)
            if not await self._until_stopped(self.elector.acquire):
                return
        lost: LeadershipLost | None = None
        try:
            async with AsyncExitStack() as stack:
                for controller in self._controllers:
                    await stack.enter_async_context(controller)
                lost = await self._serve_then_drain()
                for controller in self._controllers:
                    controller.abort()  # lost: everything in flight; else what outlived the drain
        finally:
            if lost is None and self.elector is not None:
                with anyio.move_on_after(RELEASE_TIMEOUT, shield=True):
                    await self.elector.release()
        if lost is not None:
            raise lost

    async def _serve_then_drain(self) -> LeadershipLost | None:
        """Renew the Lease until stop is requested, then drain the controllers while still
        renewing. Returns how leadership was lost, if it was (the caller aborts at once)."""
        lost: LeadershipLost | None = None
        async with anyio.create_task_group() as tg:

            async def renew() -> None:
                nonlocal lost
                try:
                    elector = self.elector
                    if elector is None:
                        await anyio.sleep_forever()
                    else:
                        await elector.renew_until_lost()
                except LeadershipLost as exc:
                    lost = exc
                except Exception as exc:  # a broken renewal loop cannot vouch for leadership
                    lost = LeadershipLost(f"lease renewal failed: {exc!r}")
                    lost.__cause__ = exc
                tg.cancel_scope.cancel()

            tg.start_soon(renew)
            await self._stop.wait()
            self._state = ManagerState.STOPPING
            for controller in self._controllers:
                controller.stop_intake(discard_queued=True)
            with anyio.move_on_after(self.settings.shutdown_timeout):
                async with anyio.create_task_group() as drains:
                    for controller in self._controllers:
                        drains.start_soon(controller.drain)
            tg.cancel_scope.cancel()
        return lost

    async def _until_stopped(self, fn: Callable[[], Awaitable[None]]) -> bool:
        """Run ``fn()`` until it returns (True) or stop is requested (False)."""
        finished = False
        failure: BaseException | None = None
        async with anyio.create_task_group() as tg:

            async def body() -> None:
                nonlocal finished, failure
                try:
                    await fn()
                    finished = True
                except Exception as exc:  # re-raised below, unwrapped from the task group
                    failure = exc
                tg.cancel_scope.cancel()

            tg.start_soon(body)
            await self._stop.wait()
            tg.cancel_scope.cancel()
        if failure is not None:
            raise failure
        return finished

    async def _signal_loop(self) -> None:
        with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
            async for signum in signals:
                log.info("signal received; stopping", signal=signum.name)
                self.stop()
                return

    def _on_crd_event(self, event: Event) -> None:
        if not event.initial:
            self._refresh.set()

    async def _discovery_loop(self) -> None:
        while True:
            with anyio.move_on_after(self.settings.discovery_refresh):
                await self._refresh.wait()
            self._refresh = anyio.Event()
            try:
                await self.discovery.refresh()
            except Exception as exc:
                log.warning("discovery refresh failed", error=repr(exc))
            await anyio.sleep(1.0)  # coalesce bursts of CRD events
