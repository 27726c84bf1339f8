"""The adaptive concurrency limit: it follows the apiserver's signals (fast answers, 429s from
API Priority and Fairness, slow answers, the client's own limiter), on the in-memory API."""

from __future__ import annotations

import anyio

from nimop.watch.client import KubeClient
from nimop.watch.concurrency import AdaptiveLimit
from nimop.watch.controller import Controller
from nimop.watch.informer import Event, EventType, Informer
from nimop.watch.objects import ObjectKey, ResourceRef
from nimop.watch.testing import ApiTwin, FakeClock, Fault

CM = ResourceRef("", "v1", "ConfigMap", "configmaps")


def test_fast_answers_raise_the_limit_up_to_the_maximum() -> None:
    limit = AdaptiveLimit(4, maximum=10)
    for _ in range(4):
        limit.observe(0.01, 200)
    assert limit.limit == 5  # +1 per `limit` answers
    for _ in range(1000):
        limit.observe(0.01, 200)
    assert limit.limit == 10


def test_a_429_halves_it_and_never_below_the_minimum() -> None:
    limit = AdaptiveLimit(16, minimum=2, maximum=64)
    limit.observe(0.01, 429)
    assert limit.limit == 8
    for _ in range(10):
        limit.observe(0.01, 429)
    assert limit.limit == 2


def test_slower_answers_take_a_tenth_off_once_per_window_down_to_the_start() -> None:
    limit = AdaptiveLimit(8, maximum=64)
    for _ in range(400):
        limit.observe(0.1, 200)  # the usual latency: 100 ms; the limit grew meanwhile
    before = limit.limit
    assert before > 8
    for _ in range(5):
        limit.observe(1.0, 200)  # 10x: queueing somewhere
    assert limit.limit == int(before * 0.9)  # one step for one burst, not five
    seen = []
    for _ in range(2000):  # lasting slowness: steps down, then it is the new normal
        limit.observe(1.0, 200)
        seen.append(limit.limit)
    assert 8 <= min(seen) < int(before * 0.9)  # steps down, never below where it started
    limit.observe(1.0, 429)
    assert limit.limit == limit.maximum // 2  # grew back at the new normal; a 429 halves


def test_no_increase_while_the_client_side_limiter_holds_requests_back() -> None:
    limit = AdaptiveLimit(8, maximum=64)
    for _ in range(100):
        limit.observe(0.01, 200, limiter_wait=0.2)
    assert limit.limit == 8


async def test_slots_bound_what_runs_at_once_and_follow_a_lowered_limit() -> None:
    limit = AdaptiveLimit(3, maximum=8)
    running, peak = 0, 0
    release = anyio.Event()

    async def job() -> None:
        nonlocal running, peak
        async with limit.slot():
            running += 1
            peak = max(peak, running)
            await release.wait()
            running -= 1

    async with anyio.create_task_group() as tg:
        for _ in range(6):
            tg.start_soon(job)
        await anyio.wait_all_tasks_blocked()
        assert (running, limit.in_use) == (3, 3)
        limit.observe(0.01, 429)  # 3 -> 1: nothing new starts until two have left
        release.set()
    assert peak == 3 and limit.in_use == 0


async def test_the_clients_answers_drive_the_limit_on_the_api_twin() -> None:
    twin = ApiTwin()
    limit = AdaptiveLimit(2, maximum=32)
    async with twin.client() as client:
        assert isinstance(client, KubeClient)
        client.observers.append(limit.observe)
        for _ in range(40):
            await client.list(CM, "ns")
        grown = limit.limit
        assert grown > 2
        twin.inject(Fault(status=429, retry_after=1), verb="list", times=1)
        await client.list(CM, "ns")  # APF said no once; the client retried
    assert twin.injections[0].hits == 1
    assert limit.limit == grown // 2


async def test_a_controller_runs_no_more_reconciles_than_the_limit() -> None:
    clock = FakeClock()
    informer = Informer(ApiTwin().client(), CM)  # never started: fed by hand
    informer.reflectors[0].synced = True
    informer.check_synced()
    limit = AdaptiveLimit(3, maximum=16)
    running, peak = 0, 0
    gate = anyio.Event()

    async def reconcile(key: ObjectKey) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await gate.wait()
        running -= 1

    ctl = Controller("unit-adaptive", reconcile, clock=clock, resync_period=None, workers=16,
                     limit=limit).for_(informer)  # fmt: skip
    async with ctl:
        await anyio.wait_all_tasks_blocked()
        for i in range(10):
            obj = {"metadata": {"namespace": "ns", "name": f"o{i}"}}
            informer.store.upsert(obj)
            informer.dispatch(Event(EventType.ADDED, obj))
        await anyio.wait_all_tasks_blocked()
        assert running == 3
        gate.set()
        for _ in range(20):
            await anyio.wait_all_tasks_blocked()
            await clock.advance(0.1)
    assert peak == 3
