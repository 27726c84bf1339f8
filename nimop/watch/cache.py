"""The informer cache: one shared informer per (resource, namespaces, label selector).

Controllers ask the cache for informers; asking twice returns the same one (client-go's
``SharedInformerFactory``). Informers requested while the cache runs are started at once, so a
kind whose CRD appears at runtime can be watched late. ``problems()`` feeds ``/readyz``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import anyio
import anyio.abc

from .client import KubeClient
from .clock import Clock
from .informer import Informer, InformerOptions
from .objects import Obj, ResourceRef

__all__ = ["InformerCache"]

_Key = tuple[str, str, str, tuple[str, ...], str]


class InformerCache:
    """Shared informers, scoped by default to ``namespaces`` (``None`` = all namespaces)."""

    def __init__(
        self,
        client: KubeClient,
        *,
        namespaces: Sequence[str] | None = None,
        options: InformerOptions | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._client = client
        self.namespaces = tuple(namespaces) if namespaces else ()
        self._options = options
        self._clock = clock
        self._informers: dict[_Key, Informer] = {}
        self._tg: anyio.abc.TaskGroup | None = None

    def informer(
        self,
        resource: ResourceRef,
        *,
        label_selector: str | None = None,
        namespaces: Sequence[str] | None = None,
        transform: Callable[[Obj], Obj] | None = None,
    ) -> Informer:
        """Get or create the shared informer; started immediately if the cache is running.

        ``namespaces`` overrides the cache's default scope; a transform only applies when the
        informer is created (the first caller's wins), as with client-go's factory.
        """
        scope = tuple(namespaces) if namespaces is not None else self.namespaces
        if not resource.namespaced:
            scope = ()
        key = (resource.group, resource.version, resource.kind, scope, label_selector or "")
        informer = self._informers.get(key)
        if informer is None:
            informer = Informer(
                self._client, resource, namespaces=scope or None, label_selector=label_selector,
                options=self._options, clock=self._clock, transform=transform,
            )  # fmt: skip
            self._informers[key] = informer
            if self._tg is not None:
                self._tg.start_soon(self._run_one, informer)
        return informer

    @property
    def informers(self) -> list[Informer]:
        return list(self._informers.values())

    def problems(self) -> list[str]:
        """Why the cache is not ready: informers not synced yet, or dead."""
        out = []
        for inf in self._informers.values():
            if inf.dead:
                out.append(f"informer {inf.resource} is dead")
            elif not inf.has_synced:
                out.append(f"informer {inf.resource} has not synced")
        return out

    async def wait_synced(self) -> None:
        for informer in list(self._informers.values()):
            await informer.wait_synced()

    async def run(self) -> None:
        """Run every informer (and any added later) until cancelled."""
        async with anyio.create_task_group() as tg:
            self._tg = tg
            try:
                for informer in list(self._informers.values()):
                    tg.start_soon(self._run_one, informer)
                await anyio.sleep_forever()
            finally:
                self._tg = None

    @staticmethod
    async def _run_one(informer: Informer) -> None:
        async with informer:
            await anyio.sleep_forever()
