"""NIMCache, profile selection, NIMPipeline, facts and the offline CLI (§3, §5)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from nimop.api.nimcache import ModelSpec
from nimop.cli import main
from nimop.render import ClusterFacts, render_nimcache, render_nimpipeline, select_profiles
from tests.unit.render.cases import GOLDEN, MANIFEST


def nimcache(source: dict[str, Any], **spec: Any) -> dict[str, Any]:
    body = {"source": source, "storage": {"pvc": {"create": True, "size": "5Gi"}}, **spec}
    return {
        "apiVersion": "apps.nvidia.com/v1alpha1",
        "kind": "NIMCache",
        "metadata": {"name": "c", "namespace": "ns", "uid": "u"},
        "spec": body,
    }


def job_ctr(r: Any) -> dict[str, Any]:
    job = r.find("Job")
    assert job is not None, r.problems
    ctr: dict[str, Any] = job["spec"]["template"]["spec"]["containers"][0]
    return ctr


NGC = {"ngc": {"modelPuller": "puller:1", "authSecret": "a", "pullSecret": "p"}}


def test_ngc_explicit_profiles_and_all_probe_the_manifest_too() -> None:
    """Explicit profiles are cached as given, after the manifest probe that lets the cache
    report their tags in `status.profiles` (upstream probes every non-native NGC cache)."""
    facts = ClusterFacts(model_manifests={"ns/c": MANIFEST})
    src = {"ngc": {**NGC["ngc"], "model": {"profiles": ["p1", "p2"]}}}
    r = render_nimcache(nimcache(src))
    assert [p.reason for p in r.problems] == ["ModelManifestPending"]
    assert r.find("Pod", "c-pod") is not None and r.find("Job") is None
    assert job_ctr(render_nimcache(nimcache(src), facts))["args"] == ["--profiles", "p1", "p2"]
    src = {"ngc": {**NGC["ngc"], "model": {"profiles": ["all"]}}}
    assert job_ctr(render_nimcache(nimcache(src), facts))["args"] == ["--all"]


def test_ngc_auto_selection_waits_for_manifest_then_selects() -> None:
    obj = nimcache({"ngc": {**NGC["ngc"], "model": {"engine": "vllm", "tensorParallelism": "8"}}})
    r = render_nimcache(obj)
    assert [p.reason for p in r.problems] == ["ModelManifestPending"]
    assert r.find("Pod", "c-pod") is not None and r.find("Job") is None
    r = render_nimcache(obj, ClusterFacts(model_manifests={"ns/c": MANIFEST}))
    assert job_ctr(r)["args"] == ["--profiles", "0a0b0c-vllm-tp8"]


def select(model: dict[str, Any], manifest: dict[str, Any], gpus: tuple[str, ...]) -> list[str]:
    """`select_profiles` for `source.ngc.model` as a user writes it."""
    return select_profiles(ModelSpec.model_validate(model), manifest, gpus)


def test_profile_selection_rules() -> None:
    gpus = ("NVIDIA-L40S",)
    # upstream: the backend must contain the engine minus "_llm", so tensorrt_llm also picks
    # the plain tensorrt profile
    assert select({"engine": "tensorrt_llm"}, MANIFEST, gpus) == [
        "a1b2c3-trtllm-l40s-tp1",
        "e7f8a9-trt-embed",
    ]
    assert select({"engine": "vllm", "tensorParallelism": "1"}, MANIFEST, gpus) == [
        "d4e5f6-vllm-tp1"
    ]
    assert select({"precision": "BF16"}, MANIFEST, gpus) == []  # v1 is case-sensitive
    assert select({"gpus": [{"product": "h100"}]}, MANIFEST, gpus) == []
    v2 = {
        "schema_version": "2.0",
        "profiles": [
            {
                "id": "x",
                "tags": {"llm_engine": "tensorrt_llm", "gpu": "H100", "trtllm_buildable": "true"},
            },
            {"id": "y", "tags": {"llm_engine": "tensorrt_llm", "gpu": "H100"}},
        ],
    }
    assert select({"engine": "tensorrt_llm"}, v2, gpus) == ["x"]  # buildable kept


def test_hf_and_datastore_and_universal_commands() -> None:
    hf = {
        "hf": {
            "endpoint": "https://huggingface.co",
            "namespace": "org",
            "modelName": "m",
            "authSecret": "h",
            "modelPuller": "puller:1",
            "pullSecret": "p",
            "revision": "v1",
        }
    }
    ctr = job_ctr(render_nimcache(nimcache(hf), ClusterFacts(model_manifests={"ns/c": {}})))
    assert ctr["command"] == ["huggingface-cli"]
    assert ctr["args"] == [
        "download",
        "org/m",
        "--local-dir",
        "/model-store",
        "--repo-type",
        "model",
        "--revision",
        "v1",
    ]
    ds = {
        "dataStore": {
            **hf["hf"],
            "endpoint": "https://ds/v1/hf",
            "modelName": None,
            "datasetName": "d",
        }
    }
    obj = nimcache(ds)
    obj["status"] = {"type": "model-free"}
    ctr = job_ctr(render_nimcache(obj))  # dataset never goes through download-to-cache (§9 bug 14)
    assert ctr["args"][:2] == ["download", "org/d"] and "dataset" in ctr["args"]
    uni = {"ngc": {**NGC["ngc"], "modelEndpoint": "ngc://org/m"}}
    assert job_ctr(render_nimcache(nimcache(uni)))["command"] == ["create-model-store"]


def test_cache_pvc_job_gone_when_ready_and_size_required() -> None:
    src = {"ngc": {**NGC["ngc"], "model": {"profiles": ["all"]}}}
    ready = {**nimcache(src), "status": {"state": "Ready"}}
    r = render_nimcache(ready)
    assert r.find("Job") is None and r.find("PersistentVolumeClaim") is not None
    bad = nimcache(src, storage={"pvc": {"create": True}})
    assert [p.reason for p in render_nimcache(bad).problems] == ["InvalidPVCSpec"]


def test_cache_resources_only_those_set_and_proxy_env() -> None:
    src = {"ngc": {**NGC["ngc"], "model": {"profiles": ["all"]}}}
    ctr = job_ctr(
        render_nimcache(
            nimcache(src, resources={"memory": "8Gi"}, proxy={"httpProxy": "http://p:1"}),
            ClusterFacts(model_manifests={"ns/c": MANIFEST}),
        )
    )
    assert ctr["resources"] == {"requests": {"memory": "8Gi"}, "limits": {"memory": "8Gi"}}
    assert {"name": "http_proxy", "value": "http://p:1"} in ctr["env"]


def test_pipeline_enabled_services_and_dependency_env() -> None:
    pipe = {
        "apiVersion": "apps.nvidia.com/v1alpha1",
        "kind": "NIMPipeline",
        "metadata": {"name": "p", "namespace": "ns", "uid": "u"},
        "spec": {
            "services": [
                {
                    "name": "a",
                    "enabled": True,
                    "spec": {"image": {"repository": "r", "tag": "1"}},
                    "dependencies": [
                        {"name": "b", "port": 9000, "envName": "B_URL"},
                        {"name": "c", "port": 1, "envName": "C", "envValue": "v"},
                    ],
                },
                {"name": "b", "spec": {"image": {"repository": "r", "tag": "1"}}},
            ]
        },
    }
    r = render_nimpipeline(pipe)
    assert [o["metadata"]["name"] for o in r.objects] == ["a"]  # enabled unset = disabled
    assert r.objects[0]["spec"]["env"] == [
        {"name": "B_URL", "value": "http://b.ns.svc:9000"},
        {"name": "C", "value": "v"},
    ]


def test_facts_from_mapping_accepts_camel_case(tmp_path: Path) -> None:
    facts = ClusterFacts.from_mapping(
        {
            "lws": True,
            "draVersion": "v1beta2",
            "nimcaches": [
                {
                    "metadata": {"name": "c", "namespace": "ns"},
                    "status": {"state": "Ready", "pvc": "c-pvc"},
                }
            ],
        }
    )
    assert facts.lws and facts.dra_version == "v1beta2"
    cache = facts.nimcache("ns", "c")
    assert cache is not None and cache.ready and cache.pvc == "c-pvc"


def test_cli_render_prints_applyable_yaml(tmp_path: Path, capsys: Any) -> None:
    facts = tmp_path / "facts.yaml"
    facts.write_text("lws: true\n")
    sample = (
        GOLDEN / "inputs" / "samples" / ("serving_advanced_multi-node_multi-node-nimservice.yaml")
    )
    assert main(["render", "-f", str(sample), "--facts", str(facts)]) == 0
    docs = [d for d in yaml.safe_load_all(capsys.readouterr().out) if d]
    assert "LeaderWorkerSet" in {d["kind"] for d in docs}
    assert all("ownerReferences" not in d["metadata"] for d in docs)
