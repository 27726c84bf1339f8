"""The in-memory Kubernetes API: :class:`ApiTwin`. See the package docstring for usage."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

import aiohttp
import anyio
import orjson

from nimop.watch.client import KubeClient
from nimop.watch.clock import Clock, SystemClock
from nimop.watch.config import ClientConfig
from nimop.watch.objects import Obj, ResourceRef, meta
from nimop.watch.transport import Response

from . import routes
from .errors import ApiStatus
from .faults import Fault, Injection
from .quiet import all_tasks_blocked
from .resources import BUILTIN, CRDS, served_from_crd
from .selectors import parse_selector
from .state import Database, GroupResource, Served
from .verbs import Verbs
from .wire import Request, TwinSession, fixed, streaming

__all__ = ["ApiTwin"]

ResourceLike = ResourceRef | str  # a ResourceRef, or a kind name served once


class ApiTwin:
    """An apiserver in memory, plugged in beneath ``KubeClient`` as its transport."""

    def __init__(
        self,
        resources: Iterable[Served] = BUILTIN,
        *,
        clock: Clock | None = None,
        aggregated_discovery: bool = True,
    ) -> None:
        self.db = Database(clock or SystemClock())
        self._verbs = Verbs(self.db)
        self._served: dict[tuple[str, str, str], Served] = {}
        self.aggregated_discovery = aggregated_discovery
        self.injections: list[Injection] = []
        #: every request that reached the server, with the status it was answered
        self.requests: list[tuple[Request, int]] = []
        self.pod_logs: dict[tuple[str, str], str] = {}
        for entry in resources:
            self.serve(entry)
        self.db.listeners.append(self._on_change)

    # -- the transport -----------------------------------------------------------------------

    def session(self, *, stream: bool) -> TwinSession:
        """:class:`nimop.watch.transport.Transport`: ``KubeClient(cfg, transport=twin)``."""
        return TwinSession(self._handle)

    @staticmethod
    def client_config(**overrides: Any) -> ClientConfig:
        """Settings for a client of the twin (no client-side rate limit unless asked)."""
        return ClientConfig(**{"server": "http://api-twin", "qps": 0.0, **overrides})

    def client(self, *, clock: Clock | None = None, **overrides: Any) -> KubeClient:
        """A real :class:`KubeClient` on this twin: ``async with twin.client() as c``."""
        return KubeClient(self.client_config(**overrides), clock=clock, transport=self)

    # -- what is served ----------------------------------------------------------------------

    def serve(self, entry: Served | ResourceRef) -> None:
        served = entry if isinstance(entry, Served) else Served(entry)
        ref = served.ref
        self._served[(ref.group, ref.version, ref.plural)] = served

    def unserve(self, ref: ResourceRef) -> None:
        self._served.pop((ref.group, ref.version, ref.plural), None)

    def served(self, ref: ResourceLike) -> Served:
        if isinstance(ref, ResourceRef):
            found = self._served.get((ref.group, ref.version, ref.plural))
            matches = [found] if found else []
        else:
            matches = [s for s in self._served.values() if s.ref.kind == ref]
        if len(matches) != 1:
            raise LookupError(f"{ref} is served {len(matches)} times by this twin")
        return matches[0]

    def _for_object(self, obj: Mapping[str, Any]) -> Served:
        for entry in self._served.values():
            if entry.ref.api_version == obj.get("apiVersion") and entry.ref.kind == obj.get("kind"):
                return entry
        raise LookupError(f"{obj.get('apiVersion')} {obj.get('kind')} is not served")

    # -- direct access for tests (no request counted) ----------------------------------------

    def create(self, obj: Mapping[str, Any], *, manager: str = "test") -> Obj:
        served = self._for_object(obj)
        created = self._verbs.create(served, meta(obj).get("namespace"), dict(obj), manager)
        return copy.deepcopy(created)

    def get(self, ref: ResourceLike, namespace: str | None, name: str) -> Obj | None:
        obj = self.db.get(self.served(ref).group_resource, (namespace or "", name))
        return copy.deepcopy(obj) if obj is not None else None

    def objects(self, ref: ResourceLike, namespace: str | None = None) -> list[Obj]:
        return [copy.deepcopy(o) for o in self.db.items(self.served(ref).group_resource,
                                                        namespace)]  # fmt: skip

    def patch(
        self, ref: ResourceLike, namespace: str | None, name: str, patch: Mapping[str, Any],
        *, status: bool = False, manager: str = "test",
    ) -> Obj:  # fmt: skip
        """A merge patch, on ``/status`` with ``status=True`` (what a kubelet or a controller
        of the child kind would write: a Deployment's readiness, a Job's completion)."""
        served = self.served(ref)
        sub = "status" if status else None
        out = self._verbs.patch(served, (namespace or "", name), patch, manager, sub)
        return copy.deepcopy(out)

    def delete(self, ref: ResourceLike, namespace: str | None, name: str,
               propagation: str = "Background") -> None:  # fmt: skip
        self._verbs.delete(self.served(ref), (namespace or "", name), propagation, {})

    # -- faults and watch control ------------------------------------------------------------

    def inject(
        self, fault: Fault, *, verb: str | None = None, resource: str | None = None,
        namespace: str | None = None, name: str | None = None, subresource: str | None = None,
        times: int | None = 1,
    ) -> Injection:  # fmt: skip
        """Answer the next ``times`` requests matching ``verb`` (the client's: get, list, watch,
        create, update, patch, apply, delete), ``resource`` (plural), ``namespace``, ``name``
        and ``subresource`` with ``fault`` (``times=None``: every one)."""
        injection = Injection(fault, verb, resource, namespace, name, subresource, times)
        self.injections.append(injection)
        return injection

    def close_watches(self) -> None:
        """End every open watch, as an apiserver does at ``timeoutSeconds`` or on restart."""
        for watcher in list(self.db.watchers):
            self.db.close_watch(watcher)

    def expire_watches(self) -> None:
        """Compact history and send every open watch an ERROR 410 (the informer relists)."""
        self.db.compact()
        status = ApiStatus(410, "Expired", "too old resource version").body()
        for watcher in list(self.db.watchers):
            watcher.line({"type": "ERROR", "object": status})
            self.db.close_watch(watcher)

    def bookmark(self) -> None:
        """A BOOKMARK with the current resourceVersion on every open watch."""
        for watcher in self.db.watchers:
            watcher.line({"type": "BOOKMARK", "object": {
                "apiVersion": watcher.api_version,
                "metadata": {"resourceVersion": str(self.db.revision)}}})  # fmt: skip

    async def settle(self) -> None:
        """Wait until every event sent is read by its watcher and every task is blocked
        again: informer stores then hold what the twin holds, handlers have run."""
        while True:
            await all_tasks_blocked()
            if not any(w.receive.statistics().current_buffer_used for w in self.db.watchers):
                return
            await anyio.lowlevel.checkpoint()

    def writes(self, **match: str | None) -> list[Request]:
        """Write requests the server answered, filtered like :meth:`inject`."""
        return [r for r, _ in self.requests if r.is_write and _matches(r, match)]

    # -- the server --------------------------------------------------------------------------

    async def _handle(self, request: Request, limits: aiohttp.ClientTimeout) -> Response:
        try:
            target = routes.parse(request.path, self._served)
            content_type = request.headers.get("Content-Type", "")
            verb = routes.verb_of(request.method, target, request.params, content_type)
            ref = target.served.ref if target.served else None
            request = dataclasses.replace(
                request, verb=verb, group=ref.group if ref else "",
                resource=ref.plural if ref else "", namespace=target.namespace,
                name=target.name, subresource=target.subresource,
            )  # fmt: skip
        except ApiStatus as exc:
            return self._answer(request, exc.code, exc.body())
        for injection in self.injections:
            if injection.take(request):
                return self._fault(request, injection.fault)
        try:
            if target.served is None:
                return self._answer(request, 200, self._discovery(request.path))
            if request.verb == "watch":
                return self._watch(request, target.served, limits)
            code, body = self._dispatch(request, target.served)
        except ApiStatus as exc:
            return self._answer(request, exc.code, exc.body())
        if isinstance(body, str):
            self.requests.append((request, code))
            return fixed(code, body.encode(), {"Content-Type": "text/plain"})
        return self._answer(request, code, body)

    def _dispatch(self, request: Request, served: Served) -> tuple[int, Obj | str]:
        key = (request.namespace or "", request.name or "")
        gr, version = served.group_resource, served.ref.api_version
        manager, sub, body = request.field_manager, request.subresource, request.body
        if sub not in (None, "status") and not (sub == "log" and served.ref.kind == "Pod"):
            raise ApiStatus(404, "NotFound", f"no subresource {sub}")
        match request.verb:
            case "get" if sub == "log":
                self.db.require(gr, key)
                return 200, self.pod_logs.get(key, "")
            case "get":
                return 200, self.db.with_managed_fields(gr, self.db.require(gr, key), version)
            case "list":
                return 200, self._list(request, served)
            case "create":
                self._refuse_if_terminating(request)
                out = self._verbs.create(served, request.namespace, body, manager)
                return 201, self.db.with_managed_fields(gr, out, version)
            case "update":
                out = self._verbs.update(served, key, body, manager, sub)
            case "patch":
                out = self._verbs.patch(served, key, body, manager, sub)
            case "apply":
                force = request.params.get("force") == "true"
                out = self._verbs.apply(served, key, body, manager, force=force, subresource=sub)
            case _:
                opts = body or {}
                out = self._verbs.delete(served, key, opts.get("propagationPolicy") or
                                         "Background", opts.get("preconditions") or {})  # fmt: skip
        return 200, self.db.with_managed_fields(gr, out, version)

    def _list(self, request: Request, served: Served) -> Obj:
        try:
            selector = parse_selector(request.params.get("labelSelector"))
        except ValueError as exc:
            raise ApiStatus(400, "BadRequest", str(exc)) from None
        gr, version = served.group_resource, served.ref.api_version
        items = [self.db.with_managed_fields(gr, o, version)
                 for o in self.db.items(gr, request.namespace)
                 if selector(meta(o).get("labels") or {})]  # fmt: skip
        start = int(request.params.get("continue") or 0)
        limit = int(request.params.get("limit") or 0) or len(items) or 1
        page = items[start : start + limit]
        more = start + limit < len(items)
        return {"apiVersion": version, "kind": f"{served.ref.kind}List",
                "metadata": {"resourceVersion": str(self.db.revision),
                             **({"continue": str(start + limit)} if more else {})},
                "items": page}  # fmt: skip

    def _watch(self, request: Request, served: Served, limits: aiohttp.ClientTimeout) -> Response:
        selector = parse_selector(request.params.get("labelSelector"))
        rv = request.params.get("resourceVersion", "")
        watcher = self.db.open_watch(served, request.namespace, selector, rv)
        self.requests.append((request, 200))
        return streaming(watcher.receive, limits.sock_read,
                         lambda: self.db.close_watch(watcher))  # fmt: skip

    def _refuse_if_terminating(self, request: Request) -> None:
        ns = self.db.get(("", "namespaces"), ("", request.namespace or ""))
        if request.namespace and ns is not None and meta(ns).get("deletionTimestamp"):
            raise ApiStatus(403, "Forbidden", f"unable to create new content in namespace "
                            f"{request.namespace} because it is being terminated")  # fmt: skip

    def _discovery(self, path: str) -> Obj:
        if not self.aggregated_discovery:
            return routes.legacy(path, self._served.values())
        groups = {s.ref.group for s in self._served.values()}
        wanted = [""] if path.rstrip("/") == "/api" else sorted(groups - {""})
        return routes.aggregated(wanted, self._served.values())

    def _answer(self, request: Request, code: int, body: Obj) -> Response:
        self.requests.append((request, code))
        return fixed(code, orjson.dumps(body), {"Content-Type": "application/json"})

    def _fault(self, request: Request, fault: Fault) -> Response:
        if fault.error is not None:
            raise fault.error
        headers = {"Content-Type": "application/json"}
        if fault.retry_after is not None:
            headers["Retry-After"] = str(int(fault.retry_after))
        reason = fault.reason or {
            404: "NotFound",
            409: "Conflict",
            410: "Expired",
            429: "TooManyRequests",
        }.get(fault.status, "InternalError")
        body = ApiStatus(fault.status, reason, fault.message or f"injected {fault.status}").body()
        self.requests.append((request, fault.status))
        return fixed(fault.status, orjson.dumps(body), headers)

    def _on_change(self, gr: GroupResource, kind: str, obj: Obj) -> None:
        """A CRD makes its kinds served (and unserved when it goes), as on an apiserver."""
        if gr != (CRDS.group, CRDS.plural):
            return
        for entry in served_from_crd(obj):
            if kind == "DELETED":
                self.unserve(entry.ref)
            else:
                self.serve(entry)


def _matches(request: Request, match: Mapping[str, str | None]) -> bool:
    return all(v is None or getattr(request, k) == v for k, v in match.items())
