"""NIMPipeline: a set of NIMServices created, updated and removed together.

Upstream: ``api/apps/v1alpha1/nimpipeline_types.go`` (§1.4, §5). Each entry embeds a
full NIMServiceSpec, so the NIMService rules apply to it as well.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from nimop.api.base import Int32, K8sModel, Schema
from nimop.api.cel import Rule, validations
from nimop.api.core import meta_v1
from nimop.api.nimservice import NIMServiceSpec
from nimop.api.resource import CustomResource

MAX_SERVICES = 32


class ServiceDependency(K8sModel):
    """Another service of the pipeline this one calls; its endpoint is passed as env."""

    env_name: str | None = Field(None, alias="envName")
    """Environment variable receiving the endpoint."""
    env_value: str | None = Field(None, alias="envValue")
    """Value of the variable; the dependency's in-cluster URL when unset."""
    name: str
    """Name of the dependency (a service of this pipeline)."""
    port: Int32
    """Port of the dependency."""


class NIMServicePipelineSpec(K8sModel):
    """One service of the pipeline."""

    dependencies: list[ServiceDependency] | None = None
    """Services this one depends on."""
    enabled: bool | None = None
    """Deploy this service. Unset means disabled (upstream behaviour)."""
    name: Annotated[str, Schema({"maxLength": 63})] | None = None
    """Name of the NIMService to create."""
    spec: NIMServiceSpec | None = None
    """The NIMService spec."""


class NIMPipelineSpec(K8sModel):
    """Desired state of a NIMPipeline."""

    services: (
        Annotated[
            list[NIMServicePipelineSpec],
            Schema({"maxItems": MAX_SERVICES}),
            validations(
                Rule(
                    "self.all(s, !has(s.name) || self.filter(t, has(t.name) && "
                    "t.name == s.name).size() == 1)",
                    "spec.services[].name must be unique within the pipeline",
                )
            ),
        ]
        | None
    ) = None
    """The services of the pipeline."""


class NIMPipelineStatus(K8sModel):
    """Observed state of a NIMPipeline."""

    conditions: list[meta_v1.Condition] | None = None
    """Conditions of the pipeline."""
    state: str | None = None
    """Ready when every enabled service is Ready; NotReady or Failed otherwise."""
    states: dict[str, str] | None = None
    """State of each service, by name."""


class NIMPipeline(CustomResource):
    """NIMPipeline manages a set of NIMServices (e.g. an LLM, an embedder and a reranker for
    RAG) together, wiring their dependencies through environment variables."""

    kind: Literal["NIMPipeline"] = "NIMPipeline"
    spec: NIMPipelineSpec = Field(default_factory=NIMPipelineSpec)
    """The services of the pipeline."""
    status: NIMPipelineStatus | None = None
    """Observed state, written by the operator."""
