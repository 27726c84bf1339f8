"""Dynamic Resource Allocation (resource.k8s.io/v1) for NIMService: claims, templates, or a
short device spec the operator turns into a ResourceClaimTemplate.

Upstream: ``api/apps/v1alpha1/dra_types.go`` (§4.3). The upstream webhook's checks
(duplicate claim names, semver versions, shared claims with several replicas) are CEL here.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from nimop.api.base import Int32, K8sModel, Quantity, Schema
from nimop.api.cel import Rule, exactly_one, rules, validations
from nimop.api.common import MAX_LIST, MAX_NAME

DNS_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
#: MAJOR.MINOR.PATCH with an optional pre-release/build suffix: the shape admission checks.
SEMVER_SHAPE = r"^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$"
SEMVER = (
    r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?"
    r"(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$"
)
MAX_DRA_RESOURCES = 8
#: Name prefix of a generated ResourceClaimTemplate when `generateName` is unset.
CLAIM_TEMPLATE_PREFIX = "claimtemplate"
MAX_DEVICES = 8

Operator = Literal[
    "Equal", "NotEqual", "GreaterThan", "GreaterThanOrEqual", "LessThan", "LessThanOrEqual"
]
DnsName = Annotated[str, Schema({"minLength": 1, "maxLength": MAX_NAME, "pattern": DNS_SUBDOMAIN})]


class DRADeviceAttributeSelectorValue(K8sModel):
    """The value an attribute is compared with: exactly one typed value."""

    bool_value: bool | None = Field(None, alias="boolValue")
    """A boolean (only Equal and NotEqual apply)."""
    int_value: Int32 | None = Field(None, alias="intValue")
    """An integer."""
    string_value: Annotated[str, Schema({"maxLength": 64})] | None = Field(
        None, alias="stringValue"
    )
    """A string (only Equal and NotEqual apply)."""
    version_value: (
        Annotated[
            str,
            Schema({"maxLength": 32}),
            validations(
                # Not isSemver(): it entered the CRD CEL environment in Kubernetes 1.33, above
                # the supported floor (1.32). The short expression keeps the cost within the
                # apiserver's budget inside NIMPipeline's nested lists; the renderer checks
                # full Semantic Versioning 2.0.0 again (DRAResourcesUnsupported).
                Rule(
                    f"self.matches(r'{SEMVER_SHAPE}')",
                    "attributeSelectors[].value.versionValue must be a semantic version, "
                    "e.g. 1.2.3",
                )
            ),
        ]
        | None
    ) = Field(None, alias="versionValue")
    """A semantic version, e.g. `550.54.15`, compared as a version."""

    model_config = rules(
        exactly_one(
            "value",
            ["boolValue", "intValue", "stringValue", "versionValue"],
            " in each attribute selector",
        )
    )


class DRADeviceAttributeSelector(K8sModel):
    """Select devices by an attribute published by the DRA driver."""

    key: Annotated[str, Schema({"maxLength": 64})]
    """Attribute name; a bare name gets the driver's domain, e.g. `productName`."""
    op: Operator = "Equal"
    """Comparison operator."""
    value: DRADeviceAttributeSelectorValue | None = None
    """Value to compare with."""


class DRAResourceQuantitySelector(K8sModel):
    """Select devices by a capacity published by the DRA driver (e.g. `memory`)."""

    key: Annotated[str, Schema({"maxLength": 64})]
    """Capacity name, e.g. `memory`."""
    op: Operator = "Equal"
    """Comparison operator."""
    value: Quantity
    """Quantity to compare with, e.g. `40Gi`."""


class DRADeviceSpec(K8sModel):
    """One device request of a generated ResourceClaimTemplate."""

    attribute_selectors: (
        Annotated[list[DRADeviceAttributeSelector], Schema({"maxItems": 20})] | None
    ) = Field(None, alias="attributeSelectors")
    """Attribute conditions, all of which must hold."""
    capacity_selectors: (
        Annotated[list[DRAResourceQuantitySelector], Schema({"maxItems": 12})] | None
    ) = Field(None, alias="capacitySelectors")
    """Capacity conditions, all of which must hold."""
    cel_expressions: list[str] | None = Field(None, alias="celExpressions")
    """Raw DRA CEL selectors (instead of attribute/capacity selectors)."""
    count: Int32 = 1
    """Number of devices."""
    device_class_name: str = Field("gpu.nvidia.com", alias="deviceClassName")
    """DeviceClass to allocate from, e.g. `gpu.nvidia.com` or `mig.nvidia.com`."""
    driver_name: Annotated[str, Schema({"maxLength": MAX_NAME, "pattern": DNS_SUBDOMAIN})] = Field(
        "gpu.nvidia.com", alias="driverName"
    )
    """DRA driver whose attributes the selectors refer to."""
    name: DnsName
    """Request name, referenced by `requests` of the DRA resource."""

    model_config = rules(
        Rule(
            "!has(self.celExpressions) || !(has(self.attributeSelectors) || "
            "has(self.capacitySelectors))",
            "devices[].celExpressions cannot be combined with attributeSelectors or "
            "capacitySelectors: use one way of selecting devices",
        ),
        Rule(
            "self.count >= 1",
            "devices[].count must be at least 1",
            field_path=".count",
        ),
    )


