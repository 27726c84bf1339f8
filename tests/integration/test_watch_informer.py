"""Informer against a real apiserver: the store converges with the server through churn,
an apiserver restart, a forced 410 relist, and idle watches timing out - no missed delete, no
stale object."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import pytest

from nimop.watch import Event, EventType, GoneError, Informer, InformerOptions, KubeClient
from nimop.watch import metrics as m

from .watchkit import (
    CM,
    configmap,
    eventually,
    open_client,
    restart_apiserver,
    server_state,
    store_state,
)

LABEL = "informer-test=yes"


@asynccontextmanager
async def informer_on(client: KubeClient, namespace: str, **options: Any
                      ) -> AsyncIterator[tuple[Informer, list[Event]]]:  # fmt: skip
    informer = Informer(client, CM, namespaces=[namespace], label_selector=LABEL,
                        options=InformerOptions(**options))  # fmt: skip
    events: list[Event] = []
    informer.add_handler(events.append)
    async with informer:
        with anyio.fail_after(60):
            await informer.wait_synced()
        yield informer, events


async def converged(informer: Informer, client: KubeClient, namespace: str) -> bool:
    return store_state(informer.store.objects()) == await server_state(client, namespace, LABEL)


def labelled(name: str, **data: str) -> dict[str, Any]:
    cm = configmap(name, {"informer-test": "yes"}, **data)
    return cm


async def churn(client: KubeClient, namespace: str, n: int, seed: int) -> set[str]:
    """Rapid concurrent creates, updates and deletes; returns the names deleted."""
    rnd = random.Random(seed)
    names = [f"cm-{seed}-{i}" for i in range(n)]
    deleted = set(rnd.sample(names, n // 3))
    limiter = anyio.CapacityLimiter(16)

    async def life(name: str) -> None:
        async with limiter:
            obj = labelled(name, v="0")
            obj["metadata"]["namespace"] = namespace
            await client.create(CM, obj)
            for v in range(rnd.randint(1, 3)):
                await client.apply(CM, {**obj, "data": {"v": str(v + 1)}})
            if name in deleted:
                await client.delete(CM, namespace, name)

    async with anyio.create_task_group() as tg:
        for name in names:
            tg.start_soon(life, name)
    return deleted


async def test_store_converges_after_rapid_churn(cluster: Any, namespace: str) -> None:
    async with open_client(cluster.kubeconfig) as client, \
            informer_on(client, namespace) as (informer, events):  # fmt: skip
        deleted = await churn(client, namespace, 120, seed=1)
        await eventually(lambda: converged(informer, client, namespace), what="store == server")
        seen_deleted = {e.obj["metadata"]["name"] for e in events if e.type is EventType.DELETED}
        assert seen_deleted == deleted
        assert all("managedFields" not in o["metadata"] for o in informer.store.objects())


@pytest.mark.disruptive
async def test_store_converges_across_apiserver_restart(cluster: Any, namespace: str) -> None:
    async with open_client(cluster.kubeconfig) as client, \
            informer_on(client, namespace) as (informer, _events):  # fmt: skip
        await churn(client, namespace, 30, seed=2)
        await eventually(lambda: converged(informer, client, namespace), what="initial sync")
        restart_apiserver(cluster)
        deleted = await churn(client, namespace, 30, seed=3)
        for name in list(store_state(informer.store.objects()))[:5]:
            if name.startswith("cm-2-"):
                await client.delete(CM, namespace, name)
                deleted.add(name)
        await eventually(lambda: converged(informer, client, namespace), within=90,
                         what="store == server after restart")  # fmt: skip
        assert not deleted & set(store_state(informer.store.objects()))
        assert not informer.dead


@pytest.mark.disruptive
async def test_forced_410_relists_without_missing_deletes(cluster: Any, namespace: str) -> None:
    """A watch resumed from a compacted resourceVersion gets 410; the informer relists and
    emits deletes for objects that vanished while it was not watching.

    The apiserver's watch cache would serve an old resourceVersion from memory, so ConfigMap
    watches are sent straight to etcd for this test (``--watch-cache-sizes=configmaps#0``).
    """
    restart_apiserver(cluster, "--watch-cache-sizes=configmaps#0")
    try:
        async with open_client(cluster.kubeconfig) as client:
            for i in range(10):
                obj = labelled(f"gone-{i}")
                obj["metadata"]["namespace"] = namespace
                await client.create(CM, obj)
            # Without the watch cache there are no bookmarks: an idle watch hits the inactivity
            # timeout, and the backoff after it is the window in which objects vanish unseen.
            async with informer_on(client, namespace, inactivity_timeout=2.0, backoff_initial=4.0
                                   ) as (informer, events):  # fmt: skip
                relists = m.INFORMER_RELISTS.labels("configmaps", namespace)
                before = relists._value.get()
                reflector = informer.reflectors[0]
                await eventually(lambda: reflector.failing_since is not None, what="idle timeout")
                for i in range(5):
                    await client.delete(CM, namespace, f"gone-{i}")
                await anyio.to_thread.run_sync(cluster.compact_etcd)
                await eventually(lambda: converged(informer, client, namespace),
                                 what="store == server after 410")  # fmt: skip
                assert relists._value.get() > before
                names = {e.obj["metadata"]["name"] for e in events
                         if e.type is EventType.DELETED}  # fmt: skip
                assert names == {f"gone-{i}" for i in range(5)}
    finally:
        restart_apiserver(cluster)


@pytest.mark.disruptive
async def test_watch_from_compacted_resource_version_is_gone(cluster: Any, namespace: str
                                                             ) -> None:  # fmt: skip
    async with open_client(cluster.kubeconfig) as client:
        _, rv = await client.list(CM, namespace)
        obj = labelled("bump")
        obj["metadata"]["namespace"] = namespace
        await client.create(CM, obj)
        await anyio.to_thread.run_sync(cluster.compact_etcd)
        with pytest.raises(GoneError):
            async with client.watch(CM, namespace, resource_version="1") as stream:
                async for _ in stream:
                    pass
        assert int(rv) > 1


async def test_idle_watch_times_out_and_resumes_without_relist(cluster: Any, namespace: str
                                                               ) -> None:  # fmt: skip
    async with open_client(cluster.kubeconfig) as client:
        for name in ("keep", "remove", "change"):
            obj = labelled(name, v="0")
            obj["metadata"]["namespace"] = namespace
            await client.create(CM, obj)
        async with informer_on(client, namespace, watch_timeout=(1, 2)) as (informer, _):
            relists = m.INFORMER_RELISTS.labels("configmaps", namespace)
            before = relists._value.get()
            watches_before = sum(n for (verb, *_), n in client.requests.items() if verb == "watch")
            await anyio.sleep(6)  # idle past several server-side watch timeouts
            await client.delete(CM, namespace, "remove")
            obj = labelled("change", v="1")
            obj["metadata"]["namespace"] = namespace
            await client.apply(CM, obj)
            await eventually(lambda: converged(informer, client, namespace), what="convergence")
            change = informer.store.get_by_name(namespace, "change")
            assert change is not None and change["data"] == {"v": "1"}
            assert informer.store.get_by_name(namespace, "remove") is None
            watches = sum(n for (verb, *_), n in client.requests.items() if verb == "watch")
            assert watches - watches_before >= 2  # the watch was re-opened after timing out
            assert relists._value.get() == before  # resumed from its resourceVersion
