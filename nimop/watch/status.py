"""Status writes that cost nothing when nothing changed, and Events on state transitions.

:class:`StatusWriter` turns "this is the status now" into at most one merge patch on the status
subresource: the RFC 7386 diff from the stored status (keys the controller manages and no
longer reports become ``null`` at every depth, so a stale entry disappears), nothing when they
are equal — the steady state writes nothing. When it wrote, it announces the transition of
``status.state`` as an Event: Warning into ``Failed``, Normal into ``Ready`` and out of it. A
first ``NotReady``/``Pending`` of a new object is no news (its creation is) and costs no write.

The patch's answer is remembered in the primary's store (read-your-writes, ``store.py``): the
next reconcile diffs against the status just written even when the watch has not delivered it
yet — against the older copy, the patch would leave out every key that copy already shows, and
the write would be lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from .client import KubeClient
from .events import EventRecorder
from .objects import ResourceRef, meta
from .store import Store

__all__ = ["StatusWriter", "announce", "merge_diff", "status_patch"]

Obj = Mapping[str, Any]


def merge_diff(old: Obj, new: Obj, managed: frozenset[str] | None = None) -> dict[str, Any]:
    """The merge patch turning ``old`` into ``new``; at the top level only ``managed`` keys
    (all when None) missing from ``new`` are removed, below it every missing key is."""
    patch: dict[str, Any] = {}
    for key, value in new.items():
        before = old.get(key)
        if before == value:
            continue
        if isinstance(value, Mapping) and isinstance(before, Mapping):
            patch[key] = merge_diff(before, value)
        else:
            patch[key] = value
    for key in old:
        if key not in new and (managed is None or key in managed):
            patch[key] = None
    return patch


def status_patch(
    old: Obj | None, new: Obj, managed: frozenset[str] | None
) -> dict[str, Any] | None:
    """The merge patch from ``old`` status to ``new``, or None when nothing changed."""
    return merge_diff(old or {}, new, managed=managed) or None


async def announce(events: EventRecorder, obj: Obj, old_state: str | None, status: Obj) -> None:
    """An Event when ``status.state`` changes: Warning into Failed, Normal into Ready and out
    of Ready; reason and note come from the Ready condition."""
    state = status.get("state")
    if not state or state == old_state:
        return
    if state not in ("Ready", "Failed") and old_state in (None, "", "NotReady", "Pending"):
        return
    ready: Obj = next((c for c in status.get("conditions") or () if c.get("type") == "Ready"), {})
    reason = str(ready.get("reason") or state)
    note = str(ready.get("message") or state)
    kind: Literal["Normal", "Warning"] = "Warning" if state == "Failed" else "Normal"
    await events.record(obj, type=kind, reason=reason, action="Reconcile", note=note)


class StatusWriter:
    """Patch a primary's status only when it changed, then announce the transition.

    ``managed`` names the top-level status keys the controller owns: one it stops reporting is
    removed; any other (written by someone else) is left alone. With ``store`` (the primary's),
    the written object is remembered there as ``writer``'s."""

    def __init__(
        self,
        client: KubeClient,
        events: EventRecorder,
        *,
        managed: frozenset[str] | None = None,
        store: Store | None = None,
        writer: str = "",
    ) -> None:
        self._client = client
        self._events = events
        self._managed = managed
        self._store = store
        self._writer = writer

    async def write(self, res: ResourceRef, obj: Obj, status: Obj) -> bool:
        """Patch ``/status`` when ``status`` differs from the stored one; True when written."""
        old = obj.get("status") or {}
        patch = status_patch(old, status, self._managed)
        if patch is None:
            return False
        md = meta(obj)
        written = await self._client.patch_status(res, md.get("namespace"), md["name"], patch)
        if self._store is not None:
            self._store.remember(written, self._writer)
        await announce(self._events, obj, old.get("state"), status)
        return True
