"""The Manager on the in-memory API: its lifecycle and misuse errors, a controller reconciling
children, readiness/health/metrics endpoints, leader election with the Lease released on
stop, discovery refreshed when a CRD appears, and a failed start-up that leaks nothing."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import anyio
import pytest

from nimop.watch import (
    ChildSync,
    Controller,
    Manager,
    ObjectKey,
    ResourceRef,
    Result,
    ServerError,
    StateError,
    WatchSettings,
)
from nimop.watch.manager import ManagerState
from nimop.watch.testing import ApiTwin, Fault

WIDGETS = ResourceRef("example.com", "v1", "Widget", "widgets")
CM = ResourceRef("", "v1", "ConfigMap", "configmaps")
LEASES = ResourceRef("coordination.k8s.io", "v1", "Lease", "leases")
CRD = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
       "metadata": {"name": "widgets.example.com"},
       "spec": {"group": "example.com", "scope": "Namespaced",
                "names": {"kind": "Widget", "plural": "widgets"},
                "versions": [{"name": "v1", "served": True,
                              "subresources": {"status": {}}}]}}  # fmt: skip


def settings(**overrides: Any) -> WatchSettings:
    base: dict[str, Any] = {"metrics_bind_address": "127.0.0.1:0",
                            "health_bind_address": "127.0.0.1:0", "workers": 1}  # fmt: skip
    return WatchSettings(**{**base, **overrides})


def widget(name: str) -> dict[str, Any]:
    return {"apiVersion": "example.com/v1", "kind": "Widget",
            "metadata": {"name": name, "namespace": "n"}, "spec": {"size": name}}  # fmt: skip


def wire_widgets(mgr: Manager) -> None:
    """A controller that keeps one ConfigMap per Widget."""
    widgets = mgr.informer(WIDGETS)
    children = mgr.informer(CM, label_selector="app.kubernetes.io/managed-by=test")
    sync = ChildSync(mgr.client, [(CM, children.store)])

    async def reconcile(key: ObjectKey) -> Result | None:
        obj = widgets.store.get(key)
        if obj is not None:
            child = {"apiVersion": "v1", "kind": "ConfigMap",
                     "metadata": {"name": f"{key.name}-cm",
                                  "labels": {"app.kubernetes.io/managed-by": "test"}},
                     "data": {"size": obj["spec"]["size"]}}  # fmt: skip
            await sync.sync(obj, [child])
        return None

    mgr.controller("widgets", reconcile).for_(widgets).owns(children, "example.com", "Widget")


@asynccontextmanager
async def started(twin: ApiTwin, **overrides: Any) -> AsyncIterator[Manager]:
    async with Manager(settings(**overrides), client_config=twin.client_config(),
                       transport=twin) as mgr:  # fmt: skip
        wire_widgets(mgr)
        async with anyio.create_task_group() as tg:
            tg.start_soon(functools.partial(mgr.run, handle_signals=False))
            with anyio.fail_after(10):
                while mgr.readiness_problems():  # noqa: ASYNC110 - no event for readiness
                    await anyio.sleep(0.005)
            await twin.settle()
            yield mgr
            mgr.stop()
    assert mgr.state is ManagerState.CLOSED


def crd_twin() -> ApiTwin:
    twin = ApiTwin()
    twin.create(CRD)
    return twin


async def test_a_controller_reconciles_children_until_stopped() -> None:
    twin = crd_twin()
    twin.create(widget("a"))
    async with started(twin) as mgr:
        assert mgr.state is ManagerState.RUNNING
        assert (twin.get(CM, "n", "a-cm") or {}).get("data") == {"size": "a"}
        twin.create(widget("b"))
        await twin.settle()
        assert twin.get(CM, "n", "b-cm") is not None
        twin.requests.clear()
        twin.patch(CM, "n", "b-cm", {"data": {"size": "edited"}})
        await twin.settle()
        assert (twin.get(CM, "n", "b-cm") or {}).get("data") == {"size": "b"}, "reverted"


async def test_misuse_is_a_loud_state_error() -> None:
    twin = crd_twin()
    mgr = Manager(settings(), client_config=twin.client_config(), transport=twin)
    with pytest.raises(StateError):
        _ = mgr.client
    async with mgr:
        wire_widgets(mgr)
        with pytest.raises(StateError, match="taken"):
            mgr.add_controller(Controller("widgets", lambda key: None))
    with pytest.raises(StateError):
        await mgr.run(handle_signals=False)
    with pytest.raises(StateError):
        async with mgr:
            pass


async def test_endpoints_serve_readiness_health_and_metrics() -> None:
    async with started(crd_twin()) as mgr, aiohttp.ClientSession() as http:
        base = "http://127.0.0.1"
        async with http.get(f"{base}:{mgr.health_port}/readyz") as resp:
            assert resp.status == 200
        async with http.get(f"{base}:{mgr.health_port}/healthz") as resp:
            assert resp.status == 200
        async with http.get(f"{base}:{mgr.metrics_port}/metrics") as resp:
            text = await resp.text()
        assert "workqueue_depth" in text and "rest_client_requests_total" in text


async def test_the_leader_holds_the_lease_and_releases_it_on_stop() -> None:
    twin = crd_twin()
    twin.create(widget("a"))
    async with started(twin, leader_election=True, lease_namespace="kube-system") as mgr:
        lease = twin.get(LEASES, "kube-system", "nimop-leader")
        assert lease is not None and lease["spec"]["holderIdentity"] == mgr.identity
        assert twin.get(CM, "n", "a-cm") is not None, "controllers run once leading"
    released = twin.get(LEASES, "kube-system", "nimop-leader")
    assert released is not None and not released["spec"].get("holderIdentity")


async def test_a_new_crd_refreshes_discovery_while_running() -> None:
    twin = ApiTwin()
    names = {"kind": "Gadget", "plural": "gadgets"}
    gadgets = {**CRD, "metadata": {"name": "gadgets.example.com"},
               "spec": {**CRD["spec"], "names": names}}  # fmt: skip
    twin.create(CRD)
    async with started(twin) as mgr:
        assert mgr.discovery.resource("example.com", "v1", "Gadget") is None
        with anyio.fail_after(10):
            twin.create(gadgets)
            await mgr.discovery.wait_changed()
        assert mgr.discovery.resource("example.com", "v1", "Gadget") is not None


async def test_a_failed_start_closes_the_manager() -> None:
    twin = crd_twin()
    twin.inject(Fault(status=503), verb="get", times=None)
    mgr = Manager(settings(), client_config=twin.client_config(), transport=twin)
    with pytest.raises(ServerError):
        async with mgr:
            pass
    assert mgr.state is ManagerState.CLOSED
