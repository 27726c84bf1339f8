"""Test helpers shipped with the framework (like ``structlog.testing``): a fake clock and an
in-memory Kubernetes API.

:class:`ApiTwin` is an apiserver in memory that plugs in beneath :class:`~nimop.watch.KubeClient`
as its transport (httpx's ``MockTransport`` idea), so the real client — retries, Retry-After,
error classes — and everything above it (informers, stores, queues, controllers, ChildSync,
the Manager) runs unchanged, in milliseconds, with no cluster::

    from nimop.watch.testing import ApiTwin, Fault

    twin = ApiTwin()                                   # core, apps, batch, rbac, … served
    twin.serve(ResourceRef("example.com", "v1", "Widget", "widgets"))   # or create a CRD
    async with twin.client() as client:                # a real KubeClient
        await client.apply(CONFIGMAPS, {...})          # server-side apply, manager "nimop"
    twin.get("ConfigMap", "ns", "name")                # what the server now holds
    twin.writes(verb="apply")                          # the write requests it answered
    twin.inject(Fault(status=429, retry_after=2), verb="list", times=1)
    twin.inject(Fault(error=aiohttp.ServerDisconnectedError()))   # a stale pooled connection

    async with Manager(settings, client_config=twin.client_config(), transport=twin) as mgr:
        ...                                            # the whole operator on the twin

What it models: one resourceVersion counter; list (label selectors, ``limit``/``continue``)
and watch with fan-out to every open watch (replay from a resourceVersion, 410 once history
is compacted — :meth:`ApiTwin.expire_watches` — bookmarks, label-selected watches seeing
objects enter and leave the selection); create (``generateName``, AlreadyExists), update and
merge patch with ``metadata.resourceVersion`` as a precondition (409 on a stale one),
server-side apply with field managers, conflicts and ``force``, fields a manager stops
applying removed; the status subresource split; ``generation`` bumps on spec changes only;
immutable fields (a Job's template) rejected with 422; delete with UID/resourceVersion
preconditions, finalizers (``deletionTimestamp`` first) and garbage collection of dependents
by ownerReference (``Orphan`` strips the reference instead); namespaces being terminated
refuse creates (403); pod logs (:attr:`ApiTwin.pod_logs`); discovery, aggregated or legacy,
that follows CRDs being created and deleted; and injected faults: any status (404, 409, 410,
429 with Retry-After, 5xx) or a transport failure, for chosen verbs/resources/names.

What it does not: admission (schemas, CEL, webhooks), server-side defaulting, strategic
merge or JSON patches (415), field selectors, other controllers (a Deployment never becomes
available unless the test says so with ``twin.patch(..., status=True)``).
"""

from .clock import FakeClock
from .faults import Fault, Injection
from .state import Served
from .twin import ApiTwin
from .wire import Request

__all__ = ["ApiTwin", "FakeClock", "Fault", "Injection", "Request", "Served"]
