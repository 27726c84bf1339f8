"""Discovery notices a CRD that appears at runtime, and an informer started late watches it."""

from __future__ import annotations

import uuid
from typing import Any

import anyio

from nimop.watch import Manager
from nimop.watch.events import EVENTS

from .watchkit import eventually, running, settings


def crd(group: str) -> dict[str, Any]:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"widgets.{group}"},
        "spec": {
            "group": group,
            "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
            "versions": [{
                "name": "v1", "served": True, "storage": True, "subresources": {"status": {}},
                "schema": {"openAPIV3Schema": {
                    "type": "object", "x-kubernetes-preserve-unknown-fields": True}},
            }],
        },
    }  # fmt: skip


async def test_crd_appearing_at_runtime_is_discovered_and_watched(
    cluster: Any, namespace: str
) -> None:
    group = f"w{uuid.uuid4().hex[:8]}.watchtest.nimop.io"
    seen: list[set[tuple[str, str, str]]] = []
    async with Manager(settings(cluster.kubeconfig, namespace, watch_crds=True)) as manager:
        manager.discovery.subscribe(lambda added, removed: seen.append(added))
        assert manager.discovery.resource(group, "v1", "Widget") is None
        async with running(manager):
            await eventually(lambda: manager.readiness_problems() == [], what="readiness")
            try:
                await anyio.to_thread.run_sync(cluster.apply, [crd(group)])
                # No periodic refresh is due for a minute: the CRD watch triggers this one.
                await eventually(
                    lambda: manager.discovery.resource(group, "v1", "Widget") is not None,
                    within=30, what="discovery of the new kind")  # fmt: skip
                assert any((group, "v1", "Widget") in added for added in seen)
                ref = manager.discovery.require(group, "v1", "Widget")
                informer = manager.informer(ref)  # started late, while the manager runs
                with anyio.fail_after(30):
                    await informer.wait_synced()
                widget = {"apiVersion": f"{group}/v1", "kind": "Widget",
                          "metadata": {"name": "w1", "namespace": namespace}}  # fmt: skip
                await anyio.to_thread.run_sync(cluster.apply, [widget])
                await eventually(lambda: informer.store.get_by_name(namespace, "w1") is not None,
                                 what="the widget in the late informer's store")  # fmt: skip
                await status_and_events(manager, ref, namespace)
            finally:
                cluster.kubectl("delete", "crd", f"widgets.{group}", "--wait=false", check=False)


async def status_and_events(manager: Manager, ref: Any, namespace: str) -> None:
    """Status goes through the subresource (no generation bump); events are posted."""
    client = manager.client
    before = await client.get(ref, namespace, "w1")
    await client.patch_status(ref, namespace, "w1", {"state": "Ready"})
    after = await client.get(ref, namespace, "w1")
    assert after["status"] == {"state": "Ready"}
    assert after["metadata"]["generation"] == before["metadata"]["generation"]
    applied = await client.apply_status(
        ref,
        {
            "apiVersion": ref.api_version,
            "kind": "Widget",
            "metadata": {"name": "w1", "namespace": namespace},
            "status": {"state": "Applied"},
        },
    )
    assert applied["status"]["state"] == "Applied"
    await manager.events("watchtest").record(
        after, type="Normal", reason="Ready", action="Reconcile", note="widget is ready"
    )
    events, _ = await client.list(EVENTS, namespace)
    assert [(e["reason"], e["regarding"]["name"]) for e in events] == [("Ready", "w1")]
