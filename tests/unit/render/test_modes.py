"""DRA, multi-node (LWS) and KServe rules (§4.2, §4.3, §4.5)."""

from __future__ import annotations

from typing import Any

import pytest

from nimop.api.dra import DRADeviceAttributeSelector, DRADeviceSpec, DRAResourceQuantitySelector
from nimop.render import ClusterFacts
from nimop.render.dra import SelectorError, attribute_cel, capacity_cel, device_cel
from tests.unit.render.helpers import NS, render, svc


@pytest.mark.parametrize(
    ("sel", "cel"),
    [
        (
            {"key": "architecture", "value": {"stringValue": "Ampere"}},
            'device.attributes["gpu.nvidia.com"].architecture == "Ampere"',
        ),
        (
            {"key": "example.com/cores", "op": "GreaterThan", "value": {"intValue": 4}},
            'device.attributes["example.com"].cores > 4',
        ),
        (
            {"key": "mig", "op": "NotEqual", "value": {"boolValue": True}},
            'device.attributes["gpu.nvidia.com"].mig != true',
        ),
        (
            {
                "key": "driverVersion",
                "op": "GreaterThanOrEqual",
                "value": {"versionValue": "550.1.0"},
            },
            '(device.attributes["gpu.nvidia.com"].driverVersion).compareTo(semver("550.1.0")) >= 0',
        ),
    ],
)
def test_attribute_selector_cel(sel: dict[str, Any], cel: str) -> None:
    assert attribute_cel(DRADeviceAttributeSelector.model_validate(sel), "gpu.nvidia.com") == cel


def test_capacity_selector_and_driver_first() -> None:
    dev = {
        "name": "gpu",
        "capacitySelectors": [{"key": "memory", "op": "GreaterThanOrEqual", "value": "40Gi"}],
    }
    assert device_cel(DRADeviceSpec.model_validate(dev)) == [
        'device.driver == "gpu.nvidia.com"',
        '(device.capacity["gpu.nvidia.com"].memory).compareTo(quantity("40Gi")) >= 0',
    ]
    less = DRAResourceQuantitySelector.model_validate(
        {"key": "memory", "op": "LessThan", "value": "1Gi"})
    assert capacity_cel(less, "d").endswith("< 0")


@pytest.mark.parametrize(
    "sel",
    [
        {"key": "x", "op": "GreaterThan", "value": {"stringValue": "a"}},
        {"key": "x", "value": {"versionValue": "not-semver"}},
        {"key": "x", "value": {}},
    ],
)
def test_bad_selectors_raise_selector_error(sel: dict[str, Any]) -> None:
    with pytest.raises(SelectorError):
        attribute_cel(DRADeviceAttributeSelector.model_validate(sel), "d")


def test_dra_claims_wire_pod_and_every_container() -> None:
    spec = svc(
        draResources=[
            {"resourceClaimName": "shared-gpu"},
            {"claimCreationSpec": {"devices": [{"name": "gpu"}]}, "requests": ["gpu"]},
        ],
        sidecarContainers=[{"name": "side", "image": {"repository": "b", "tag": "1"}}],
    )
    r = render(spec)
    rct = r.find("ResourceClaimTemplate")
    assert rct is not None and rct["apiVersion"] == "resource.k8s.io/v1"
    pod = r.find("Deployment")["spec"]["template"]["spec"]  # type: ignore[index]
    claims = pod["resourceClaims"]
    assert claims[0]["resourceClaimName"] == "shared-gpu"
    assert claims[1]["resourceClaimTemplateName"] == rct["metadata"]["name"]
    for ctr in pod["containers"]:
        assert ctr["resources"]["claims"] == [
            {"name": claims[0]["name"]},
            {"name": claims[1]["name"], "request": "gpu"},
        ]


def test_dra_v1beta2_and_unsupported() -> None:
    spec = svc(draResources=[{"claimCreationSpec": {"devices": [{"name": "gpu"}]}}])
    rct = render(spec, ClusterFacts.all_apis(dra_version="v1beta2")).find("ResourceClaimTemplate")
    assert rct is not None and rct["apiVersion"] == "resource.k8s.io/v1beta2"
    r = render(spec, ClusterFacts.all_apis(dra_version=None))
    assert [p.reason for p in r.problems] == ["DRAResourcesUnsupported"]


def mn(pp: int, tp: int, **spec: Any) -> dict[str, Any]:
    return svc(multiNode={"parallelism": {"pipeline": pp, "tensor": tp}}, **spec)


