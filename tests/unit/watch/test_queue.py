"""Work queue semantics (client-go util/workqueue) under a fake clock."""

from __future__ import annotations

import itertools

import anyio
import anyio.lowlevel
import pytest

from nimop.watch.errors import StateError
from nimop.watch.queue import HIGH, LOW, NORMAL, QueueShutDown, WorkQueue
from nimop.watch.ratelimit import ItemExponentialLimiter, MaxOfLimiter, TokenBucket
from nimop.watch.testing import FakeClock


def _queue(clock: FakeClock, **kw: object) -> WorkQueue[str]:
    limiter = kw.pop("rate_limiter", ItemExponentialLimiter(0.005, 1000.0))
    return WorkQueue("test", clock=clock, rate_limiter=limiter, metrics=False)  # type: ignore[arg-type]


async def test_dedup_while_queued() -> None:
    clock = FakeClock()
    async with _queue(clock) as q:
        for _ in range(5):
            q.add("a")
        q.add("b")
        assert len(q) == 2
        assert [q.get_nowait(), q.get_nowait(), q.get_nowait()] == ["a", "b", None]


async def test_highest_priority_first_fifo_within_a_priority() -> None:
    clock = FakeClock()
    async with _queue(clock) as q:
        q.add("low-1", LOW)
        q.add("n-1")
        q.add("low-2", LOW)
        q.add("high-1", HIGH)
        q.add("n-2", NORMAL)
        q.add("high-2", HIGH)
        got = [q.get_nowait() for _ in range(7)]
        assert got == ["high-1", "high-2", "n-1", "n-2", "low-1", "low-2", None]


async def test_readding_a_queued_key_raises_it_never_lowers_it() -> None:
    clock = FakeClock()
    async with _queue(clock) as q:
        q.add("a", LOW)
        q.add("b", LOW)
        q.add("b", HIGH)  # a child's event for a key the first list queued
        q.add("c")
        q.add("c", LOW)  # a resync does not push a pending event back
        assert len(q) == 3
        assert [q.get_nowait() for _ in range(4)] == ["b", "c", "a", None]


async def test_readd_while_processing_keeps_the_highest_priority_for_after_done() -> None:
    clock = FakeClock()
    async with _queue(clock) as q:
        q.add("a")
        key = await q.get()
        q.add("b")
        q.add("a", LOW)
        q.add("a", HIGH)
        q.done(key)
        assert [q.get_nowait() for _ in range(3)] == ["a", "b", None]


async def test_readd_while_processing_runs_again_after_done() -> None:
    clock = FakeClock()
    async with _queue(clock) as q:
        q.add("a")
        key = await q.get()
        q.add("a")
        assert q.get_nowait() is None  # not handed to a second worker
        q.done(key)
        assert q.get_nowait() == "a"


async def test_exclusive_processing_under_concurrency() -> None:
    clock = FakeClock()
    active: set[str] = set()
    overlaps = 0
    processed = 0
    async with _queue(clock) as q:

        async def worker() -> None:
            nonlocal overlaps, processed
            while True:
                try:
                    key = await q.get()
                except QueueShutDown:
                    return
                if key in active:
                    overlaps += 1
                active.add(key)
                await anyio.lowlevel.checkpoint()
                if processed < 200:
                    q.add(key)  # re-add while processing: must not run concurrently
                await anyio.lowlevel.checkpoint()
                active.discard(key)
                processed += 1
                q.done(key)

        async with anyio.create_task_group() as tg:
            for _ in range(8):
                tg.start_soon(worker)
            for round_ in range(50):
                for k in ("a", "b", "c"):
                    q.add(k)
                if round_ % 10 == 0:
                    await anyio.lowlevel.checkpoint()
            await anyio.wait_all_tasks_blocked()
            q.shutdown()
    assert overlaps == 0
    assert processed >= 200


