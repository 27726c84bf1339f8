"""The NIMService side of a ComputeDomain (`multiNode.computeDomain`, §4.4): which one a
NIMService uses, how its immutable spec is synced, and `status.computeDomainStatus`.

NVIDIA's DRA driver owns the ComputeDomain's status (its nodes, their NVLink cliques, whether
the IMEX daemons are ready); nimop only mirrors it, read from the informer store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from nimop.api import kinds
from nimop.watch import Immutable
from nimop.watch.diff import is_subset
from nimop.watch.objects import Obj, meta
from nimop.watch.sync import Desired


def _config(svc: Obj) -> Mapping[str, Any] | None:
    domain = ((svc.get("spec") or {}).get("multiNode") or {}).get("computeDomain")
    return domain if isinstance(domain, Mapping) else None


def domain_name(svc: Obj) -> str | None:
    """The ComputeDomain a multi-node NIMService joins: its own (`create: true`, named like the
    NIMService) or the existing one it names; None without `computeDomain`."""
    domain = _config(svc)
    if domain is None:
        return None
    if domain.get("create"):
        return str(meta(svc).get("name"))
    return str(domain.get("name") or "") or None


def existing_domain(svc: Obj) -> str | None:
    """The name of an existing ComputeDomain the NIMService uses (not one it creates)."""
    domain = _config(svc)
    return None if domain is None or domain.get("create") else domain_name(svc)


def domain_index(svc: Obj) -> list[str]:
    """Index: `namespace/<ComputeDomain>` a NIMService joins, so a ComputeDomain's events (the
    driver writing its status, a named one appearing) wake exactly those NIMServices."""
    name = domain_name(svc)
    return [f"{meta(svc).get('namespace')}/{name}"] if name else []


def desired(children: Sequence[Mapping[str, Any]]) -> list[Desired]:
    """The ComputeDomain's spec is immutable (its CRD's rule `self == oldSelf`): one whose spec
    must change is deleted and created anew; a metadata-only change is applied in place."""
    return [
        Immutable(c, keep=_same_spec(c)) if c["kind"] == kinds.COMPUTE_DOMAIN.kind else c
        for c in children
    ]


def _same_spec(child: Mapping[str, Any]) -> Any:
    want = child.get("spec") or {}
    return lambda live: is_subset(want, live.get("spec") or {})


def status(name: str | None, live: Obj | None) -> dict[str, Any] | None:
    """`status.computeDomainStatus`: the ComputeDomain's name, overall status and nodes (name,
    NVLink clique, readiness) as the driver reports them; None without a ComputeDomain."""
    if not name:
        return None
    out: dict[str, Any] = {"name": name}
    cd_status = (live or {}).get("status") or {}
    if cd_status.get("status"):
        out["status"] = str(cd_status["status"])
    nodes = [_node(n) for n in cd_status.get("nodes") or []
             if isinstance(n, Mapping) and n.get("name")]
    if nodes:
        out["nodes"] = sorted(nodes, key=lambda n: n["name"])
    return out


def _node(node: Mapping[str, Any]) -> dict[str, str]:
    """A node as upstream's status has it: name, NVLink clique and IMEX daemon readiness (a
    driver's `Failed` is not Ready: the NIMService API knows Ready and NotReady only)."""
    return {
        "name": str(node["name"]),
        "cliqueID": str(node.get("cliqueID") or ""),
        "status": "Ready" if node.get("status") == "Ready" else "NotReady",
    }