class DRAClaimCreationSpec(K8sModel):
    """Devices for a ResourceClaimTemplate that the operator creates and owns."""

    devices: Annotated[list[DRADeviceSpec], Schema({"minItems": 1, "maxItems": MAX_DEVICES})]
    """Device requests (at least one)."""
    generate_name: Annotated[str, Schema({"minLength": 1, "maxLength": 16})] | None = Field(
        None, alias="generateName"
    )
    """Prefix of the template's name (default `claimtemplate`)."""


class DRAResource(K8sModel):
    """One DRA resource of the NIMService pods: exactly one of an existing claim, an existing
    template, or a device spec for a generated template."""

    claim_creation_spec: DRAClaimCreationSpec | None = Field(None, alias="claimCreationSpec")
    """Devices for an operator-created ResourceClaimTemplate (one claim per pod)."""
    requests: (
        Annotated[list[Annotated[str, Schema({"minLength": 1})]], Schema({"maxItems": MAX_LIST})]
        | None
    ) = None
    """Request names to expose to the NIM container; all when empty."""
    resource_claim_name: DnsName | None = Field(None, alias="resourceClaimName")
    """An existing ResourceClaim shared by every pod (single replica only)."""
    resource_claim_template_name: DnsName | None = Field(None, alias="resourceClaimTemplateName")
    """An existing ResourceClaimTemplate (one claim per pod)."""

    model_config = rules(
        exactly_one(
            "spec.draResources[]",
            ["resourceClaimName", "resourceClaimTemplateName", "claimCreationSpec"],
        )
    )


DRAResources = Annotated[
    list[DRAResource],
    Schema({"maxItems": MAX_DRA_RESOURCES}),
    validations(
        Rule(
            "self.all(r, !has(r.resourceClaimName) || "
            "self.filter(s, has(s.resourceClaimName) && "
            "s.resourceClaimName == r.resourceClaimName).size() == 1)",
            "spec.draResources: each resourceClaimName may be listed only once",
        )
    ),
]


class DRAAllocatedDevice(K8sModel):
    """One device the scheduler allocated to a claim (from its `status.allocation`)."""

    request: str
    """The claim's request the device satisfies."""
    driver: str
    """DRA driver of the device, e.g. `gpu.nvidia.com`."""
    pool: str
    """Pool of the device (usually the node name)."""
    device: str
    """Device name within the pool, e.g. `gpu-3`."""


class DRAResourceClaimStatus(K8sModel):
    """State of one ResourceClaim."""

    name: str
    """Claim name."""
    state: str
    """Comma-separated: pending, allocated, reserved, deleted."""
    devices: Annotated[list[DRAAllocatedDevice], Schema({"maxItems": 128})] | None = None
    """Devices allocated to the claim by the scheduler (nimop addition)."""


class DRAResourceClaimTemplateStatus(K8sModel):
    """The claims generated from one ResourceClaimTemplate."""

    name: str
    """Template name."""
    resource_claim_statuses: list[DRAResourceClaimStatus] | None = Field(
        None, alias="resourceClaimStatuses"
    )
    """Claims made from the template, oldest first."""


class DRAResourceStatus(K8sModel):
    """Status of one pod claim of the NIMService."""

    name: str
    """Pod claim name."""
    resource_claim_status: DRAResourceClaimStatus | None = Field(None, alias="resourceClaimStatus")
    """For a claim."""
    resource_claim_template_status: DRAResourceClaimTemplateStatus | None = Field(
        None, alias="resourceClaimTemplateStatus"
    )
    """For a template."""

    model_config = rules(
        Rule(
            "has(self.resourceClaimStatus) != has(self.resourceClaimTemplateStatus)",
            "exactly one of resourceClaimStatus and resourceClaimTemplateStatus must be set",
        )
    )