async def test_add_after_fires_only_when_due_and_earliest_wins() -> None:
    clock = FakeClock()
    async with _queue(clock) as q:
        q.add_after("a", 10)
        q.add_after("a", 3)  # earlier wins
        q.add_after("a", 20)  # later is ignored
        await clock.advance(2.9)
        assert q.get_nowait() is None
        await clock.advance(0.2)
        assert q.get_nowait() == "a"
        q.done("a")
        await clock.advance(30)
        assert q.get_nowait() is None  # the 10 s and 20 s entries were superseded


async def test_backoff_grows_exponentially_caps_and_resets_on_forget() -> None:
    limiter = ItemExponentialLimiter(0.005, 1000.0)
    delays = [limiter.when("k") for _ in range(25)]
    assert delays[:4] == [0.005, 0.01, 0.02, 0.04]
    assert delays[-1] == 1000.0
    assert all(b >= a for a, b in itertools.pairwise(delays))
    assert limiter.num_requeues("k") == 25
    assert limiter.when("other") == 0.005  # per key
    limiter.forget("k")
    assert limiter.num_requeues("k") == 0
    assert limiter.when("k") == 0.005


async def test_add_rate_limited_uses_backoff() -> None:
    clock = FakeClock()
    async with _queue(clock) as q:
        for expected in (0.005, 0.01, 0.02):
            q.add_rate_limited("a")
            await clock.advance(expected * 0.9)
            assert q.get_nowait() is None
            await clock.advance(expected * 0.2)
            assert q.get_nowait() == "a"
            q.done("a")
        assert q.num_requeues("a") == 3
        q.forget("a")
        assert q.num_requeues("a") == 0


async def test_token_bucket_limits_overall_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(qps=10, burst=3, clock=clock)
    assert [bucket.reserve() for _ in range(3)] == [0, 0, 0]  # burst
    assert bucket.reserve() == pytest.approx(0.1)
    assert bucket.reserve() == pytest.approx(0.2)  # waiters queue up behind each other
    await clock.advance(10)
    assert bucket.reserve() == 0  # refilled, capped at burst
    combined = MaxOfLimiter(ItemExponentialLimiter(0.005, 1000.0), TokenBucket(1, 1, clock))
    assert combined.when("x") == 0.005
    assert combined.when("y") == pytest.approx(1.0)  # the bucket dominates


async def test_shutdown_drains_queued_and_waits_for_in_flight() -> None:
    clock = FakeClock()
    seen: list[str] = []
    async with _queue(clock) as q:
        q.add("a")
        q.add("b")
        held = await q.get()
        q.shutdown()
        q.add("c")  # ignored after shutdown
        drained = anyio.Event()

        async def drain() -> None:
            await q.drain()
            drained.set()

        async with anyio.create_task_group() as tg:
            tg.start_soon(drain)
            seen.append(await q.get())  # queued keys are still handed out
            q.done(seen[-1])
            with pytest.raises(QueueShutDown):
                await q.get()
            await anyio.wait_all_tasks_blocked()
            assert not drained.is_set()  # "a" is still in flight
            q.done(held)
    assert seen == ["b"]
    assert drained.is_set()


async def test_shutdown_releases_blocked_workers() -> None:
    clock = FakeClock()
    async with _queue(clock) as q:
        exited = 0

        async def worker() -> None:
            nonlocal exited
            with pytest.raises(QueueShutDown):
                await q.get()
            exited += 1

        async with anyio.create_task_group() as tg:
            for _ in range(4):
                tg.start_soon(worker)
            await anyio.wait_all_tasks_blocked()
            q.shutdown()
    assert exited == 4


async def test_misuse_is_loud() -> None:
    clock = FakeClock()
    q = _queue(clock)
    with pytest.raises(StateError):
        q.add("a")  # not entered
    async with q:
        with pytest.raises(StateError):
            q.done("never-taken")
        with pytest.raises(StateError):
            await q.drain()  # drain without shutdown
    with pytest.raises(StateError):
        async with q:
            pass
