"""Focused rules of the NIMService renderers (§4), one behaviour per test."""

from __future__ import annotations

from nimop.render import ClusterFacts
from nimop.render.env import merge_env
from tests.unit.render.helpers import cache, env_of, facts_with, main_ctr, profile, render, svc


def test_env_precedence_standard_user_proxy() -> None:
    """§4.1.2: user env overrides standard env; proxy env overrides both."""
    spec = svc(
        env=[
            {"name": "NIM_LOG_LEVEL", "value": "DEBUG"},
            {"name": "HTTPS_PROXY", "value": "http://user"},
            {"name": "MINE", "value": "$(NIM_CACHE_PATH)/x"},
        ],
        proxy={"httpsProxy": "http://proxy:3128", "noProxy": ".svc"},
    )
    env = main_ctr(render(spec))["env"]
    values = {e["name"]: e.get("value") for e in env}
    assert values["NIM_LOG_LEVEL"] == "DEBUG"
    assert values["HTTPS_PROXY"] == values["https_proxy"] == "http://proxy:3128"
    assert values["NO_PROXY"] == values["no_proxy"] == ".svc"
    names = [e["name"] for e in env]
    assert names.index("NIM_CACHE_PATH") < names.index("MINE")  # $(VAR) resolvable


def test_merge_env_override_wins_and_keeps_base_order() -> None:
    base = [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]
    assert merge_env(base, [{"name": "B", "value": "x"}, {"name": "C", "value": "3"}]) == [
        {"name": "A", "value": "1"},
        {"name": "B", "value": "x"},
        {"name": "C", "value": "3"},
    ]


def test_gpu_count_from_cached_profile_tp() -> None:
    """§4.9: an NGC-optimized cache profile with tp=2 asks for 2 GPUs (requests and limits)."""
    c = cache(profiles=(profile("p2", tp="2"),))
    spec = svc(storage={"nimCache": {"name": "c", "profile": "p2"}})
    ctr = main_ctr(render(spec, facts_with(c)))
    assert ctr["resources"] == {"requests": {"nvidia.com/gpu": 2}, "limits": {"nvidia.com/gpu": 2}}
    assert env_of(ctr)["NIM_MODEL_PROFILE"] == "p2"


def test_gpu_count_keeps_user_gpus_and_other_resources() -> None:
    c = cache(profiles=(profile("p2", tp="2"),))
    spec = svc(
        storage={"nimCache": {"name": "c", "profile": "p2"}},
        resources={"limits": {"nvidia.com/gpu": 4, "cpu": "2"}},
    )
    assert main_ctr(render(spec, facts_with(c)))["resources"] == {
        "limits": {"nvidia.com/gpu": 4, "cpu": 2}  # quantities read in one form: "2" is 2
    }


def test_gpu_count_skipped_for_universal_cache_and_with_dra() -> None:
    universal = cache(
        source="hf", hf_namespace="org", hf_model_name="m", profiles=(profile("p", tp="2"),)
    )
    spec = svc(storage={"nimCache": {"name": "c", "profile": "p"}})
    assert "resources" not in main_ctr(render(spec, facts_with(universal)))
    env = env_of(main_ctr(render(spec, facts_with(universal))))
    assert env["NIM_MODEL_NAME"] == "/model-store"
    assert env["NIM_MODEL_PATH"] == "hf://org/m"


def test_unparsable_tp_is_a_failed_problem() -> None:
    c = cache(profiles=(profile("p", tp="two"),))
    r = render(svc(storage={"nimCache": {"name": "c", "profile": "p"}}), facts_with(c))
    assert [(p.reason, p.failed) for p in r.problems] == [("InvalidProfile", True)]


def test_nimcache_missing_not_ready_failed() -> None:
    spec = svc(storage={"nimCache": {"name": "c"}})
    missing = render(spec, facts_with()).problems[0]
    assert (missing.reason, missing.failed) == ("NIMCacheNotFound", False)  # wait, not Failed
    r = render(spec, facts_with(cache(state="InProgress", pvc="")))
    assert (r.problems[0].reason, r.problems[0].failed) == ("NIMCacheNotReady", False)
    assert r.find("Deployment") is None and r.find("Service") is not None
    assert render(spec, facts_with(cache(state="Failed"))).problems[0].reason == "NIMCacheFailed"


