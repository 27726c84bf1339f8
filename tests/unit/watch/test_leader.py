"""Leader election state machine against an in-memory Lease store and a fake clock."""

from __future__ import annotations

import copy
from typing import Any

import anyio
import pytest

from nimop.watch.errors import ConflictError, NotFoundError, ServerError
from nimop.watch.leader import LeaderElector, LeadershipLost, LeaderState, LeaseConfig
from nimop.watch.testing import FakeClock


class MemoryLeases:
    """Optimistic concurrency like the apiserver: update needs the current resourceVersion."""

    def __init__(self) -> None:
        self.lease: dict[str, Any] | None = None
        self.rv = 0
        self.fail = False

    async def get(self, namespace: str, name: str) -> dict[str, Any] | None:
        self._maybe_fail()
        return copy.deepcopy(self.lease)

    async def create(self, lease: dict[str, Any]) -> dict[str, Any]:
        self._maybe_fail()
        if self.lease is not None:
            raise ConflictError("exists", status=409)
        return self._store(lease)

    async def update(self, lease: dict[str, Any]) -> dict[str, Any]:
        self._maybe_fail()
        if self.lease is None:
            raise NotFoundError("leases.coordination.k8s.io not found", status=404)
        if lease["metadata"].get("resourceVersion") != self.lease["metadata"]["resourceVersion"]:
            raise ConflictError("stale", status=409)
        return self._store(lease)

    def _store(self, lease: dict[str, Any]) -> dict[str, Any]:
        self.rv += 1
        self.lease = copy.deepcopy(lease)
        self.lease["metadata"]["resourceVersion"] = str(self.rv)
        if self.lease["spec"].get("holderIdentity") is None:
            self.lease["spec"].pop("holderIdentity", None)  # null is dropped, as on the server
        return copy.deepcopy(self.lease)

    def _maybe_fail(self) -> None:
        if self.fail:
            raise ServerError("etcd unavailable", status=503)

    @property
    def holder(self) -> str | None:
        return None if self.lease is None else self.lease["spec"].get("holderIdentity")


def elector(name: str, leases: MemoryLeases, clock: FakeClock) -> LeaderElector:
    return LeaderElector(LeaseConfig("lease", "ns", name), leases, clock)


async def test_first_comer_leads_and_others_wait_while_it_renews() -> None:
    clock, leases = FakeClock(), MemoryLeases()
    a, b = elector("a", leases, clock), elector("b", leases, clock)
    assert await a.try_acquire_or_renew()
    a.state = LeaderState.LEADER
    assert leases.holder == "a"
    for _ in range(20):  # 40 s of renewals: b never gets it
        await clock.advance(2)
        assert await a.try_acquire_or_renew()
        assert not await b.try_acquire_or_renew()
    assert leases.holder == "a"
    assert leases.lease is not None and leases.lease["spec"]["leaseTransitions"] == 0


async def test_takeover_only_after_lease_duration_of_silence() -> None:
    clock, leases = FakeClock(), MemoryLeases()
    a, b = elector("a", leases, clock), elector("b", leases, clock)
    assert await a.try_acquire_or_renew()
    assert not await b.try_acquire_or_renew()  # b observes the record now
    await clock.advance(14)  # a is dead: no renewals
    assert not await b.try_acquire_or_renew()
    await clock.advance(1.5)
    assert await b.try_acquire_or_renew()
    assert leases.holder == "b"
    assert leases.lease is not None and leases.lease["spec"]["leaseTransitions"] == 1


async def test_release_lets_a_successor_in_at_once() -> None:
    clock, leases = FakeClock(), MemoryLeases()
    a, b = elector("a", leases, clock), elector("b", leases, clock)
    await a.acquire()
    assert a.is_leader
    assert not await b.try_acquire_or_renew()
    await a.release()
    assert a.state is LeaderState.RELEASED and leases.holder is None
    assert await b.try_acquire_or_renew()


async def test_renewals_failing_past_the_deadline_lose_leadership() -> None:
    clock, leases = FakeClock(), MemoryLeases()
    a = elector("a", leases, clock)
    await a.acquire()
    outcome: list[BaseException] = []

    async def renew() -> None:
        try:
            await a.renew_until_lost()
        except LeadershipLost as exc:
            outcome.append(exc)

    async with anyio.create_task_group() as tg:
        tg.start_soon(renew)
        await anyio.wait_all_tasks_blocked()
        for _ in range(3):
            await clock.advance(2)  # healthy renewals
        assert a.is_leader and not outcome
        leases.fail = True
        for _ in range(4):
            await clock.advance(2)  # 8 s of failures: still inside the 10 s deadline
        assert a.is_leader and not outcome
        for _ in range(2):
            await clock.advance(2)
    assert a.state is LeaderState.LOST and len(outcome) == 1


def test_timings_are_validated() -> None:
    with pytest.raises(ValueError):
        LeaseConfig("l", "ns", "me", lease_duration=10, renew_deadline=10, retry_period=2)
    with pytest.raises(ValueError):
        LeaseConfig("l", "ns", "me", lease_duration=15, renew_deadline=2, retry_period=2)


async def _renew_once(a: LeaderElector, clock: FakeClock) -> list[BaseException]:
    """Run renew_until_lost for one retry period; what it raised."""
    outcome: list[BaseException] = []

    async def renew() -> None:
        try:
            await a.renew_until_lost()
        except LeadershipLost as exc:
            outcome.append(exc)

    async with anyio.create_task_group() as tg:
        tg.start_soon(renew)
        await anyio.wait_all_tasks_blocked()
        await clock.advance(2)
        await anyio.wait_all_tasks_blocked()
        tg.cancel_scope.cancel()
    return outcome


async def test_a_leader_that_sees_another_holder_has_lost_at_once() -> None:
    """Not 10 s later at the renew deadline: from that moment another replica may lead."""
    clock, leases = FakeClock(), MemoryLeases()
    a = elector("a", leases, clock)
    await a.acquire()
    assert leases.lease is not None
    leases._store({**leases.lease, "spec": {**leases.lease["spec"], "holderIdentity": "intruder"}})
    outcome = await _renew_once(a, clock)
    assert a.state is LeaderState.LOST
    assert len(outcome) == 1 and "held by intruder" in str(outcome[0])


async def test_a_leader_whose_lease_is_deleted_has_lost_and_does_not_recreate_it() -> None:
    clock, leases = FakeClock(), MemoryLeases()
    a = elector("a", leases, clock)
    await a.acquire()
    leases.lease = None
    outcome = await _renew_once(a, clock)
    assert a.state is LeaderState.LOST and "deleted" in str(outcome[0])
    assert leases.lease is None


async def test_a_follower_waits_out_a_deleted_lease_it_saw_held() -> None:
    clock, leases = FakeClock(), MemoryLeases()
    a, b = elector("a", leases, clock), elector("b", leases, clock)
    await a.acquire()
    assert not await b.try_acquire_or_renew()  # b sees a's record
    leases.lease = None  # the old leader may still be writing until it notices
    await clock.advance(14)
    assert not await b.try_acquire_or_renew() and leases.lease is None
    await clock.advance(1.5)
    assert await b.try_acquire_or_renew() and leases.holder == "b"


async def test_a_fresh_follower_creates_an_absent_lease_at_once() -> None:
    clock, leases = FakeClock(), MemoryLeases()
    assert await elector("b", leases, clock).try_acquire_or_renew()
    assert leases.holder == "b"
