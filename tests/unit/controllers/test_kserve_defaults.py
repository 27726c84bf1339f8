"""KServe's cluster defaults on the in-memory API: a NIMService on KServe without a mode
annotation renders KServe's `defaultDeploymentMode` from `inferenceservice-config`, keys in
`serviceAnnotationDisallowedList` are ignored, and an edit of the ConfigMap re-renders."""

from __future__ import annotations

import json
from typing import Any

import pytest

from nimop.controllers.kserve_config import defaults, namespace_from
from tests.e2e.crs import nimservice
from tests.unit.controllers.harness import Operator, running

MODE = "serving.kserve.io/deploymentMode"


def config(mode: str | None, disallowed: list[str] | None = None) -> dict[str, Any]:
    data = {"deploy": json.dumps({"defaultDeploymentMode": mode} if mode else {})}
    if disallowed is not None:
        data["inferenceService"] = json.dumps({"serviceAnnotationDisallowedList": disallowed})
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "inferenceservice-config", "namespace": "kserve"},
            "data": data}  # fmt: skip


def on_kserve(name: str, **annotations: str) -> dict[str, Any]:
    obj = nimservice(name, inferencePlatform="kserve", replicas=1)
    obj["spec"].pop("expose", None)
    if annotations:
        obj["spec"]["annotations"] = annotations
    return obj


def isvc(op: Operator, name: str) -> dict[str, Any]:
    return dict(op.must("InferenceService", name))


def test_defaults_read_deploy_and_inference_service_keys() -> None:
    assert defaults(config("Serverless", ["a/b"])) == ("Serverless", ("a/b",))
    assert defaults(config(None)) == (None, ())
    assert defaults(None) == (None, ())
    broken = {"data": {"deploy": "{not json", "inferenceService": "[]"}}
    assert defaults(broken) == (None, ())


def test_namespace_from_the_one_controller() -> None:
    def dep(ns: str) -> dict[str, Any]:
        return {"metadata": {"name": "kserve-controller-manager", "namespace": ns}}

    assert namespace_from([dep("kserve")]) == "kserve"
    assert namespace_from([]) is None
    assert namespace_from([dep("a"), dep("b")]) is None


async def test_serverless_default_and_its_change(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KSERVE_NAMESPACE", "kserve")
    async with running(objects=[config("Serverless")]) as op:
        await op.put(on_kserve("llm"))
        obj = isvc(op, "llm")
        assert obj["metadata"]["annotations"][MODE] == "Serverless"
        assert "minReplicas" not in obj["spec"]["predictor"], "no Standard-only replica fields"

        op.twin.patch("ConfigMap", "kserve", "inferenceservice-config",
                      {"data": config("Standard")["data"]})  # fmt: skip
        await op.settle()
        obj = isvc(op, "llm")
        assert obj["metadata"]["annotations"][MODE] == "Standard", "re-rendered on the change"
        assert "minReplicas" in obj["spec"]["predictor"]


async def test_disallowed_annotation_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KSERVE_NAMESPACE", "kserve")
    async with running(objects=[config("Serverless", [MODE])]) as op:
        await op.put(on_kserve("llm", **{MODE: "Standard"}))
        assert isvc(op, "llm")["metadata"]["annotations"][MODE] == "Serverless"


async def test_without_kserve_namespace_standard_as_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("KSERVE_NAMESPACE", raising=False)
    async with running(objects=[config("Serverless")]) as op:
        await op.put(on_kserve("llm"))
        assert isvc(op, "llm")["metadata"]["annotations"][MODE] == "Standard"
