"""A Go client on upstream's API types re-writes a CR that was created from YAML (its
read-modify-write adds the zero values of every struct it did not set and re-formats every
quantity as ``resource.Quantity`` does): nimop changes nothing it owns and rolls no pod."""

from __future__ import annotations

import copy
from typing import Any

from nimop.api import KINDS, gozero
from tests.unit.controllers.harness import Operator, running
from tests.unit.controllers.test_reconcile_nemo import DB, available, nemo
from tests.unit.controllers.test_reconcile_nimservice import ready_standalone

RESOURCES = {"limits": {"nvidia.com/gpu": 1, "cpu": 0.5, "memory": "1024Mi"},
             "requests": {"cpu": "1000m", "memory": "0.5Gi"}}  # fmt: skip


async def go_client_rewrites(op: Operator, kind: str, name: str) -> dict[str, Any]:
    stored = op.must(kind, name)
    go = gozero.go_written(copy.deepcopy(dict(stored)), KINDS[kind].model)
    assert go["spec"] != stored["spec"], "the Go form must differ, or this proves nothing"
    op.forget()
    await op.edit(kind, name, {"spec": go["spec"]})
    return dict(go["spec"])


def owned_writes(op: Operator, plural: str) -> list[str]:
    """Writes other than the CR's own status (its observedGeneration moves on)."""
    return [f"{r.verb} {r.resource}" for r in op.writes()
            if not (r.resource == plural and r.subresource == "status")]  # fmt: skip


async def test_nimservice_rewritten_by_a_go_client_writes_nothing() -> None:
    async with running() as op:
        await ready_standalone(op, "svc", resources=RESOURCES)
        deployment = op.must("Deployment", "svc")
        spec = await go_client_rewrites(op, "NIMService", "svc")
        assert spec["resources"]["limits"] == {"nvidia.com/gpu": "1", "cpu": "500m",
                                               "memory": "1Gi"}  # fmt: skip
        assert spec["storage"]["pvc"] == {} and spec["scale"] == {"hpa": {"maxReplicas": 0}}
        await op.advance(30)
        assert owned_writes(op, "nimservices") == []
        after = op.must("Deployment", "svc")
        assert after["metadata"]["generation"] == deployment["metadata"]["generation"]


async def test_nemo_entitystore_rewritten_by_a_go_client_writes_nothing() -> None:
    async with running() as op:
        await op.put(nemo("NemoEntitystore", "es", databaseConfig=DB, resources=RESOURCES))
        await available(op, "es")
        deployment = op.must("Deployment", "es")
        spec = await go_client_rewrites(op, "NemoEntitystore", "es")
        assert spec["datastore"] == {"endpoint": ""} and spec["expose"]["router"] == {}
        await op.advance(30)
        assert owned_writes(op, "nemoentitystores") == []
        after = op.must("Deployment", "es")
        assert after["metadata"]["generation"] == deployment["metadata"]["generation"]
