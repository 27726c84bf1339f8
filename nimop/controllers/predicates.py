"""Which primary updates are worth a reconcile (upstream's event filter, §0 C7):
a spec change (generation), a deletion starting, or a label/annotation change (both feed the
children's metadata). Status-only writes — including our own — never re-trigger."""

from __future__ import annotations

from nimop.watch.informer import Event, EventType
from nimop.watch.objects import meta


def spec_or_deletion_changed(event: Event) -> bool:
    if event.type is not EventType.UPDATED or event.old is None:
        return True
    old, new = meta(event.old), meta(event.obj)
    return any(
        old.get(f) != new.get(f)
        for f in ("generation", "deletionTimestamp", "labels", "annotations")
    )
