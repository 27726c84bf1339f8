"""Leader election on a ``coordination.k8s.io/v1`` Lease (client-go ``tools/leaderelection``).

* Acquire: every ``retry_period`` (jittered), try to take the Lease if it is free, released
  (empty holder) or expired. Expiry is judged by *our* monotonic clock from the moment we last
  saw the record change, never from ``renewTime`` in the object, so clock skew between
  replicas does not matter (client-go ``observedTime``).
* Renew: every ``retry_period``; the fast path updates from the cached Lease without a GET,
  falling back to GET + update (``leader_election_slowpath_total``). No successful renewal for
  ``renew_deadline`` (each attempt is bounded by the time left) -> leadership is lost and the
  manager stops at once (controller-runtime exits). A leader that *sees* the Lease held by
  another identity, or deleted, has lost it at that moment: it does not wait for the deadline.
* A follower that saw the Lease held and then finds it gone treats the vanished record as
  still valid until it would have expired: a deleted Lease never lets a successor in while the
  old leader may still be writing.
* Release (``ReleaseOnCancel``): on clean shutdown, after leader-guarded work stopped, write an
  empty holder so a successor need not wait out the lease.

Defaults 15 s / 10 s / 2 s as controller-runtime; validation as client-go's
(``lease_duration > renew_deadline > 1.2 * retry_period``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol

import anyio
import structlog

from . import metrics as m
from .client import KubeClient
from .clock import Clock, SystemClock, micro_time
from .errors import ConflictError, KubeError, NotFoundError
from .objects import Obj, ResourceRef

__all__ = [
    "LEASES",
    "KubeLeaseClient",
    "LeaderElector",
    "LeaderState",
    "LeadershipLost",
    "LeaseClient",
    "LeaseConfig",
]

log = structlog.get_logger("nimop.watch.leader")
LEASES = ResourceRef("coordination.k8s.io", "v1", "Lease", "leases", True)
_JITTER = 1.2


class LeadershipLost(Exception):
    """No renewal within the renew deadline: another replica may be leading now."""


class LeaderState(Enum):
    FOLLOWER = "follower"
    LEADER = "leader"
    LOST = "lost"
    RELEASED = "released"


@dataclass(frozen=True)
class LeaseConfig:
    name: str
    namespace: str
    identity: str
    lease_duration: float = 15.0
    renew_deadline: float = 10.0
    retry_period: float = 2.0

    def __post_init__(self) -> None:
        if not self.lease_duration > self.renew_deadline > _JITTER * self.retry_period:
            raise ValueError("need lease_duration > renew_deadline > 1.2 * retry_period")


class LeaseClient(Protocol):
    """The three calls the elector needs; an in-memory fake implements it for unit tests."""

    async def get(self, namespace: str, name: str) -> Obj | None: ...

    async def create(self, lease: Obj) -> Obj: ...

    async def update(self, lease: Obj) -> Obj: ...


class KubeLeaseClient:
    def __init__(self, client: KubeClient) -> None:
        self._client = client

    async def get(self, namespace: str, name: str) -> Obj | None:
        try:
            return await self._client.get(LEASES, namespace, name)
        except NotFoundError:
            return None

    async def create(self, lease: Obj) -> Obj:
        return await self._client.create(LEASES, lease)

    async def update(self, lease: Obj) -> Obj:
        return await self._client.replace(LEASES, lease)


class LeaderElector:
    """Acquire, renew and release one Lease. Drive it from the manager."""

    def __init__(self, config: LeaseConfig, client: LeaseClient, clock: Clock | None = None):
        self.config = config
        self._client = client
        self._clock = clock or SystemClock()
        self.state = LeaderState.FOLLOWER
        self._lease: Obj | None = None  # our last written (or observed) Lease object
        self._observed_spec: dict[str, Any] | None = None
        self._observed_at = 0.0
        self._last_renew = 0.0
        #: set when, as leader, we saw the Lease taken by another identity or deleted
        self._superseded: str | None = None

    @property
    def is_leader(self) -> bool:
        return self.state is LeaderState.LEADER

    async def acquire(self) -> None:
        """Block until we hold the Lease."""
        log.info("waiting for leadership", lease=self.config.name, identity=self.config.identity)
        while not await self.try_acquire_or_renew():
            await self._clock.sleep(self.config.retry_period * (1 + random.random() * 0.2))
        self._become(LeaderState.LEADER)
        log.info("acquired leadership", lease=self.config.name)

    async def renew_until_lost(self) -> None:
        """Renew every ``retry_period``; raise :class:`LeadershipLost` after the deadline."""
        while True:
            await self._clock.sleep(self.config.retry_period)
            left = self.config.renew_deadline - (self._clock.now() - self._last_renew)
            with anyio.move_on_after(max(left, 0.0)):
                if await self.try_acquire_or_renew():
                    continue
            if self._superseded is not None:
                self._lose(self._superseded)
            if self._clock.now() - self._last_renew >= self.config.renew_deadline:
                self._lose(f"no renewal for {self.config.renew_deadline:g}s")

    def _lose(self, why: str) -> None:
        self._become(LeaderState.LOST)
        log.error("leadership lost", lease=self.config.name, why=why)
        raise LeadershipLost(f"{self.config.name}: {why}")

    async def release(self) -> None:
        """Give the Lease up (only call once leader-guarded work has stopped)."""
        if self.state is not LeaderState.LEADER or self._lease is None:
            return
        lease = {**self._lease, "spec": {**self._lease["spec"], "holderIdentity": None,
                                         "leaseDurationSeconds": 1}}  # fmt: skip
        try:
            await self._client.update(lease)
        except KubeError as exc:
            log.warning("could not release the lease", error=repr(exc))
        self._become(LeaderState.RELEASED)

    async def try_acquire_or_renew(self) -> bool:
        if self.is_leader and self._lease is not None:
            ok = await self._update(self._lease, self._lease["spec"])
            if ok:
                return True
            m.LEADER_SLOWPATH.labels(self.config.name).inc()
        try:
            return await self._slow_path()
        except (ConflictError, KubeError) as exc:
            log.debug("lease attempt failed", error=repr(exc))
            return False

    async def _slow_path(self) -> bool:
        cfg, now = self.config, self._clock.now()
        lease = await self._client.get(cfg.namespace, cfg.name)
        if lease is None:
            if self.is_leader:
                self._superseded = "the Lease was deleted"
                return False
            if self._unexpired(self._observed_spec, now):
                return False  # it vanished while held: wait out the holder's lease
            spec = self._spec(None)
            created = await self._client.create(
                {"apiVersion": LEASES.api_version, "kind": "Lease",
                 "metadata": {"name": cfg.name, "namespace": cfg.namespace}, "spec": spec}
            )  # fmt: skip
            self._observe(created, now)
            return True
        spec = lease.get("spec") or {}
        if spec != self._observed_spec:
            self._observed_spec, self._observed_at = spec, now
        holder = spec.get("holderIdentity") or ""
        if self.is_leader and holder != cfg.identity:
            self._superseded = f"the Lease is held by {holder or 'nobody'} now"
            return False
        if self._unexpired(spec, now):
            return False  # held by someone else and not expired
        return await self._update(lease, spec)

    def _unexpired(self, spec: dict[str, Any] | None, now: float) -> bool:
        """Held by another identity, and not expired by our clock since we saw it change."""
        holder = (spec or {}).get("holderIdentity") or ""
        if not holder or holder == self.config.identity:
            return False
        duration = float((spec or {}).get("leaseDurationSeconds") or self.config.lease_duration)
        return self._observed_at + duration > now

    async def _update(self, lease: Obj, old_spec: dict[str, Any]) -> bool:
        try:
            updated = await self._client.update({**lease, "spec": self._spec(old_spec)})
        except KubeError:
            return False
        self._observe(updated, self._clock.now())
        return True

    def _spec(self, old: dict[str, Any] | None) -> dict[str, Any]:
        cfg, wall = self.config, micro_time(self._clock.wall())
        mine = bool(old) and (old or {}).get("holderIdentity") == cfg.identity
        transitions = int((old or {}).get("leaseTransitions") or 0)
        return {
            "holderIdentity": cfg.identity,
            "leaseDurationSeconds": int(cfg.lease_duration),
            "acquireTime": (old or {}).get("acquireTime", wall) if mine else wall,
            "renewTime": wall,
            "leaseTransitions": transitions if mine or old is None else transitions + 1,
        }

    def _observe(self, lease: Obj, now: float) -> None:
        self._lease = lease
        self._observed_spec = lease.get("spec") or {}
        self._observed_at = self._last_renew = now

    def _become(self, state: LeaderState) -> None:
        self.state = state
        m.LEADER_STATUS.labels(self.config.name).set(1 if state is LeaderState.LEADER else 0)
