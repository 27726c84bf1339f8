"""ComputeDomain for multi-node NIMServices on the in-memory API: created and owned, or an
existing one waited for; its status (written by NVIDIA's DRA driver) mirrored into
`status.computeDomainStatus`; its immutable spec replaced, never patched."""

from __future__ import annotations

from typing import Any

from nimop.controllers import compute_domain
from nimop.controllers.nimservice_status import ROLLOUT_GRACE_SECONDS as GRACE
from nimop.watch import Immutable
from tests.e2e.crs import nimservice
from tests.unit.controllers.harness import NS, running

MULTI_NODE = {"backendType": "lws", "parallelism": {"pipeline": 2, "tensor": 8}}
GPUS = {"resources": {"limits": {"nvidia.com/gpu": 8}}}
DRIVER_STATUS = {"status": "Ready", "nodes": [
    {"name": "node-b", "ipAddress": "10.0.0.2", "cliqueID": "c.1", "index": 1, "status": "Failed"},
    {"name": "node-a", "ipAddress": "10.0.0.1", "cliqueID": "c.1", "index": 0, "status": "Ready"},
]}  # fmt: skip


def service(name: str, domain: dict[str, Any]) -> dict[str, Any]:
    return nimservice(name, multiNode={**MULTI_NODE, "computeDomain": domain}, **GPUS)


def domain(name: str, template: str) -> dict[str, Any]:
    return {"apiVersion": "resource.nvidia.com/v1beta1", "kind": "ComputeDomain",
            "metadata": {"name": name, "namespace": NS},
            "spec": {"numNodes": 2,
                     "channel": {"resourceClaimTemplate": {"name": template}}}}  # fmt: skip


def pod_templates(lws: dict[str, Any]) -> list[str]:
    tmpl = lws["spec"]["leaderWorkerTemplate"]
    return [c["resourceClaimTemplateName"]
            for role in ("leaderTemplate", "workerTemplate")
            for c in tmpl[role]["spec"]["resourceClaims"]]  # fmt: skip


async def test_created_domain_is_owned_and_its_driver_status_mirrored() -> None:
    async with running() as op:
        await op.put(service("big", {"create": True}))
        cd = op.must("ComputeDomain", "big")
        assert cd["metadata"]["ownerReferences"][0]["name"] == "big"
        template = cd["spec"]["channel"]["resourceClaimTemplate"]["name"]
        assert pod_templates(op.must("LeaderWorkerSet", "big-lws")) == [template, template]
        await op.set_status("ComputeDomain", "big", DRIVER_STATUS)
        await op.advance(GRACE)
        assert op.status("NIMService", "big")["computeDomainStatus"] == {
            "name": "big",
            "status": "Ready",
            "nodes": [{"name": "node-a", "cliqueID": "c.1", "status": "Ready"},
                      {"name": "node-b", "cliqueID": "c.1", "status": "NotReady"}],
        }  # fmt: skip
        op.forget()
        await op.advance(60)
        assert op.writes() == [], "steady state"


async def test_a_named_domain_is_waited_for_then_its_channel_used() -> None:
    async with running() as op:
        await op.put(service("big", {"name": "nvl72"}))
        await op.advance(GRACE)
        status = op.status("NIMService", "big")
        ready = next(c for c in status["conditions"] if c["type"] == "Ready")
        assert (status["state"], ready["reason"]) == ("NotReady", "ComputeDomainNotFound")
        assert op.names("LeaderWorkerSet") == [] and op.names("ComputeDomain") == []
        await op.put(domain("nvl72", "nvl72-channel"))  # its event wakes the NIMService
        assert pod_templates(op.must("LeaderWorkerSet", "big-lws")) == ["nvl72-channel"] * 2
        assert "ownerReferences" not in op.must("ComputeDomain", "nvl72")["metadata"]
        await op.advance(GRACE)
        assert op.status("NIMService", "big")["computeDomainStatus"] == {"name": "nvl72"}


def test_the_domain_is_replaced_only_when_its_spec_must_change() -> None:
    want = {**domain("big", "t"), "spec": {"numNodes": 2, "channel": {
        "resourceClaimTemplate": {"name": "t"}, "allocationMode": "Single"}}}  # fmt: skip
    lws = {"apiVersion": "leaderworkerset.x-k8s.io/v1", "kind": "LeaderWorkerSet"}
    child, other = compute_domain.desired([want, lws])
    assert other is lws and isinstance(child, Immutable) and child.keep is not None
    assert child.keep({"spec": {**want["spec"], "extra": "defaulted"}}), "same spec: patch"
    assert not child.keep({"spec": {**want["spec"], "numNodes": 4}}), "new spec: replace"


def test_status_names_the_domain_even_before_the_driver_reports() -> None:
    assert compute_domain.status("cd", None) == {"name": "cd"}
    assert compute_domain.status(None, None) is None
