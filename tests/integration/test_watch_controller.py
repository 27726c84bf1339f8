"""A sample controller owning ConfigMaps, run by the Manager against a real apiserver."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import anyio
import structlog

from nimop.watch import Manager, ObjectKey
from nimop.watch import metrics as m

from .sample_controller import install, primary
from .watchkit import CM, eventually, running, settings


def child_values(manager: Manager, namespace: str) -> dict[str, str]:
    out = {}
    for informer in manager.cache.informers:
        if informer.label_selector == "sample-role=child":
            for obj in informer.store.objects(namespace):
                out[obj["metadata"]["name"]] = obj.get("data", {}).get("value")
    return out


def kubectl_json(cluster: Any, *args: str) -> dict[str, Any]:
    return json.loads(cluster.kubectl(*args, "-o", "json").stdout)  # type: ignore[no-any-return]


async def idle(manager: Manager, controller_name: str) -> None:
    """Wait until the controller's queue is empty and no worker is busy."""
    (controller,) = [c for c in manager._controllers if c.name == controller_name]
    queue = controller.queue
    await eventually(lambda: queue.stats().depth == 0 and queue.stats().processing == 0,
                     what="an idle queue")  # fmt: skip


async def test_converges_200_primaries_then_zero_writes_at_steady_state(
    cluster: Any, namespace: str
) -> None:
    n = 200
    async with Manager(settings(cluster.kubeconfig, namespace, workers=4)) as manager:
        _controller, reconciler = install(manager, "sample-200", resync_period=4.0)
        async with running(manager):
            manifests = [
                {
                    **primary(f"p{i}", f"v{i}"),
                }
                for i in range(n)
            ]
            for doc in manifests:
                doc["metadata"]["namespace"] = namespace
            await anyio.to_thread.run_sync(cluster.apply, manifests)
            want = {f"p{i}-child": f"v{i}" for i in range(n)}
            await eventually(lambda: child_values(manager, namespace) == want, within=120,
                             what="200 children")  # fmt: skip
            await idle(manager, "sample-200")
            writes = manager.client.writes
            assert n <= writes <= 2 * n  # one apply per child (+ rare stale-cache repeats)
            calls = sum(reconciler.calls.values())
            # A resync re-reconciles every primary: still not a single write.
            await eventually(lambda: sum(reconciler.calls.values()) >= calls + n, within=30,
                             what="a full resync")  # fmt: skip
            await idle(manager, "sample-200")
            assert manager.client.writes == writes
            server = kubectl_json(cluster, "get", "configmaps", "-n", namespace,
                                  "-l", "sample-role=child")  # fmt: skip
            assert len(server["items"]) == n


async def test_owned_edit_reverted_foreign_edit_kept_child_collected(
    cluster: Any, namespace: str
) -> None:
    async with Manager(settings(cluster.kubeconfig, namespace)) as manager:
        _, reconciler = install(manager, "sample-edits")
        async with running(manager):
            doc = primary("p", "original")
            doc["metadata"]["namespace"] = namespace
            await anyio.to_thread.run_sync(cluster.apply, [doc])
            await eventually(lambda: child_values(manager, namespace) == {"p-child": "original"},
                             what="the child")  # fmt: skip
            ns = ("-n", namespace)
            # A field we own, edited by hand: reverted.
            cluster.kubectl("patch", "configmap", "p-child", *ns, "--type=merge",
                            "-p", '{"data": {"value": "hand-edited"}}')  # fmt: skip
            await eventually(
                lambda: kubectl_json(cluster, "get", "configmap", "p-child", *ns)["data"]["value"]
                == "original", what="the owned field reverted")  # fmt: skip
            # Fields we do not own: kept, and no write spent on them.
            await idle(manager, "sample-edits")
            writes, calls = manager.client.writes, reconciler.calls[ObjectKey(namespace, "p")]
            cluster.kubectl("label", "configmap", "p-child", *ns, "team=kept")
            cluster.kubectl("patch", "configmap", "p-child", *ns, "--type=merge",
                            "-p", '{"data": {"foreign": "kept"}}')  # fmt: skip
            children = manager.informer(CM, label_selector="sample-role=child")

            def edits_seen() -> bool:
                child = children.store.get_by_name(namespace, "p-child") or {}
                labels = child.get("metadata", {}).get("labels", {})
                return labels.get("team") == "kept" and "foreign" in child.get("data", {})

            await eventually(edits_seen, what="the cache to see the foreign edits")
            await idle(manager, "sample-edits")
            assert reconciler.calls[ObjectKey(namespace, "p")] > calls  # the edits were looked at
            live = kubectl_json(cluster, "get", "configmap", "p-child", *ns)
            assert live["metadata"]["labels"]["team"] == "kept"
            assert live["data"] == {"value": "original", "foreign": "kept"}
            assert manager.client.writes == writes
            # Deleting the primary leaves no child (kube-controller-manager's GC).
            cluster.kubectl("delete", "configmap", "p", *ns)
            await eventually(
                lambda: not cluster.kubectl("get", "configmap", "p-child", *ns,
                                            "--ignore-not-found", "-o", "name").stdout.strip(),
                within=90, what="garbage collection of the child")  # fmt: skip