def test_hpa_owns_replicas() -> None:
    spec = svc(scale={"enabled": True, "hpa": {"minReplicas": 2, "maxReplicas": 5}})
    r = render(spec)
    dep, hpa = r.find("Deployment"), r.find("HorizontalPodAutoscaler")
    assert dep is not None and hpa is not None
    assert "replicas" not in dep["spec"]
    assert hpa["spec"]["minReplicas"] == 2 and hpa["spec"]["maxReplicas"] == 5
    assert render(svc(replicas=3)).find("Deployment")["spec"]["replicas"] == 3  # type: ignore[index]
    assert render(svc(replicas=3)).find("HorizontalPodAutoscaler") is None


def test_probes_default_custom_and_disabled() -> None:
    ctr = main_ctr(render(svc()))
    assert ctr["livenessProbe"]["httpGet"] == {"path": "/v1/health/live", "port": "api"}
    assert ctr["startupProbe"]["failureThreshold"] == 120
    custom = {"exec": {"command": ["true"]}}
    ctr = main_ctr(render(svc(livenessProbe={"enabled": False}, readinessProbe={"probe": custom})))
    assert "livenessProbe" not in ctr
    assert ctr["readinessProbe"] == custom


def test_storage_choices() -> None:
    def volume(**storage: object) -> dict[str, object]:
        dep = render(svc(storage=storage)).find("Deployment")
        assert dep is not None
        vols = dep["spec"]["template"]["spec"]["volumes"]
        return next(v for v in vols if v["name"] == "model-store")

    assert volume(pvc={"name": "mine", "subPath": "a"}) == {
        "name": "model-store",
        "persistentVolumeClaim": {"claimName": "mine"},
    }
    assert volume(emptyDir={"sizeLimit": "10Gi"})["emptyDir"] == {"sizeLimit": "10Gi"}
    assert volume(hostPath="/data")["hostPath"] == {"path": "/data", "type": "DirectoryOrCreate"}
    r = render(svc(storage={"pvc": {"create": True, "size": "10Gi", "storageClass": ""}}))
    pvc = r.find("PersistentVolumeClaim", "llm-pvc")
    assert pvc is not None and "storageClassName" not in pvc["spec"]
    assert render(svc(storage={})).problems[0].reason == "InvalidStorage"


def test_proxy_ca_wiring() -> None:
    r = render(svc(proxy={"certConfigMap": "my-ca"}))
    pod = r.find("Deployment")["spec"]["template"]["spec"]  # type: ignore[index]
    assert {"name": "custom-ca", "configMap": {"name": "my-ca"}} in pod["volumes"]
    assert pod["initContainers"][0]["name"] == "update-ca-certificates"
    assert {"name": "ca-cert-volume", "mountPath": "/etc/ssl"} in pod["containers"][0][
        "volumeMounts"
    ]


def test_openshift_scc_role_matches_pod_annotation() -> None:
    """§9 bug 24: the Role grants exactly the SCC the pod requests; no Role off OpenShift."""
    spec = svc(proxy={"httpsProxy": "http://p:1"})
    r = render(spec, ClusterFacts.all_apis(openshift=True))
    role = r.find("Role")
    ann = r.find("Deployment")["spec"]["template"]["metadata"]["annotations"]  # type: ignore[index]
    assert role is not None
    assert role["rules"][0]["resourceNames"] == [ann["openshift.io/required-scc"]] == ["nonroot"]
    assert render(spec).find("Role") is None


def test_hf_model_env_uses_hf_token() -> None:
    spec = svc(authSecret="s", env=[{"name": "NIM_MODEL_NAME", "value": "hf://org/m"}])
    env = env_of(main_ctr(render(spec)))
    assert env["HF_TOKEN"] == {"secretKeyRef": {"name": "s", "key": "HF_TOKEN"}}
    assert env["NGC_API_KEY"]["secretKeyRef"]["optional"] is True


def test_missing_apis_are_problems_not_exceptions() -> None:
    vanilla = ClusterFacts()
    spec = svc(
        metrics={"enabled": True},
        expose={"router": {"hostDomainName": "x.io", "gateway": {"name": "g", "namespace": "gw"}}},
    )
    reasons = {p.reason for p in render(spec, vanilla).problems}
    assert reasons == {"GatewayAPIMissing", "ServiceMonitorAPIMissing"}


def test_owner_reference_is_controller() -> None:
    ref = render(svc()).find("Service")["metadata"]["ownerReferences"][0]  # type: ignore[index]
    assert ref["controller"] is True and ref["blockOwnerDeletion"] is True and ref["uid"] == "u-1"
