"""Follow NIMServices (or, for the floor, Deployments) through a watch (the driver's own, as
the admin): which are Ready and at which generation, with the time each got there — the Ready
curve."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bench.kube import Kube, KubeError

GROUP_PATH = "/apis/apps.nvidia.com/v1alpha1"


def is_ready(obj: Mapping[str, Any]) -> bool:
    """state Ready for the current generation (when the operator reports observedGeneration
    on its Ready condition, as nimop and upstream do)."""
    status = obj.get("status") or {}
    if status.get("state") != "Ready":
        return False
    generation = (obj.get("metadata") or {}).get("generation")
    for cond in status.get("conditions") or ():
        if cond.get("type") == "Ready" and "observedGeneration" in cond:
            return bool(cond["observedGeneration"] == generation and cond["status"] == "True")
    return True


@dataclass
class Tracker:
    kube: Kube
    #: None: every namespace (names are unique across the run's namespaces)
    namespace: str | None
    plural: str = "nimservices"
    api: str = GROUP_PATH
    ready_when: Callable[[Mapping[str, Any]], bool] = is_ready
    #: the first list is in
    listed: bool = False
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    ready: set[str] = field(default_factory=set)
    #: (monotonic time, Ready count) at every change of the count
    curve: list[tuple[float, int]] = field(default_factory=list)
    #: name -> monotonic time it was first seen Ready
    ready_at: dict[str, float] = field(default_factory=dict)
    #: name -> how many times it went in or out of Ready
    flips: dict[str, int] = field(default_factory=dict)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def path(self) -> str:
        if self.namespace is None:
            return f"{self.api}/{self.plural}"
        return f"{self.api}/namespaces/{self.namespace}/{self.plural}"

    async def run(self) -> None:
        while True:
            try:
                listing = await self.kube.list(self.path)
                self.objects = {}
                self.ready = set()
                for obj in listing["items"]:
                    self._put(obj)
                rv = str(listing["metadata"]["resourceVersion"])
                self.listed = True
                self._changed.set()
                async for event in self.kube.watch(self.path, rv):
                    if event["type"] == "ERROR":
                        break
                    if event["type"] == "DELETED":
                        self._drop(event["object"])
                    elif event["type"] in ("ADDED", "MODIFIED"):
                        self._put(event["object"])
            except (TimeoutError, aiohttp.ClientError, KubeError):
                await asyncio.sleep(0.5)

    def _put(self, obj: dict[str, Any]) -> None:
        name = obj["metadata"]["name"]
        self.objects[name] = obj
        if self.ready_when(obj):
            if name not in self.ready:
                self.flips[name] = self.flips.get(name, 0) + 1
                self.ready.add(name)
                self.ready_at.setdefault(name, time.monotonic())
                self._record()
        elif name in self.ready:
            self.flips[name] = self.flips.get(name, 0) + 1
            self.ready.discard(name)
            self._record()
        self._changed.set()

    def _drop(self, obj: dict[str, Any]) -> None:
        name = obj["metadata"]["name"]
        self.objects.pop(name, None)
        if name in self.ready:
            self.ready.discard(name)
            self._record()
        self._changed.set()

    def _record(self) -> None:
        self.curve.append((time.monotonic(), len(self.ready)))

    async def wait(self, done: Callable[[], bool], within: float) -> bool:
        """Until `done()` holds (re-checked on every change) or `timeout` seconds pass."""
        deadline = time.monotonic() + within
        while not done():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(left, 1.0))
        return True