async def test_conflict_is_requeued_without_error_logs(cluster: Any, namespace: str) -> None:
    async with Manager(settings(cluster.kubeconfig, namespace)) as manager:
        _, reconciler = install(manager, "sample-conflict")
        reconciler.conflict_once.add("c")
        requeues = m.RECONCILE_TOTAL.labels("sample-conflict", "requeue")
        errors = m.RECONCILE_ERRORS.labels("sample-conflict")
        with structlog.testing.capture_logs() as logs:
            async with running(manager):
                doc = primary("c", "x")
                doc["metadata"]["namespace"] = namespace
                await anyio.to_thread.run_sync(cluster.apply, [doc])
                await eventually(lambda: child_values(manager, namespace) == {"c-child": "x"},
                                 what="the child after a conflict")  # fmt: skip
        assert reconciler.calls[ObjectKey(namespace, "c")] >= 2
        assert requeues._value.get() >= 1
        assert errors._value.get() == 0
        assert not [e for e in logs if e["log_level"] in ("error", "critical")]


async def test_failing_key_does_not_block_others(cluster: Any, namespace: str) -> None:
    async with Manager(settings(cluster.kubeconfig, namespace, workers=1)) as manager:
        controller, reconciler = install(manager, "sample-failing")
        reconciler.fail.add("bad")
        async with running(manager):
            docs = [primary(name, name) for name in ("bad", "a", "b", "c")]
            for doc in docs:
                doc["metadata"]["namespace"] = namespace
            await anyio.to_thread.run_sync(cluster.apply, docs)
            await eventually(
                lambda: child_values(manager, namespace) == {"a-child": "a", "b-child": "b",
                                                             "c-child": "c"},
                what="children of the healthy primaries")  # fmt: skip
            bad = ObjectKey(namespace, "bad")
            await eventually(lambda: reconciler.calls[bad] >= 3, what="retries of the bad key")
            assert controller.queue.num_requeues(bad) >= 2  # backing off, not forgotten
            assert m.RECONCILE_ERRORS.labels("sample-failing")._value.get() >= 3


async def test_metrics_and_probe_endpoints(cluster: Any, namespace: str) -> None:
    async with Manager(settings(cluster.kubeconfig, namespace)) as manager:
        install(manager, "sample-metrics")
        async with running(manager), aiohttp.ClientSession() as http:
            doc = primary("m", "1")
            doc["metadata"]["namespace"] = namespace
            await anyio.to_thread.run_sync(cluster.apply, [doc])
            await eventually(lambda: child_values(manager, namespace) == {"m-child": "1"},
                             what="the child")  # fmt: skip
            health = f"http://127.0.0.1:{manager.health_port}"
            async with http.get(f"{health}/readyz") as resp:
                assert resp.status == 200
            async with http.get(f"{health}/healthz") as resp:
                assert resp.status == 200
            async with http.get(f"http://127.0.0.1:{manager.metrics_port}/metrics") as resp:
                text = await resp.text()
    for name in (
        "workqueue_depth", "workqueue_adds_total", "workqueue_queue_duration_seconds_bucket",
        "workqueue_work_duration_seconds_bucket", "workqueue_retries_total",
        "workqueue_unfinished_work_seconds", "workqueue_longest_running_processor_seconds",
        'controller_runtime_reconcile_total{controller="sample-metrics",result="success"}',
        'controller_runtime_reconcile_errors_total{controller="sample-metrics"}',
        "controller_runtime_reconcile_time_seconds_bucket", "rest_client_requests_total",
        "nimop_informer_up",
    ):  # fmt: skip
        assert name in text, name
