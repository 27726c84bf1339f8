"""Which events are worth a reconcile. A primary's (upstream's event filter, §0 C7): a spec
change (generation), a deletion starting, or a label/annotation change (both feed the
children's metadata); status-only writes — including our own — never re-trigger. A pod's: a
change of the problem it shows, the only thing a status reads from pods. An owned workload's:
anything but its status, or a change of the readiness its status gives."""

from __future__ import annotations

from collections.abc import Callable

from nimop.controllers.workload_status import pod_problem
from nimop.watch.informer import Event, EventType
from nimop.watch.objects import Obj, meta
from nimop.watch.sources import Predicate


def spec_or_deletion_changed(event: Event) -> bool:
    if event.type is not EventType.UPDATED or event.old is None:
        return True
    old, new = meta(event.old), meta(event.obj)
    return any(
        old.get(f) != new.get(f)
        for f in ("generation", "deletionTimestamp", "labels", "annotations")
    )


def pod_problem_changed(event: Event) -> bool:
    """A pod's problem (the hint a status message carries, what makes a rollout `stuck`)
    appeared, changed or went. A pod starting, getting scheduled and turning ready wakes
    nobody: its workload's status says the same, and that is watched as an owned child."""
    if event.type is EventType.UPDATED and event.old is not None:
        return pod_problem(event.old) != pod_problem(event.obj)
    return bool(pod_problem(event.obj))


def readiness_changed(readiness: Callable[[Obj], object]) -> Predicate:
    """An owned workload's update wakes its owner when more than its status changed (its spec,
    labels, owners: drift to repair) or when ``readiness`` read from it changed. The
    workload controller writes status several times per rollout (observed generation, replica
    counts) that mostly say the same "0 of 1 available": each would be a reconcile that
    renders, finds nothing to do and holds the status it already has."""

    def predicate(event: Event) -> bool:
        if event.type is not EventType.UPDATED or event.old is None:
            return True
        if _all_but_status(event.old) != _all_but_status(event.obj):
            return True
        return readiness(event.old) != readiness(event.obj)

    return predicate


def _all_but_status(obj: Obj) -> Obj:
    md = {k: v for k, v in meta(obj).items() if k != "resourceVersion"}
    return {**{k: v for k, v in obj.items() if k != "status"}, "metadata": md}
