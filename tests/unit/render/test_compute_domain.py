"""`multiNode.computeDomain` (§4.4): the ComputeDomain nimop creates or the one a NIMService
names, and its channel claim in every pod and container of the LeaderWorkerSet group."""

from __future__ import annotations

from typing import Any

from nimop.render import ClusterFacts, ComputeDomainFacts, Rendered
from nimop.render.names import short_hash
from tests.unit.render.helpers import NS, render, svc


def multi(domain: dict[str, Any], gpus: int | None = None, **spec: Any) -> dict[str, Any]:
    if gpus:
        spec["resources"] = {"limits": {"nvidia.com/gpu": gpus}}
    return svc(multiNode={"parallelism": {"pipeline": 2, "tensor": 8}, "computeDomain": domain},
               **spec)


def pods(r: Rendered) -> list[dict[str, Any]]:
    lws = r.find("LeaderWorkerSet")
    assert lws is not None, r.problems
    tmpl = lws["spec"]["leaderWorkerTemplate"]
    return [tmpl["leaderTemplate"]["spec"], tmpl["workerTemplate"]["spec"]]


def existing(template: str = "channel-rct") -> ClusterFacts:
    domain = ComputeDomainFacts("nvl72", claim_template=template)
    return ClusterFacts.all_apis(compute_domains={f"{NS}/nvl72": domain})


def test_create_renders_the_domain_of_one_group_with_a_single_channel() -> None:
    r = render(multi({"create": True}, annotations={"team": "a"}))
    cd = r.find("ComputeDomain")
    assert cd is not None and cd["apiVersion"] == "resource.nvidia.com/v1beta1"
    assert cd["metadata"]["name"] == "llm"
    assert cd["metadata"]["annotations"] == {"team": "a"}
    assert cd["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "nimop"
    assert cd["metadata"]["ownerReferences"][0]["kind"] == "NIMService"
    assert cd["spec"] == {
        "numNodes": 2,
        "channel": {"resourceClaimTemplate": {"name": f"cd-claimtemplate-{short_hash('llm')}"},
                    "allocationMode": "Single"},
    }
    kinds = [o["kind"] for o in r.objects]
    assert kinds.index("ComputeDomain") < kinds.index("LeaderWorkerSet"), "apply order"


def test_num_nodes_is_the_group_size() -> None:
    cd = render(multi({"create": True}, gpus=4)).find("ComputeDomain")
    assert cd is not None and cd["spec"]["numNodes"] == 4  # 2 x 8 GPUs over pods of 4


def test_leader_and_worker_pods_and_every_container_hold_the_channel_claim() -> None:
    sidecar = {"name": "side", "image": {"repository": "busybox", "tag": "1"}}
    r = render(multi({"create": True}, sidecarContainers=[sidecar]))
    template = f"cd-claimtemplate-{short_hash('llm')}"
    claim = f"claim-{short_hash('llm')}-2-{short_hash(template)}-0"
    for pod in pods(r):
        assert pod["resourceClaims"] == [{"name": claim, "resourceClaimTemplateName": template}]
        assert len(pod["containers"]) == 2
        for ctr in pod["containers"]:
            assert ctr["resources"]["claims"] == [{"name": claim}]


def test_an_existing_domain_lends_its_channel_template_and_is_not_rendered() -> None:
    r = render(multi({"name": "nvl72"}), existing())
    assert r.find("ComputeDomain") is None and not r.problems
    for pod in pods(r):
        assert [c["resourceClaimTemplateName"] for c in pod["resourceClaims"]] == ["channel-rct"]


def test_a_missing_named_domain_waits_and_renders_no_workload() -> None:
    r = render(multi({"name": "nvl72"}))
    assert [(p.reason, p.failed) for p in r.problems] == [("ComputeDomainNotFound", False)]
    assert "nvl72" in r.problems[0].message
    assert r.find("LeaderWorkerSet") is None and r.find("Service") is not None


def test_a_domain_without_a_channel_template_fails() -> None:
    r = render(multi({"name": "nvl72"}), existing(template=""))
    assert [(p.reason, p.failed) for p in r.problems] == [("ComputeDomainNotFound", True)]


def test_without_the_api_or_dra_the_group_fails_with_the_reason() -> None:
    r = render(multi({"create": True}), ClusterFacts.all_apis(compute_domain=False))
    assert [(p.reason, p.failed) for p in r.problems] == [("ComputeDomainAPIMissing", True)]
    assert r.find("LeaderWorkerSet") is None and r.find("ComputeDomain") is None
    r = render(multi({"create": True}), ClusterFacts.all_apis(dra_version=None))
    assert [p.reason for p in r.problems] == ["DRAResourcesUnsupported"]


def test_channel_and_dra_claims_sit_side_by_side() -> None:
    dra = [{"resourceClaimTemplateName": "gpus"}]
    r = render(multi({"create": True}, draResources=dra))
    for pod in pods(r):
        refs = [c["resourceClaimTemplateName"] for c in pod["resourceClaims"]]
        assert refs == ["gpus", f"cd-claimtemplate-{short_hash('llm')}"]
        names = {c["name"] for c in pod["resourceClaims"]}
        assert {c["name"] for c in pod["containers"][0]["resources"]["claims"]} == names
