"""NemoGuardrail: the NeMo Guardrails microservice, which checks the input and output of an LLM
served by a NIM (upstream `nemo_guardrails_types.go`, §1.6).

nimop adds `nimEndpoint.nimServiceRef`: name a NIMService instead of writing its URL, and the
operator fills in the URL and reports when the NIMService is missing or not Ready.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from nimop.api.base import K8sModel, Schema
from nimop.api.cel import Rule, at_most_one, rules
from nimop.api.common import PersistentVolumeClaim
from nimop.api.nemo_common import (
    NEMO_SPEC_RULES,
    ConfigMapRef,
    DatabaseConfig,
    NemoSpec,
    NemoStatus,
    OTelSpec,
)
from nimop.api.resource import CustomResource

NIM_BASE_URL = r"^https?:\/\/[^\s]+\/v1\/?$"
#: The empty string is what a Go client on upstream's types writes for a baseURL it never set
#: (nimop.api.gozero): it passes the schema and reads as unset, so a `nimServiceRef` written by
#: such a client is not refused for the URL beside it.
BaseURL = Annotated[str, Schema({"maxLength": 2048, "pattern": f"^$|{NIM_BASE_URL}"})]
DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"


class NIMServiceRef(K8sModel):
    """A NIMService whose API the guardrail calls."""

    name: Annotated[str, Schema({"minLength": 1, "maxLength": 253})]
    """Name of the NIMService."""
    namespace: Annotated[str, Schema({"maxLength": 63, "pattern": DNS_LABEL})] | None = None
    """Namespace of the NIMService; the guardrail's when unset."""


class NIMEndpoint(K8sModel):
    """The NIM (or NIM proxy) the guardrail sends LLM calls to."""

    base_url: BaseURL | None = Field(None, alias="baseURL")
    """Base URL of the OpenAI-compatible API, ending in `/v1`, e.g.
    `http://meta-llama3-8b-instruct.nim.svc:8000/v1`. Set this or `nimServiceRef`."""
    nim_service_ref: NIMServiceRef | None = Field(None, alias="nimServiceRef")
    """A NIMService to call (nimop extension): the URL is taken from its Service, and the
    guardrail is Ready only when the NIMService is."""
    api_key_secret: str | None = Field(None, alias="apiKeySecret")
    """Secret with the API key, for NIM proxies or NVIDIA-hosted endpoints."""
    api_key_key: str = Field("NIM_ENDPOINT_API_KEY", alias="apiKeyKey")
    """Key of the API key in `apiKeySecret`."""

    model_config = rules(
        Rule(
            "(has(self.baseURL) && self.baseURL != '' ? 1 : 0)"
            " + (has(self.nimServiceRef) ? 1 : 0) == 1",
            "set exactly one of spec.nimEndpoint.baseURL (a URL ending in /v1) and "
            "spec.nimEndpoint.nimServiceRef (a NIMService name)",
        ),
    )


class ConfigStore(K8sModel):
    """Where the guardrail configurations live: a ConfigMap or a PVC (not both)."""

    config_map: ConfigMapRef | None = Field(None, alias="configMap")
    """A ConfigMap with the configurations (read-only)."""
    pvc: PersistentVolumeClaim | None = None
    """A PVC, created (`create: true`, named `name` or `<name>-pvc`) or existing."""

    model_config = rules(
        at_most_one("spec.configStore", ["configMap", "pvc"], ": choose one config store"),
    )


class NemoGuardrailSpec(NemoSpec):
    """Desired state of a NemoGuardrail."""

    config_store: ConfigStore | None = Field(None, alias="configStore")
    """Guardrail configurations; an empty directory when unset."""
    database_config: DatabaseConfig | None = Field(None, alias="databaseConfig")
    """A PostgreSQL database; runs the database migration before the service starts."""
    nim_endpoint: NIMEndpoint | None = Field(None, alias="nimEndpoint")
    """The NIM the guardrail calls."""
    otel: OTelSpec | None = None
    """OpenTelemetry."""

    model_config = rules(*NEMO_SPEC_RULES)


class NemoGuardrail(CustomResource):
    """NemoGuardrail runs the NeMo Guardrails microservice in front of a NIM: a Deployment, a
    Service, its config store, and optionally an Ingress or routes, HPA and ServiceMonitor."""

    kind: Literal["NemoGuardrail"] = "NemoGuardrail"
    spec: NemoGuardrailSpec
    """Desired state of the guardrail service."""
    status: NemoStatus | None = None
    """Observed state, written by the operator."""
