"""API discovery: which group/version/kinds the apiserver serves, refreshable at runtime.

Uses aggregated discovery (``apidiscovery.k8s.io/v2``, GA in 1.30): two requests (``/api`` and
``/apis``) describe every served resource. Servers without it get the legacy walk (``/apis``
then one request per group version). Optional APIs (LWS, KServe, Gateway API...) can appear
after start: call :meth:`Discovery.refresh` (the manager does so periodically and whenever a
CRD changes) and subscribe to be told what appeared or vanished.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import anyio
import structlog

from .client import KubeClient
from .objects import ResourceRef

__all__ = ["Discovery", "DiscoveryListener"]

log = structlog.get_logger("nimop.watch.discovery")

_AGGREGATED = (
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
    "application/json"
)
GVK = tuple[str, str, str]  # (group, version, kind)
DiscoveryListener = Callable[[set[GVK], set[GVK]], None]  # (added, removed)


class Discovery:
    """A cache of served kinds; ``resource(group, version, kind)`` gives their REST mapping."""

    def __init__(self, client: KubeClient) -> None:
        self._client = client
        self._by_gvk: dict[GVK, ResourceRef] = {}
        self._listeners: list[DiscoveryListener] = []
        self._lock = anyio.Lock()
        self._changed = anyio.Event()

    def resource(self, group: str, version: str, kind: str) -> ResourceRef | None:
        return self._by_gvk.get((group, version, kind))

    def require(self, group: str, version: str, kind: str) -> ResourceRef:
        ref = self.resource(group, version, kind)
        if ref is None:
            raise LookupError(f"{group}/{version} {kind} is not served by this apiserver")
        return ref

    def served(self, group: str, version: str | None = None, kind: str | None = None) -> bool:
        return any(
            g == group and version in (None, v) and kind in (None, k) for g, v, k in self._by_gvk
        )

    def versions(self, group: str, kind: str) -> list[str]:
        """Served versions of ``kind`` (e.g. which ``resource.k8s.io`` version is there)."""
        return sorted(v for g, v, k in self._by_gvk if g == group and k == kind)

    def subscribe(self, listener: DiscoveryListener) -> None:
        """Call ``listener(added, removed)`` after every refresh that changed something."""
        self._listeners.append(listener)

    async def wait_changed(self) -> None:
        """Block until the next refresh that changed the served set (for polling callers)."""
        await self._changed.wait()

    async def refresh(self) -> tuple[set[GVK], set[GVK]]:
        async with self._lock:
            found: dict[GVK, ResourceRef] = {}
            for ref in await self._fetch():
                found[(ref.group, ref.version, ref.kind)] = ref
            added = set(found) - set(self._by_gvk)
            removed = set(self._by_gvk) - set(found)
            self._by_gvk = found
        if added or removed:
            log.info("served APIs changed", added=len(added), removed=len(removed))
            self._changed.set()
            self._changed = anyio.Event()
            for listener in self._listeners:
                listener(added, removed)
        return added, removed

    async def _fetch(self) -> list[ResourceRef]:
        refs: list[ResourceRef] = []
        for path in ("/api", "/apis"):
            doc = await self._get(path, accept=_AGGREGATED)
            if doc.get("kind") == "APIGroupDiscoveryList":
                refs.extend(_from_aggregated(doc))
            elif path == "/api":
                for version in doc.get("versions", ()):
                    refs.extend(_from_legacy("", version, await self._get(f"/api/{version}")))
            else:
                for group in doc.get("groups", ()):
                    for gv in group.get("versions", ()):
                        body = await self._get(f"/apis/{gv['groupVersion']}")
                        refs.extend(_from_legacy(group["name"], gv["version"], body))
        return refs

    async def _get(self, path: str, accept: str = "application/json") -> dict[str, Any]:
        return await self._client.request("get", None, "GET", path, headers={"Accept": accept})


def _from_aggregated(doc: dict[str, Any]) -> Iterable[ResourceRef]:
    for group in doc.get("items", ()):
        name = (group.get("metadata") or {}).get("name", "")
        for version in group.get("versions", ()):
            for res in version.get("resources", ()):
                kind = (res.get("responseKind") or {}).get("kind")
                if kind:
                    yield ResourceRef(
                        name,
                        version["version"],
                        kind,
                        res["resource"],
                        res.get("scope") == "Namespaced",
                    )


def _from_legacy(group: str, version: str, doc: dict[str, Any]) -> Iterable[ResourceRef]:
    for res in doc.get("resources", ()):
        if "/" not in res["name"]:  # skip subresources
            yield ResourceRef(group, version, res["kind"], res["name"], bool(res["namespaced"]))
