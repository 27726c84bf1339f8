"""The reconcile contract (controller-runtime reconcileHandler) with a fake clock and an
informer fed by hand: no apiserver involved."""

from __future__ import annotations

from collections import Counter
from typing import Any

import anyio
import pytest
import structlog

from nimop.watch import metrics as m
from nimop.watch.controller import Controller, Result
from nimop.watch.errors import (
    ConflictError,
    NamespaceTerminatingError,
    StateError,
    TerminalError,
    error_from_status,
)
from nimop.watch.informer import Event, EventType, Informer
from nimop.watch.objects import ObjectKey, ResourceRef
from nimop.watch.ratelimit import ItemExponentialLimiter
from nimop.watch.testing import ApiTwin, FakeClock

CM = ResourceRef("", "v1", "ConfigMap", "configmaps")


def fed_informer() -> Informer:
    informer = Informer(ApiTwin().client(), CM)  # never started: fed by hand
    informer.reflectors[0].synced = True
    informer.check_synced()
    return informer


def add(informer: Informer, name: str, generation: int = 1, old: Any = None) -> None:
    obj = {"metadata": {"namespace": "ns", "name": name, "generation": generation}}
    informer.store.upsert(obj)
    kind = EventType.ADDED if old is None else EventType.UPDATED
    informer.dispatch(Event(kind, obj, old))


class Script:
    """A reconciler whose outcome per key is scripted: a list of results or exceptions."""

    def __init__(self, **plans: list[Any]) -> None:
        self.plans = plans
        self.calls: Counter[str] = Counter()

    async def reconcile(self, key: ObjectKey) -> Result | None:
        self.calls[key.name] += 1
        plan = self.plans.get(key.name, [None])
        step = plan.pop(0) if len(plan) > 1 else plan[0]
        if isinstance(step, BaseException):
            raise step
        return step  # type: ignore[no-any-return]


async def run_until_quiet(clock: FakeClock, seconds: float, step: float = 0.5) -> None:
    await anyio.wait_all_tasks_blocked()
    for _ in range(int(seconds / step)):
        await clock.advance(step)


def controller(name: str, reconciler: Script, clock: FakeClock) -> Controller:
    return Controller(name, reconciler, clock=clock, resync_period=None,
                      rate_limiter=ItemExponentialLimiter(1.0, 100.0))  # fmt: skip


async def test_success_requeue_after_error_terminal_and_conflict() -> None:
    clock, informer = FakeClock(), fed_informer()
    script = Script(
        ok=[None],
        poll=[Result(requeue_after=10), None],
        flaky=[RuntimeError("boom"), RuntimeError("boom"), None],
        fatal=[TerminalError("bad spec")],
        racy=[ConflictError("stale", status=409), None],
    )
    ctl = controller("unit-contract", script, clock).for_(informer)
    terminal = m.RECONCILE_TERMINAL_ERRORS.labels("unit-contract")
    with structlog.testing.capture_logs() as logs:
        async with ctl:
            for name in ("ok", "poll", "flaky", "fatal", "racy"):
                add(informer, name)
            await run_until_quiet(clock, 9)
            assert script.calls["poll"] == 1  # requeue_after=10 not due yet
            await run_until_quiet(clock, 3)
            assert script.calls["poll"] == 2
            await run_until_quiet(clock, 20)
    assert script.calls["ok"] == 1
    assert script.calls["flaky"] == 3  # retried with backoff 1 s, 2 s, then succeeded
    assert script.calls["fatal"] == 1 and terminal._value.get() == 1  # never retried
    assert script.calls["racy"] == 2
    assert ctl.queue.num_requeues(ObjectKey("ns", "flaky")) == 0  # forgotten after success
    errors = [e for e in logs if e["log_level"] == "error"]
    assert sorted(e["event"][:16] for e in errors) == [
        "reconcile failed",
        "reconcile failed",
        "reconcile failed",
    ]
    assert not any(e.get("name") == "racy" and e["log_level"] == "error" for e in logs)


