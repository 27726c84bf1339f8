"""The NeMo models: upstream defaults, nimop's extensions, and what the CRD's CEL rules say."""

from __future__ import annotations

from typing import Any

from nimop.api import parse_object
from nimop.api.crdgen import crds
from nimop.api.nemo_customizer import NemoCustomizerSpec
from nimop.api.nemo_guardrail import NemoGuardrail


def _spec(kind: str) -> dict[str, Any]:
    crd = next(c for c in crds() if c["spec"]["names"]["kind"] == kind)
    spec: dict[str, Any] = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    return dict(spec["properties"]["spec"])


def _messages(node: dict[str, Any]) -> list[str]:
    return [v["message"] for v in node.get("x-kubernetes-validations", [])]


def test_upstream_defaults_apply_when_parsing() -> None:
    obj = parse_object(
        {
            "apiVersion": "apps.nvidia.com/v1alpha1",
            "kind": "NemoGuardrail",
            "metadata": {"name": "g", "namespace": "n"},
            "spec": {
                "image": {"repository": "r", "tag": "1"},
                "nimEndpoint": {"baseURL": "http://nim:8000/v1"},
                "databaseConfig": {
                    "host": "pg",
                    "databaseName": "db",
                    "credentials": {"user": "u", "secretName": "s"},
                },
                "otel": {"enabled": True},
            },
        }
    )
    assert isinstance(obj, NemoGuardrail)
    assert obj.spec.nim_endpoint is not None and obj.spec.database_config is not None
    assert obj.spec.nim_endpoint.api_key_key == "NIM_ENDPOINT_API_KEY"
    assert obj.spec.database_config.port == 5432
    assert obj.spec.database_config.credentials.password_key == "password"
    assert obj.spec.otel is not None and obj.spec.otel.excluded_urls == ["health"]
    assert obj.spec.otel.log_level == "INFO"


def test_customizer_model_config_keeps_its_wire_name() -> None:
    """`modelConfig` collides with pydantic's `model_config`; the attribute is renamed, the
    wire name is not."""
    schema = _spec("NemoCustomizer")
    assert "modelConfig" in schema["properties"] and "modelConfig" in schema["required"]
    assert NemoCustomizerSpec.model_fields["model_config_ref"].alias == "modelConfig"


def test_nemo_rules_name_the_field_and_the_fix() -> None:
    spec = _spec("NemoEntitystore")
    assert any("remove spec.replicas" in m for m in _messages(spec))
    expose = spec["properties"]["expose"]
    assert any("grpcPort is not supported" in m for m in _messages(expose))
    ingress = expose["properties"]["ingress"]
    assert any("ingressClassName" in m for m in _messages(ingress))


def test_guardrail_takes_a_url_or_a_nimservice_reference() -> None:
    endpoint = _spec("NemoGuardrail")["properties"]["nimEndpoint"]
    assert "baseURL" not in endpoint.get("required", [])
    assert any("exactly one of spec.nimEndpoint.baseURL" in m for m in _messages(endpoint))
    store = _spec("NemoGuardrail")["properties"]["configStore"]
    assert any("mutually exclusive" in m for m in _messages(store))
