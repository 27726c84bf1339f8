"""The ComputeDomain of a multi-node NIMService (§4.4): NVLink across the nodes of a group
through an IMEX channel, which NVIDIA's DRA driver for GPUs hands out as a ResourceClaim
(`resource.nvidia.com/v1beta1`, k8s-dra-driver-gpu `api/nvidia.com/resource/v1beta1/
computedomain.go`).

`computeDomain.create: true` renders ComputeDomain `<name>` whose channel names the template
`cd-claimtemplate-<hash12(name)>`; the driver creates that ResourceClaimTemplate. Otherwise
the existing ComputeDomain `computeDomain.name` is used, with the template its channel names.
Either way leader and worker pods get one pod claim on that template (claim kind 2, upstream's
`DRAResourceFieldTypeComputeDomainClaimTemplate`) and every container references it.
"""

from __future__ import annotations

from collections.abc import Mapping

from nimop.api.nimservice import ComputeDomain
from nimop.render import dra
from nimop.render.facts import ClusterFacts
from nimop.render.names import child_name, short_hash
from nimop.render.objects import manifest, metadata
from nimop.render.owners import ServiceOwner
from nimop.render.result import Collector, Manifest

API_VERSION = "resource.nvidia.com/v1beta1"
#: The pod-claim kind of a ComputeDomain channel in pod claim names (§4.3 `fieldType`).
CHANNEL_CLAIM = 2


def domain_name(owner: ServiceOwner, cd: ComputeDomain) -> str:
    """The ComputeDomain the group joins: the NIMService's own, or the one it names."""
    return child_name(owner.name) if cd.create else str(cd.name or "")


def template_name(domain: str) -> str:
    """The channel ResourceClaimTemplate of a ComputeDomain nimop creates (§4.4)."""
    return f"cd-claimtemplate-{short_hash(domain)}"


def render_compute_domain(owner: ServiceOwner, cd: ComputeDomain, nodes: int,
                          labels: Mapping[str, str], annotations: Mapping[str, str],
                          facts: ClusterFacts, claims: dra.Claims, out: Collector) -> bool:
    """Add the ComputeDomain (when created) to `out` and its channel claim to `claims`; False
    (with a problem) when the group cannot get its channel yet."""
    if not facts.compute_domain:
        out.problem("ComputeDomainAPIMissing", "spec.multiNode.computeDomain needs the "
                    "ComputeDomain API (resource.nvidia.com/v1beta1); install NVIDIA's DRA "
                    "driver for GPUs", failed=True)
        return False
    if facts.dra_version is None:
        out.problem("DRAResourcesUnsupported", "spec.multiNode.computeDomain needs the "
                    "resource.k8s.io API (v1 or v1beta2), which this cluster does not serve",
                    failed=True)
        return False
    name = domain_name(owner, cd)
    template = template_name(name) if cd.create else _existing_template(owner, name, facts, out)
    if not template:
        return False
    if cd.create:
        out.add(compute_domain(owner, name, template, nodes, labels, annotations))
    taken = {str(c["name"]) for c in claims.pod}
    claim = dra.pod_claim_name(owner, CHANNEL_CLAIM, template, taken)
    claims.pod.append({"name": claim, "resourceClaimTemplateName": template})
    claims.container.append({"name": claim})
    return True


def _existing_template(owner: ServiceOwner, name: str, facts: ClusterFacts, out: Collector) -> str:
    found = facts.compute_domain_of(owner.namespace, name)
    if found is None:
        out.problem("ComputeDomainNotFound", f"spec.multiNode.computeDomain.name: ComputeDomain "
                    f"{name} does not exist in namespace {owner.namespace}; create it (or set "
                    "create: true)")
        return ""
    if not found.claim_template:
        out.problem("ComputeDomainNotFound", f"ComputeDomain {name} names no channel "
                    "ResourceClaimTemplate (spec.channel.resourceClaimTemplate.name)",
                    failed=True)
    return found.claim_template


def compute_domain(owner: ServiceOwner, name: str, template: str, nodes: int,
                   labels: Mapping[str, str], annotations: Mapping[str, str]) -> Manifest:
    """ComputeDomain `<name>`: `numNodes` = the nodes of one group (upstream's `pipeline`), one
    channel (`allocationMode: Single`). Its spec is immutable (the CRD says so), so the
    controller replaces it rather than patch it when this changes."""
    spec = {"numNodes": nodes,
            "channel": {"resourceClaimTemplate": {"name": template},
                        "allocationMode": "Single"}}
    return manifest(API_VERSION, "ComputeDomain", metadata(owner, name, labels, annotations),
                    spec=spec)
