"""A sample controller for the framework's integration tests.

Primaries are ConfigMaps labelled ``sample-role=primary``; each owns one child ConfigMap
(``<name>-child``, labelled ``sample-role=child``) whose ``data.value`` copies the primary's.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from nimop.watch import (
    ChildSync,
    ConflictError,
    Controller,
    Informer,
    Manager,
    ObjectKey,
    Result,
)

from .watchkit import CM, configmap

PRIMARY = "sample-role=primary"
CHILD = "sample-role=child"


class SampleReconciler:
    def __init__(self, manager: Manager, primaries: Informer, children: Informer) -> None:
        self.manager = manager
        self.primaries = primaries
        self.sync = ChildSync(manager.client, [(CM, children.store)])
        self.calls: Counter[ObjectKey] = Counter()
        self.fail: set[str] = set()  # names whose reconcile always raises
        self.conflict_once: set[str] = set()  # names whose first reconcile gets a real 409

    async def reconcile(self, key: ObjectKey) -> Result | None:
        self.calls[key] += 1
        if key.name in self.fail:
            raise RuntimeError(f"reconcile of {key} is broken on purpose")
        primary = self.primaries.store.get(key)
        if primary is None:
            return None  # deleted: garbage collection removes the child
        if key.name in self.conflict_once:
            self.conflict_once.discard(key.name)
            await self._stale_update(primary)
        desired = [child_of(primary)]
        await self.sync.sync(primary, desired)
        return None

    async def _stale_update(self, primary: dict[str, Any]) -> None:
        stale = {**primary, "metadata": {**primary["metadata"], "resourceVersion": "1"}}
        await self.manager.client.replace(CM, stale)  # raises ConflictError (409)
        raise AssertionError("a stale update must conflict")  # pragma: no cover


def child_of(primary: dict[str, Any]) -> dict[str, Any]:
    name = primary["metadata"]["name"]
    return configmap(f"{name}-child", {"sample-role": "child"},
                     value=primary.get("data", {}).get("value", ""))  # fmt: skip


def install(manager: Manager, name: str = "sample", **options: Any
            ) -> tuple[Controller, SampleReconciler]:  # fmt: skip
    primaries = manager.informer(CM, label_selector=PRIMARY)
    children = manager.informer(CM, label_selector=CHILD)
    reconciler = SampleReconciler(manager, primaries, children)
    controller = manager.controller(name, reconciler, **options)
    controller.for_(primaries).owns(children, "", "ConfigMap")
    return controller, reconciler


def primary(name: str, value: str) -> dict[str, Any]:
    return configmap(name, {"sample-role": "primary"}, value=value)


__all__ = ["CHILD", "PRIMARY", "ConflictError", "SampleReconciler", "install", "primary"]
