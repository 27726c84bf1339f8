"""When this process first saw each object's current generation.

The status of a NIMService whose spec changed is held while its healthy rollout finishes
(``nimservice_status.settle_for``); the grace counts from the moment the change was first seen.
Kubernetes records no time for a spec change, so the controller remembers it: in memory, which
is enough — after a restart the grace simply starts again, and a rollout is reported at the
latest one grace later.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

#: Objects remembered at most; the oldest entries go first (a forgotten one restarts its grace).
CAPACITY = 50_000


class GenerationClock:
    def __init__(self, capacity: int = CAPACITY) -> None:
        self._capacity = capacity
        self._seen: OrderedDict[str, tuple[int, str]] = OrderedDict()

    def first_seen(self, obj: Mapping[str, Any], now: str) -> str:
        """The time (``now`` the first time) this process saw `obj` at its generation."""
        md = obj.get("metadata") or {}
        uid, generation = str(md.get("uid", "")), int(md.get("generation") or 0)
        entry = self._seen.get(uid)
        if entry is None or entry[0] != generation:
            entry = self._seen[uid] = (generation, now)
        self._seen.move_to_end(uid)
        while len(self._seen) > self._capacity:
            self._seen.popitem(last=False)
        return entry[1]

    def __len__(self) -> int:
        return len(self._seen)