async def test_predicates_filter_updates_and_owner_mapping() -> None:
    from nimop.watch.sources import enqueue_owner, generation_changed

    clock, primaries, children = FakeClock(), fed_informer(), fed_informer()
    script = Script()
    ctl = controller("unit-sources", script, clock)
    ctl.for_(primaries, generation_changed).owns(children, "example.com", "Widget")
    async with ctl:
        add(primaries, "p", 1)
        await run_until_quiet(clock, 1)
        old = primaries.store.get("ns/p")
        status_only = {"metadata": {**old["metadata"], "resourceVersion": "2"}}  # type: ignore[index]
        primaries.dispatch(Event(EventType.UPDATED, status_only, old))
        await run_until_quiet(clock, 1)
        assert script.calls["p"] == 1  # same generation: filtered
        add(primaries, "p", 2, old=old)
        child = {"metadata": {"namespace": "ns", "name": "c", "ownerReferences": [
            {"apiVersion": "example.com/v1", "kind": "Widget", "name": "w", "uid": "u",
             "controller": True}]}}  # fmt: skip
        children.dispatch(Event(EventType.ADDED, child))
        await run_until_quiet(clock, 1)
    assert script.calls == Counter({"p": 2, "w": 1})
    assert list(enqueue_owner("other.io", "Widget")(Event(EventType.ADDED, child))) == []


async def test_a_childs_event_goes_before_new_primaries_and_the_first_list_last() -> None:
    clock, primaries, children = FakeClock(), fed_informer(), fed_informer()
    order: list[str] = []

    async def reconcile(key: ObjectKey) -> None:
        order.append(key.name)

    ctl = Controller("unit-priority", reconcile, clock=clock, resync_period=None, workers=1)
    ctl.for_(primaries).owns(children, "example.com", "Widget")
    async with ctl:
        await anyio.wait_all_tasks_blocked()  # the worker waits for a key
        listed = {"metadata": {"namespace": "ns", "name": "listed"}}
        primaries.store.upsert(listed)
        primaries.dispatch(Event(EventType.ADDED, listed, initial=True))
        for name in ("new-1", "new-2"):
            add(primaries, name)
        child = {"metadata": {"namespace": "ns", "name": "c", "ownerReferences": [
            {"apiVersion": "example.com/v1", "kind": "Widget", "name": "w", "uid": "u",
             "controller": True}]}}  # fmt: skip
        children.dispatch(Event(EventType.UPDATED, child, child))
        await run_until_quiet(clock, 1)
    assert order == ["w", "new-1", "new-2", "listed"]


async def test_controller_misuse_is_loud() -> None:
    clock = FakeClock()
    with pytest.raises(StateError):
        async with controller("unit-empty", Script(), clock):
            pass
    ctl = controller("unit-twice", Script(), clock).for_(fed_informer())
    async with ctl:
        with pytest.raises(StateError):
            ctl.for_(fed_informer())
    with pytest.raises(StateError):
        async with ctl:
            pass


async def test_a_write_into_a_terminating_namespace_ends_the_reconcile_quietly() -> None:
    refused = error_from_status(
        403, {"reason": "Forbidden", "message": 'services "x" is forbidden: unable to create new '
              "content in namespace ns because it is being terminated"},
    )  # fmt: skip
    assert isinstance(refused, NamespaceTerminatingError)
    clock, informer = FakeClock(), fed_informer()
    script = Script(gone=[refused])
    ctl = controller("unit-terminating", script, clock).for_(informer)
    with structlog.testing.capture_logs() as logs:
        async with ctl:
            add(informer, "gone")
            await run_until_quiet(clock, 30)
    assert script.calls["gone"] == 1  # not retried
    assert not [e for e in logs if e["log_level"] == "error"]
    # an ordinary 403 (RBAC) stays an error to retry
    assert not isinstance(
        error_from_status(403, {"message": "forbidden"}), NamespaceTerminatingError
    )


async def test_the_echo_of_its_own_write_does_not_wake_the_controller_anothers_does() -> None:
    """A child write remembered as this controller's comes back on the watch carrying its name
    and enqueues nothing; the same kind of write remembered as another controller's, or not
    remembered at all, wakes the owner."""
    twin = ApiTwin()
    owner_ref = {"apiVersion": "example.com/v1", "kind": "Widget", "name": "w", "uid": "u",
                 "controller": True}  # fmt: skip
    script = Script()
    async with twin.client() as client:
        children = Informer(client, CM)
        async with children:
            await children.wait_synced()
            ctl = Controller("mine", script, resync_period=None)
            ctl.owns(children, "example.com", "Widget")
            async with ctl:

                async def write(name: str, writer: str | None) -> None:
                    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {
                        "name": name, "namespace": "ns", "ownerReferences": [owner_ref]}}
                    answer = await client.apply(CM, body)
                    if writer is not None:
                        children.store.remember(answer, writer)
                    await twin.settle()

                await write("own", "mine")
                assert script.calls["w"] == 0, "its own echo"
                await write("theirs", "another-controller")
                assert script.calls["w"] == 1
                await write("unremembered", None)
                assert script.calls["w"] == 2
