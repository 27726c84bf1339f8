"""NIMPipeline reconcile on the in-memory API: its NIMServices created together, updated when
the pipeline changes (upstream never did), a disabled one removed, an edited one put back, a
same-named stranger left alone and reported, deletion, and a conflict retried."""

from __future__ import annotations

from typing import Any

from nimop.watch.testing import Fault
from tests.e2e.crs import API, nimservice
from tests.unit.controllers.harness import Operator, running


def pipeline(*names: str, disabled: tuple[str, ...] = (), tag: str = "1.12.0") -> dict[str, Any]:
    services = []
    for name in names:
        spec = nimservice(name)["spec"]
        spec["image"]["tag"] = tag
        services.append({"name": name, "enabled": name not in disabled, "spec": spec})
    return {"apiVersion": API, "kind": "NIMPipeline", "metadata": {"name": "rag"},
            "spec": {"services": services}}  # fmt: skip


def tag(op: Operator, name: str) -> str:
    return str(op.must("NIMService", name)["spec"]["image"]["tag"])


async def test_services_are_created_owned_and_reported() -> None:
    async with running() as op:
        await op.put(pipeline("llm", "embedder"))
        assert op.names("NIMService") == ["embedder", "llm"]
        owner = op.must("NIMService", "llm")["metadata"]["ownerReferences"][0]
        assert owner["kind"] == "NIMPipeline" and owner["controller"] is True
        assert op.names("Deployment") == ["embedder", "llm"], "each service is reconciled"
        status = op.status("NIMPipeline", "rag")
        assert status["state"] == "NotReady"
        assert set(status["states"]) == {"llm", "embedder"}


async def test_pipeline_changes_update_and_remove_services() -> None:
    async with running() as op:
        await op.put(pipeline("llm", "embedder"))
        await op.edit("NIMPipeline", "rag", {"spec": pipeline("llm", "embedder", tag="1.13.0",
                                                              disabled=("embedder",))["spec"]})
        assert tag(op, "llm") == "1.13.0"
        assert op.names("NIMService") == ["llm"], "a disabled service is removed"
        assert list(op.status("NIMPipeline", "rag")["states"]) == ["llm"]


async def test_a_service_edited_by_hand_is_put_back() -> None:
    async with running() as op:
        await op.put(pipeline("llm"))
        await op.edit("NIMService", "llm", {"spec": {"image": {"tag": "hand-made"}}})
        assert tag(op, "llm") == "1.12.0"


async def test_a_same_named_stranger_is_left_alone_and_reported() -> None:
    async with running() as op:
        await op.put(nimservice("llm"))
        stranger = op.must("NIMService", "llm")["metadata"]["uid"]
        await op.put(pipeline("llm", "embedder"))
        live = op.must("NIMService", "llm")
        assert live["metadata"]["uid"] == stranger and not live["metadata"].get("ownerReferences")
        assert op.names("NIMService") == ["embedder", "llm"]
        status = op.status("NIMPipeline", "rag")
        assert status["state"] == "Failed"
        assert "llm already exists" in status["conditions"][0]["message"]


async def test_deletion_takes_the_services_with_it() -> None:
    async with running() as op:
        await op.put(pipeline("llm", "embedder"))
        await op.remove("NIMPipeline", "rag")
        assert op.names("NIMService") == [] and op.names("Deployment") == []


async def test_a_conflict_is_retried() -> None:
    async with running() as op:
        conflict = op.twin.inject(Fault(status=409), verb="apply", resource="nimservices")
        await op.put(pipeline("llm"))
        await op.advance(1)
        assert conflict.exhausted and op.names("NIMService") == ["llm"]
        assert op.status("NIMPipeline", "rag")["state"] == "NotReady"


async def test_a_service_needing_a_missing_api_fails_the_pipeline() -> None:
    from tests.unit.controllers.harness import ALL_OPTIONAL, LWS
    from tests.unit.controllers.test_reconcile_nimservice import MULTI_NODE

    async with running(optional=[r for r in ALL_OPTIONAL if r != LWS]) as op:
        doc = pipeline("llm", "big")
        doc["spec"]["services"][1]["spec"].update(MULTI_NODE)
        await op.put(doc)
        await op.advance(10)
        assert op.status("NIMService", "big")["state"] == "Failed"
        status = op.status("NIMPipeline", "rag")
        assert status["state"] == "Failed" and status["states"]["big"] == "Failed"
        assert op.names("Deployment") == ["llm"], "the other service runs"
