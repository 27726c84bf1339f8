"""REST paths and discovery documents of the API twin.

``/api/v1/namespaces/NS/pods/NAME/log`` → (resource, namespace, name, subresource), the verb in
the client's words, and the discovery documents (aggregated ``apidiscovery.k8s.io/v2`` or the
legacy ``APIGroupList``/``APIResourceList`` walk) for the resources the twin serves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import ApiStatus
from .state import Served

__all__ = ["Target", "aggregated", "legacy", "parse", "verb_of"]

APPLY = "application/apply-patch+yaml"
MERGE = "application/merge-patch+json"


@dataclass(frozen=True)
class Target:
    """What a resource path names; ``served`` is None for discovery paths."""

    served: Served | None
    namespace: str | None = None
    name: str | None = None
    subresource: str | None = None
    group_version: tuple[str, str] | None = None


def parse(path: str, served: Mapping[tuple[str, str, str], Served]) -> Target:
    segments = [s for s in path.split("/") if s]
    if segments in (["api"], ["apis"]):
        return Target(None)
    if segments[:1] == ["api"] and len(segments) >= 2:
        group, version, rest = "", segments[1], segments[2:]
    elif segments[:1] == ["apis"] and len(segments) >= 3:
        group, version, rest = segments[1], segments[2], segments[3:]
    else:
        raise ApiStatus(404, "NotFound", "the server could not find the requested resource")
    if not rest:
        if not any(g == group and v == version for g, v, _ in served):
            raise ApiStatus(404, "NotFound", "the server could not find the requested resource")
        return Target(None, group_version=(group, version))
    namespace = None
    if len(rest) >= 3 and rest[0] == "namespaces":
        candidate = served.get((group, version, rest[2]))
        if candidate is not None and candidate.ref.namespaced:
            namespace, rest = rest[1], rest[2:]
    entry = served.get((group, version, rest[0]))
    if entry is None or len(rest) > 3:
        raise ApiStatus(404, "NotFound", "the server could not find the requested resource")
    name = rest[1] if len(rest) > 1 else None
    return Target(entry, namespace, name, rest[2] if len(rest) > 2 else None)


def verb_of(method: str, target: Target, params: Mapping[str, str], content_type: str) -> str:
    if method == "GET":
        if target.name or target.served is None:  # an object, or a discovery document
            return "get"
        return "watch" if params.get("watch") in ("true", "1") else "list"
    if method == "PATCH":
        if content_type.startswith(APPLY):
            return "apply"
        if content_type.startswith(MERGE):
            return "patch"
        raise ApiStatus(415, "UnsupportedMediaType", f"the twin does not implement "
                        f"{content_type or 'this patch type'}")  # fmt: skip
    verb = {"POST": "create", "PUT": "update", "DELETE": "delete"}.get(method)
    if verb is None or (verb != "create" and not target.name):
        raise ApiStatus(405, "MethodNotAllowed", f"{method} is not supported on {target}")
    return verb


def aggregated(group_names: Iterable[str], served: Iterable[Served]) -> dict[str, Any]:
    """An ``APIGroupDiscoveryList`` of the given groups."""
    wanted = set(group_names)
    groups: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for entry in served:
        ref = entry.ref
        if ref.group in wanted:
            resources = groups.setdefault(ref.group, {}).setdefault(ref.version, [])
            resources.append({
                "resource": ref.plural,
                "responseKind": {"group": ref.group, "version": ref.version, "kind": ref.kind},
                "scope": "Namespaced" if ref.namespaced else "Cluster",
                "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"],
                "subresources": [{"subresource": "status"}] if entry.status_subresource else [],
            })  # fmt: skip
    items = [
        {"metadata": {"name": group},
         "versions": [{"version": v, "resources": r} for v, r in sorted(versions.items())]}
        for group, versions in sorted(groups.items())
    ]  # fmt: skip
    return {"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2",
            "metadata": {}, "items": items}  # fmt: skip


def legacy(path: str, served: Iterable[Served]) -> dict[str, Any]:
    """The pre-aggregation documents: ``/api``, ``/apis`` and one per group version."""
    entries = list(served)
    if path.rstrip("/") == "/api":
        versions = sorted({e.ref.version for e in entries if not e.ref.group})
        return {"kind": "APIVersions", "versions": versions}
    if path.rstrip("/") == "/apis":
        by_group: dict[str, set[str]] = {}
        for e in entries:
            if e.ref.group:
                by_group.setdefault(e.ref.group, set()).add(e.ref.version)
        groups = [
            {"name": g, "versions": [{"groupVersion": f"{g}/{v}", "version": v}
                                     for v in sorted(vs)]}
            for g, vs in sorted(by_group.items())
        ]  # fmt: skip
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}
    segments = [s for s in path.split("/") if s]
    group, version = ("", segments[1]) if segments[0] == "api" else (segments[1], segments[2])
    resources = []
    for e in entries:
        if e.ref.group == group and e.ref.version == version:
            resources.append({"name": e.ref.plural, "namespaced": e.ref.namespaced,
                              "kind": e.ref.kind})  # fmt: skip
            if e.status_subresource:
                resources.append({"name": f"{e.ref.plural}/status",
                                  "namespaced": e.ref.namespaced, "kind": e.ref.kind})  # fmt: skip
    return {"kind": "APIResourceList", "groupVersion": f"{group}/{version}".lstrip("/"),
            "resources": resources}  # fmt: skip
