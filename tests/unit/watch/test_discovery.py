"""Discovery on the in-memory API: the REST mapping of served kinds, listeners and waiters told
what appeared or vanished, versions of a kind, and the legacy walk when the server has no
aggregated discovery."""

from __future__ import annotations

import anyio
import pytest

from nimop.watch import Discovery, ResourceRef
from nimop.watch.testing import ApiTwin

V1 = ResourceRef("resource.k8s.io", "v1", "ResourceClaimTemplate", "resourceclaimtemplates")
BETA = ResourceRef("resource.k8s.io", "v1beta2", "ResourceClaimTemplate",
                   "resourceclaimtemplates")  # fmt: skip
NODES = ResourceRef("", "v1", "Node", "nodes", namespaced=False)


@pytest.mark.parametrize("aggregated", [True, False])
async def test_served_kinds_and_their_mapping(aggregated: bool) -> None:
    twin = ApiTwin(aggregated_discovery=aggregated)
    twin.serve(BETA)
    async with twin.client() as client:
        discovery = Discovery(client)
        await discovery.refresh()
    assert discovery.resource("", "v1", "Node") == NODES
    assert discovery.served("resource.k8s.io") and not discovery.served("serving.kserve.io")
    assert discovery.versions("resource.k8s.io", "ResourceClaimTemplate") == ["v1beta2"]
    with pytest.raises(LookupError, match="not served"):
        discovery.require("serving.kserve.io", "v1beta1", "InferenceService")
    if not aggregated:
        walked = {r.path for r, _ in twin.requests}
        assert {"/api", "/apis", "/api/v1", "/apis/resource.k8s.io/v1beta2"} <= walked


async def test_listeners_and_waiters_learn_what_changed() -> None:
    twin = ApiTwin()
    changes: list[tuple[set[tuple[str, str, str]], set[tuple[str, str, str]]]] = []
    async with twin.client() as client:
        discovery = Discovery(client)
        await discovery.refresh()
        discovery.subscribe(lambda added, removed: changes.append((added, removed)))
        assert await discovery.refresh() == (set(), set())
        assert changes == [], "no change, no call"
        twin.serve(V1)
        twin.unserve(BETA)
        woke = anyio.Event()

        async def waiter() -> None:
            await discovery.wait_changed()
            woke.set()

        async with anyio.create_task_group() as tg:
            tg.start_soon(waiter)
            await twin.settle()
            await discovery.refresh()
        assert woke.is_set()
        assert changes == [({("resource.k8s.io", "v1", "ResourceClaimTemplate")}, set())]
        assert discovery.versions("resource.k8s.io", "ResourceClaimTemplate") == ["v1"]
