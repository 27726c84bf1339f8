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
