"""NIMBuild: build a TensorRT-LLM engine from a buildable profile of a NIMCache.

Upstream: ``api/apps/v1alpha1/nimbuild_types.go`` (§1.5); the whole spec is
immutable (a build runs once).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from nimop.api.base import K8sModel, Quantity, Schema
from nimop.api.cel import immutable, validations
from nimop.api.common import Image, NIMProfile
from nimop.api.core import core_v1, meta_v1
from nimop.api.resource import CustomResource


class NIMCacheReference(K8sModel):
    """The NIMCache holding the buildable profile."""

    name: Annotated[str, Schema({"minLength": 1})]
    """Name of the NIMCache (same namespace)."""
    profile: str | None = None
    """Buildable profile to build from; required when the cache has several."""


class ResourceRequirements(K8sModel):
    """Requests and limits of the build pod (no DRA claims)."""

    limits: dict[str, Quantity] | None = None
    """Maximum resources, e.g. `nvidia.com/gpu: 1`."""
    requests: dict[str, Quantity] | None = None
    """Minimum resources."""


class NIMBuildSpec(K8sModel):
    """Desired state of a NIMBuild (immutable)."""

    annotations: dict[str, str] | None = None
    """Unused upstream: the build pod takes the CR's metadata annotations."""
    env: list[core_v1.EnvVar] | None = None
    """Extra environment variables of the build pod."""
    image: Image
    """NIM image that builds the engine."""
    labels: dict[str, str] | None = None
    """Unused upstream: the build pod takes the CR's metadata labels."""
    model_name: str | None = Field(None, alias="modelName")
    """Name given to the built engine (default: the NIMBuild's name)."""
    nim_cache: NIMCacheReference = Field(alias="nimCache")
    """The NIMCache to build from and into."""
    node_selector: dict[str, str] | None = Field(None, alias="nodeSelector")
    """Node selector of the build pod."""
    resources: ResourceRequirements | None = None
    """Resources of the build pod; GPUs default to the profile's tensor parallelism."""
    tolerations: list[core_v1.Toleration] | None = None
    """Tolerations of the build pod."""


class NIMBuildStatus(K8sModel):
    """Observed state of a NIMBuild."""

    conditions: list[meta_v1.Condition] | None = None
    """Conditions, e.g. `NIM_BUILD_ENGINE_BUILD_POD_COMPLETED`."""
    input_profile: NIMProfile | None = Field(None, alias="inputProfile")
    """The buildable profile built from."""
    output_profile: NIMProfile | None = Field(None, alias="outputProfile")
    """The built profile, added to the NIMCache's status."""
    state: str | None = None
    """Pending, InProgress, Ready or Failed."""


class NIMBuild(CustomResource):
    """NIMBuild builds an optimised TensorRT-LLM engine from a buildable profile cached by a
    NIMCache, and adds the result to that cache."""

    kind: Literal["NIMBuild"] = "NIMBuild"
    spec: Annotated[
        NIMBuildSpec,
        validations(immutable("spec", "a build runs once; create a new NIMBuild instead")),
    ]
    """Desired state of the build (immutable)."""
    status: NIMBuildStatus | None = None
    """Observed state, written by the operator."""