@pytest.mark.parametrize(
    ("pp", "tp", "gpus", "size"),
    [(2, 8, None, 2), (2, 8, 8, 2), (2, 8, 4, 4), (1, 4, None, 1), (4, 2, 8, 1)],
)
def test_lws_group_size(pp: int, tp: int, gpus: int | None, size: int) -> None:
    res = {"limits": {"nvidia.com/gpu": gpus}} if gpus else {}
    lws = render(mn(pp, tp, resources=res)).find("LeaderWorkerSet")
    assert lws is not None
    assert lws["spec"]["leaderWorkerTemplate"]["size"] == size
    leader = lws["spec"]["leaderWorkerTemplate"]["leaderTemplate"]["spec"]["containers"][0]
    env = {e["name"]: e.get("value") for e in leader["env"]}
    assert env["NIM_NUM_COMPUTE_NODES"] == str(size)
    assert env["GPUS_PER_NODE"] == str(gpus or tp)


def test_lws_uneven_split_and_missing_api() -> None:
    r = render(mn(1, 8, resources={"limits": {"nvidia.com/gpu": 3}}))
    assert [p.reason for p in r.problems] == ["InvalidParallelism"]
    r = render(mn(2, 8), ClusterFacts())
    assert [p.reason for p in r.problems] == ["LeaderWorkerSetAPIMissing"]
    assert r.find("Service") is not None


def test_lws_mpi_hostfiles_and_generated_key() -> None:
    r = render(mn(2, 4, replicas=2))
    cm = r.find("ConfigMap", "llm-mpi-config")
    assert cm is not None
    assert cm["data"]["hostfile-1"] == f"localhost slots=4\nllm-lws-1-1.llm-lws.{NS}.svc slots=4\n"
    assert [s.name for s in r.generated_secrets] == ["llm-ssh-pk"]
    svc_obj = r.find("Service")
    assert svc_obj is not None
    assert svc_obj["spec"]["selector"] == {"app": "llm-lws", "nim-llm-role": "leader"}


def test_lws_ray_backend() -> None:
    r = render(
        svc(multiNode={"parallelism": {"pipeline": 2, "tensor": 4}, "ray": {"rayPort": 6380}})
    )
    tmpl = r.find("LeaderWorkerSet")["spec"]["leaderWorkerTemplate"]  # type: ignore[index]
    worker = tmpl["workerTemplate"]["spec"]["containers"][0]
    assert worker["args"] == ["nim-serve-ray", "--head-address", "$(LWS_LEADER_ADDRESS):6380"]
    assert worker["startupProbe"]["exec"]["command"][-1] == "ray status"
    assert r.find("ConfigMap") is None and not r.generated_secrets


def kserve(**spec: Any) -> dict[str, Any]:
    return svc(inferencePlatform="kserve", **spec)


def test_kserve_never_flips_live_mode() -> None:
    spec = kserve(annotations={"serving.kserve.io/deploymentMode": "Standard"})
    facts = ClusterFacts.all_apis(inference_service_modes={f"{NS}/llm": "Serverless"})
    isvc = render(spec, facts).find("InferenceService")
    assert isvc is not None
    assert isvc["metadata"]["annotations"]["serving.kserve.io/deploymentMode"] == "Serverless"
    assert "minReplicas" not in isvc["spec"]["predictor"]


def test_kserve_mode_chain_and_invalid() -> None:
    facts = ClusterFacts.all_apis(kserve_default_mode="Knative")
    isvc = render(kserve(), facts).find("InferenceService")
    assert isvc["metadata"]["annotations"]["serving.kserve.io/deploymentMode"] == "Knative"  # type: ignore[index]
    bad = render(kserve(annotations={"serving.kserve.io/deploymentMode": "Fast"}))
    assert [p.reason for p in bad.problems] == ["InvalidDeploymentMode"]


def test_kserve_standard_scale_fields_and_command() -> None:
    spec = kserve(
        command=["run"],
        scale={
            "enabled": True,
            "hpa": {
                "maxReplicas": 3,
                "metrics": [
                    {
                        "type": "Resource",
                        "resource": {
                            "name": "cpu",
                            "target": {"type": "Utilization", "averageUtilization": 80},
                        },
                    }
                ],
            },
        },
    )
    isvc = render(spec).find("InferenceService")
    assert isvc is not None
    pred = isvc["spec"]["predictor"]
    assert (
        pred["minReplicas"],
        pred["maxReplicas"],
        pred["scaleMetric"],
        pred["scaleMetricType"],
        pred["scaleTarget"],
    ) == (1, 3, "cpu", "Utilization", 80)
    assert pred["containers"][0]["command"] == ["run"]
    assert isvc["metadata"]["labels"]["networking.kserve.io/visibility"] == "cluster-local"


def test_kserve_knative_rejects_hpa_and_missing_api() -> None:
    spec = kserve(
        annotations={"serving.kserve.io/deploymentMode": "Knative"},
        scale={"enabled": True, "hpa": {"maxReplicas": 2}},
    )
    assert [p.reason for p in render(spec).problems] == ["UnsupportedOnKServe"]
    assert [p.reason for p in render(kserve(), ClusterFacts()).problems] == [
        "InferenceServiceAPIMissing"
    ]
