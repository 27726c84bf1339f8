"""DRA: ResourceClaimTemplates from `draResources[].claimCreationSpec`, pod `resourceClaims` and
container `resources.claims` (§4.3; shapes from k8s.io/api `resource/v1/types.go`).

`resource.k8s.io/v1` is the target; `v1beta2` has the same request shape (`exactly`), so serving
it is only a different apiVersion. A `resourceClaimName` is one claim shared by all pods that
name it — across replicas and across NIMServices — which is how GPU time-slicing/MPS sharing is
expressed; MIG is a device class (`mig.nvidia.com`) or selectors on MIG attributes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from nimop.api.dra import (
    CLAIM_TEMPLATE_PREFIX,
    DRAClaimCreationSpec,
    DRADeviceAttributeSelector,
    DRADeviceAttributeSelectorValue,
    DRADeviceSpec,
    DRAResource,
    DRAResourceQuantitySelector,
)
from nimop.render.facts import ClusterFacts
from nimop.render.names import short_hash
from nimop.render.objects import manifest, metadata
from nimop.render.owners import ServiceOwner
from nimop.render.result import Collector

OPS = {"Equal": "==", "NotEqual": "!=", "GreaterThan": ">", "GreaterThanOrEqual": ">=",
       "LessThan": "<", "LessThanOrEqual": "<="}
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$")
CLAIM, TEMPLATE = 0, 1


@dataclass
class Claims:
    """DRA wiring for one NIMService: pod claims, container claims and templates to create."""

    pod: list[dict[str, Any]] = field(default_factory=list)
    container: list[dict[str, Any]] = field(default_factory=list)
    templates: list[dict[str, Any]] = field(default_factory=list)


class SelectorError(ValueError):
    """A selector that cannot be turned into CEL (reported as a problem, never raised out)."""


def attribute_path(key: str, driver: str, *, capacity: bool = False) -> str:
    """`device.attributes["<domain>"].<name>`; a key without a domain uses the driver's (§4.3)."""
    domain, _, name = key.rpartition("/")
    root = "capacity" if capacity else "attributes"
    return f"device.{root}[{json.dumps(domain or driver)}].{name}"


def attribute_cel(sel: DRADeviceAttributeSelector, driver: str) -> str:
    if sel.op not in OPS:
        raise SelectorError(f"unknown operator {sel.op!r}")
    op, value = OPS[sel.op], sel.value or DRADeviceAttributeSelectorValue()
    path = attribute_path(sel.key, driver)
    if value.version_value is not None:
        version = value.version_value
        if not SEMVER.match(version):
            raise SelectorError(f"{sel.key}: {version!r} is not a semantic version")
        return f"({path}).compareTo(semver({json.dumps(version)})) {op} 0"
    if value.int_value is not None:
        return f"{path} {op} {value.int_value}"
    if op not in ("==", "!="):
        raise SelectorError(f"{sel.key}: {sel.op} applies to int and version values only")
    if value.bool_value is not None:
        return f"{path} {op} {'true' if value.bool_value else 'false'}"
    if value.string_value is not None:
        return f"{path} {op} {json.dumps(value.string_value)}"
    raise SelectorError(f"{sel.key}: value needs one of boolValue, intValue, stringValue, "
                        "versionValue")


def capacity_cel(sel: DRAResourceQuantitySelector, driver: str) -> str:
    if sel.op not in OPS:
        raise SelectorError(f"unknown operator {sel.op!r}")
    path = attribute_path(sel.key, driver, capacity=True)
    return f"({path}).compareTo(quantity({json.dumps(str(sel.value))})) {OPS[sel.op]} 0"


def device_cel(device: DRADeviceSpec) -> list[str]:
    """CEL selectors for one device: the driver check, then the user's expressions or one per
    attribute/capacity selector (§4.3)."""
    driver = device.driver_name
    exprs = [f"device.driver == {json.dumps(driver)}"]
    if device.cel_expressions:
        return exprs + list(device.cel_expressions)
    exprs += [attribute_cel(s, driver) for s in device.attribute_selectors or []]
    exprs += [capacity_cel(s, driver) for s in device.capacity_selectors or []]
    return exprs


def template_name(owner: ServiceOwner, spec: DRAClaimCreationSpec, index: int) -> str:
    prefix = (spec.generate_name or CLAIM_TEMPLATE_PREFIX)[:16].rstrip("-")
    return f"{prefix}-{short_hash(owner.name)}-{index}"


