"""StatusWriter on the in-memory API: one merge patch when the status changed and none when it
did not, managed keys removed and foreign ones kept, Events on state transitions only."""

from __future__ import annotations

from typing import Any

from nimop.watch import EventRecorder, ResourceRef
from nimop.watch.status import StatusWriter
from nimop.watch.testing import ApiTwin

WIDGETS = ResourceRef("example.com", "v1", "Widget", "widgets")
EVENTS = ResourceRef("events.k8s.io", "v1", "Event", "events")


def ready(state: str, reason: str) -> dict[str, Any]:
    return {"state": state, "conditions": [{"type": "Ready", "reason": reason,
                                            "message": f"because {reason}"}]}  # fmt: skip


async def test_writes_only_changes_and_announces_transitions() -> None:
    twin = ApiTwin()
    twin.serve(WIDGETS)
    twin.create({"apiVersion": "example.com/v1", "kind": "Widget",
                 "metadata": {"name": "w", "namespace": "n"}})  # fmt: skip
    async with twin.client() as client:
        writer = StatusWriter(client, EventRecorder(client), managed=frozenset({"state",
                                                                              "conditions"}))

        async def write(status: dict[str, Any]) -> bool:
            live = twin.get(WIDGETS, "n", "w")
            assert live is not None
            return await writer.write(WIDGETS, live, status)

        assert await write(ready("NotReady", "Starting"))
        assert twin.objects(EVENTS, "n") == [], "a first NotReady is no news"
        assert not await write(ready("NotReady", "Starting")), "unchanged: no request"
        twin.patch(WIDGETS, "n", "w", {"status": {"foreign": 1}}, status=True)
        assert await write(ready("Ready", "Available"))
        assert await write({"state": "Failed"})
    status = (twin.get(WIDGETS, "n", "w") or {})["status"]
    assert status == {"state": "Failed", "foreign": 1}, "managed keys go, foreign ones stay"
    events = [(e["type"], e["reason"]) for e in twin.objects(EVENTS, "n")]
    assert sorted(events) == [("Normal", "Available"), ("Warning", "Failed")]
    patches = twin.writes(verb="patch", resource="widgets")
    assert len(patches) == 3 and all(p.subresource == "status" for p in patches)


async def test_the_next_write_diffs_against_the_status_just_written_not_a_lagging_cache() -> None:
    """A reconcile that runs between a status write and its watch event reads the written
    status: diffed against the older cached copy (which already says Ready), the patch back to
    Ready would leave `state` out and the object would stay NotReady."""
    from nimop.watch.store import Store

    twin = ApiTwin()
    twin.serve(WIDGETS)
    twin.create({"apiVersion": "example.com/v1", "kind": "Widget",
                 "metadata": {"name": "w", "namespace": "n"}})  # fmt: skip
    twin.patch(WIDGETS, "n", "w", {"status": ready("Ready", "Available")}, status=True)
    lagging = Store()  # the informer's copy: it will not see our writes in this test
    lagging.upsert(twin.get(WIDGETS, "n", "w"))  # type: ignore[arg-type]
    async with twin.client() as client:
        writer = StatusWriter(client, EventRecorder(client), managed=frozenset({"state",
                              "conditions"}), store=lagging, writer="unit")  # fmt: skip
        for state, reason in (("NotReady", "PodsGone"), ("Ready", "Available")):
            cached = lagging.get("n/w")
            assert cached is not None
            assert await writer.write(WIDGETS, cached, ready(state, reason))
    live = twin.get(WIDGETS, "n", "w")
    assert live is not None and live["status"]["state"] == "Ready"
    events = sorted(e["reason"] for e in twin.objects(EVENTS, "n"))
    assert events == ["Available", "PodsGone"], "out of Ready and back, each announced once"
