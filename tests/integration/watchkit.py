"""Helpers for the framework's integration tests (real apiserver from tests/cluster)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio

from nimop.watch import KubeClient, Manager, ResourceRef, WatchSettings, load_client_config
from nimop.watch.objects import Obj

CM = ResourceRef("", "v1", "ConfigMap", "configmaps", True)


@asynccontextmanager
async def open_client(kubeconfig: Path, **overrides: Any) -> AsyncIterator[KubeClient]:
    overrides.setdefault("qps", 0)  # tests write fast; the apiserver limits us if it must
    config = await load_client_config(kubeconfig, **overrides)
    async with KubeClient(config) as client:
        yield client


async def eventually(
    check: Callable[[], bool | Awaitable[bool]], *, within: float = 60, what: str = "condition"
) -> None:
    """Poll ``check`` until it holds; a bounded wait for convergence, not a timing assertion."""
    deadline = time.monotonic() + within
    while True:
        result = check()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within}s waiting for {what}")
        await anyio.sleep(0.2)


def settings(kubeconfig: Path, namespace: str, **kw: Any) -> WatchSettings:
    kw.setdefault("watch_crds", False)
    kw.setdefault("qps", 0)
    return WatchSettings(
        kubeconfig=kubeconfig,
        namespaces=[namespace],
        metrics_bind_address="127.0.0.1:0",
        health_bind_address="127.0.0.1:0",
        lease_namespace=namespace,
        **kw,
    )


@asynccontextmanager
async def running(manager: Manager) -> AsyncIterator[anyio.CancelScope]:
    """Run ``manager`` in the background; stop it gracefully on exit.

    Yields a cancel scope around ``manager.run`` alone: cancelling it kills the manager without
    a graceful stop (the caller's code, which runs inside this task group, is not cancelled).
    """
    scope = anyio.CancelScope()

    async def run() -> None:
        with scope:
            await manager.run(handle_signals=False)

    async with anyio.create_task_group() as tg:
        tg.start_soon(run)
        try:
            yield scope
        finally:
            manager.stop()


def configmap(name: str, labels: dict[str, str] | None = None, **data: str) -> Obj:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "labels": labels or {}}, "data": data}  # fmt: skip


async def server_state(client: KubeClient, namespace: str, selector: str | None = None
                       ) -> dict[str, str]:  # fmt: skip
    items, _ = await client.list(CM, namespace, label_selector=selector)
    return {i["metadata"]["name"]: i["metadata"]["resourceVersion"] for i in items}


def store_state(objs: list[Obj]) -> dict[str, str]:
    return {o["metadata"]["name"]: o["metadata"]["resourceVersion"] for o in objs}


def restart_apiserver(cluster: Any, *extra_args: str) -> None:
    """Restart the apiserver from the event loop's own thread, blocking it meanwhile.

    Not from a worker thread: a cluster started by this session makes its processes die with
    the *thread* that started them (PR_SET_PDEATHSIG), and anyio retires idle worker threads,
    which would kill the restarted apiserver seconds later. Pausing the loop for the restart is
    harmless here: the informers simply find their streams broken when it resumes.
    """
    cluster.restart_apiserver(list(extra_args))
