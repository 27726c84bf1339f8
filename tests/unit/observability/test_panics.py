"""controller_runtime_reconcile_panics_total counts reconcilers that raise something that is no
framework error (a bug — what a panic is in Go); API errors and timeouts are errors only."""

from __future__ import annotations

from nimop.watch import metrics as m
from nimop.watch.errors import ServerError
from nimop.watch.testing import FakeClock
from tests.unit.watch import test_controller as kit


async def test_a_bug_counts_as_panic_and_error_an_api_error_only_as_error() -> None:
    clock, informer = FakeClock(), kit.fed_informer()
    script = kit.Script(bug=[KeyError("spec"), None], api=[ServerError("down", status=500), None])
    ctl = kit.controller("unit-panics", script, clock).for_(informer)
    panics, errors = (m.RECONCILE_PANICS.labels("unit-panics"),
                      m.RECONCILE_ERRORS.labels("unit-panics"))  # fmt: skip
    async with ctl:
        kit.add(informer, "bug")
        kit.add(informer, "api")
        await kit.run_until_quiet(clock, 5)
    assert script.calls["bug"] == 2 and script.calls["api"] == 2  # both retried
    assert panics._value.get() == 1
    assert errors._value.get() == 2