def claim_template(owner: ServiceOwner, spec: DRAClaimCreationSpec, index: int,
                   api_version: str, labels: Mapping[str, str],
                   annotations: Mapping[str, str]) -> dict[str, Any]:
    """A controller-owned ResourceClaimTemplate (§4.3 "Generated RCT")."""
    requests = []
    for dev in spec.devices:
        exactly = {"deviceClassName": dev.device_class_name,
                   "allocationMode": "ExactCount", "count": dev.count,
                   "selectors": [{"cel": {"expression": e}} for e in device_cel(dev)]}
        requests.append({"name": dev.name, "exactly": exactly})
    claim_meta: dict[str, Any] = {"labels": dict(labels)}
    if annotations:
        claim_meta["annotations"] = dict(annotations)
    meta = metadata(owner, template_name(owner, spec, index), labels, annotations)
    return manifest(f"resource.k8s.io/{api_version}", "ResourceClaimTemplate", meta,
                    spec={"metadata": claim_meta, "spec": {"devices": {"requests": requests}}})


def pod_claim_name(owner: ServiceOwner, kind: int, resource: str, taken: set[str]) -> str:
    """`claim-<hash12(service)>-<kind>-<hash12(resource)>-<n>`, n de-duplicating (§4.3)."""
    n = 0
    while True:
        name = f"claim-{short_hash(owner.name)}-{kind}-{short_hash(resource)}-{n}"
        if name not in taken:
            taken.add(name)
            return name
        n += 1


def render_claims(owner: ServiceOwner, facts: ClusterFacts, labels: Mapping[str, str],
                  annotations: Mapping[str, str], out: Collector) -> Claims:
    resources = owner.spec.dra_resources or []
    claims = Claims()
    if not resources:
        return claims
    if facts.dra_version is None:
        out.problem("DRAResourcesUnsupported", "spec.draResources needs the resource.k8s.io "
                    "API (v1 or v1beta2), which this cluster does not serve", failed=True)
        return claims
    names = [r.resource_claim_name for r in resources if r.resource_claim_name]
    if len(names) != len(set(names)):
        out.problem("DRAResourcesUnsupported", "spec.draResources: a resourceClaimName is "
                    "listed twice", failed=True)
        return claims
    taken: set[str] = set()
    for index, res in enumerate(resources):
        try:
            _one(owner, facts, res, index, labels, annotations, claims, taken)
        except SelectorError as err:
            out.problem("DRAResourcesUnsupported", f"spec.draResources[{index}]: {err}",
                        failed=True)
    return claims


def _one(owner: ServiceOwner, facts: ClusterFacts, res: DRAResource, index: int,
         labels: Mapping[str, str], annotations: Mapping[str, str], claims: Claims,
         taken: set[str]) -> None:
    if res.resource_claim_name:
        kind, ref_key, ref = CLAIM, "resourceClaimName", res.resource_claim_name
    elif res.resource_claim_template_name:
        kind, ref_key, ref = TEMPLATE, "resourceClaimTemplateName", (
            res.resource_claim_template_name)
    elif res.claim_creation_spec is not None:
        rct = claim_template(owner, res.claim_creation_spec, index, str(facts.dra_version),
                             labels, annotations)
        claims.templates.append(rct)
        kind, ref_key, ref = TEMPLATE, "resourceClaimTemplateName", rct["metadata"]["name"]
    else:
        raise SelectorError("set one of resourceClaimName, resourceClaimTemplateName, "
                            "claimCreationSpec")
    name = pod_claim_name(owner, kind, ref, taken)
    claims.pod.append({"name": name, ref_key: ref})
    requests = res.requests or []
    claims.container += [{"name": name, "request": r} for r in requests] or [{"name": name}]


def add_container_claims(containers: list[dict[str, Any]], claims: Claims) -> None:
    """Every container (main and sidecars) gets the claims it does not reference yet (§4.3)."""
    for ctr in containers:
        res = ctr.setdefault("resources", {})
        have = {(c["name"], c.get("request")) for c in res.get("claims") or []}
        extra = [c for c in claims.container if (c["name"], c.get("request")) not in have]
        if extra:
            res["claims"] = list(res.get("claims") or []) + extra
        if not res:
            del ctr["resources"]
