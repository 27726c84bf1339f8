"""validation.check: the rules CEL cannot express, each with a passing and a failing case."""

from __future__ import annotations

from typing import Any

from nimop.api import parse_object
from nimop.api.validation import check


def _obj(kind: str, spec: dict[str, Any]) -> Any:
    return parse_object(
        {
            "apiVersion": "apps.nvidia.com/v1alpha1",
            "kind": kind,
            "metadata": {"name": "x"},
            "spec": spec,
        }
    )


IMAGE = {"repository": "nvcr.io/nim/x", "tag": "1"}
SERVICE = {"image": IMAGE, "authSecret": "ngc", "storage": {"nimCache": {"name": "c"}}}
CACHE = {
    "source": {"ngc": {"authSecret": "a", "modelPuller": "p"}},
    "storage": {"pvc": {"create": True, "size": "1Gi"}},
}


def _reasons(obj: Any) -> set[str]:
    return {p.reason for p in check(obj)}


def test_clean_objects_have_no_problems() -> None:
    assert check(_obj("NIMService", SERVICE)) == []
    assert check(_obj("NIMCache", CACHE)) == []
    assert check(_obj("NIMBuild", {"nimCache": {"name": "c"}, "image": IMAGE})) == []


def test_no_proxy_tokens() -> None:
    good = {
        **SERVICE,
        "proxy": {"noProxy": "localhost, .svc,10.0.0.0/8,[::1]:8080,192.168.1.1:80,*.example.com"},
    }
    assert check(_obj("NIMService", good)) == []
    bad = {**CACHE, "proxy": {"noProxy": "localhost,http://x,bad host"}}
    problems = check(_obj("NIMCache", bad))
    assert [p.path for p in problems] == ["spec.proxy.noProxy"]
    assert "http://x" in problems[0].message and "bad host" in problems[0].message
    assert problems[0].severity == "error"


def test_webhook_warnings() -> None:
    spec = {k: v for k, v in SERVICE.items() if k != "authSecret"}
    spec["expose"] = {
        "ingress": {"enabled": True},
        "service": {"type": "LoadBalancer"},
        "router": {"hostDomainName": "example.com", "gateway": {"name": "g", "namespace": "n"}},
    }
    problems = check(_obj("NIMService", spec))
    assert {p.reason for p in problems} == {
        "AuthSecretMissing",
        "DeprecatedField",
        "LoadBalancerWithRouter",
    }
    assert all(p.severity == "warning" for p in problems)


def test_single_node_multinode_group_is_flagged() -> None:
    assert "SingleNodeGroup" in _reasons(
        _obj("NIMService", {**SERVICE, "multiNode": {"parallelism": {"pipeline": 1}}})
    )
    assert "SingleNodeGroup" not in _reasons(
        _obj("NIMService", {**SERVICE, "multiNode": {"parallelism": {"pipeline": 2}}})
    )


def test_nimcache_cert_config_and_host_path() -> None:
    spec = {**CACHE, "certConfig": {"name": "ca", "mountPath": "/certs"}}
    spec["storage"] = {**CACHE["storage"], "hostPath": "/data"}
    problems = {p.reason: p for p in check(_obj("NIMCache", spec))}
    assert problems["UnsupportedField"].severity == "error"
    assert problems["DeprecatedField"].path == "spec.storage.hostPath"


def test_pipeline_dependencies_and_enabled() -> None:
    spec = {
        "services": [
            {
                "name": "llm",
                "enabled": True,
                "spec": SERVICE,
                "dependencies": [{"name": "embedder", "port": 8000}],
            },
            {"name": "ranker", "spec": SERVICE},
        ]
    }
    problems = check(_obj("NIMPipeline", spec))
    assert {(p.path, p.reason) for p in problems} == {
        ("spec.services[0].dependencies[0].name", "UnknownDependency"),
        ("spec.services[1].enabled", "ServiceDisabled"),
    }
    spec["services"][1] = {"name": "embedder", "enabled": True, "spec": SERVICE}
    assert check(_obj("NIMPipeline", spec)) == []
