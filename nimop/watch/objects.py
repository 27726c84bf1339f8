"""Plain-dict Kubernetes objects: keys, resource references and small accessors.

The framework never builds typed models for watched objects (decoding into kubernetes_asyncio
models costs ~17x an orjson decode); objects are ``dict[str, Any]`` exactly as the apiserver
sent them, minus ``metadata.managedFields``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

__all__ = [
    "Obj",
    "ObjectKey",
    "ResourceRef",
    "controller_owner",
    "get",
    "key_of",
    "meta",
    "strip_for_store",
]

Obj = dict[str, Any]


class ObjectKey(NamedTuple):
    """``namespace/name`` (``namespace`` is "" for cluster-scoped objects): a queue key."""

    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}" if self.namespace else self.name

    @classmethod
    def parse(cls, text: str) -> ObjectKey:
        namespace, _, name = text.rpartition("/")
        return cls(namespace, name)


@dataclass(frozen=True, slots=True)
class ResourceRef:
    """Where a kind is served: group/version/kind, its plural resource name and scope."""

    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool = True

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def group_resource(self) -> str:
        """``resource.group`` (``pods`` for the core group), the label used in metrics."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def path(
        self,
        namespace: str | None = None,
        name: str | None = None,
        subresource: str | None = None,
    ) -> str:
        """The REST path; ``namespace=None`` on a namespaced kind means all namespaces."""
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if self.namespaced and namespace:
            base += f"/namespaces/{namespace}"
        base += f"/{self.plural}"
        if name:
            base += f"/{name}"
            if subresource:
                base += f"/{subresource}"
        elif subresource:
            raise ValueError("a subresource needs an object name")
        return base

    def __str__(self) -> str:
        return f"{self.api_version}/{self.kind}"


def meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    metadata = obj.get("metadata")
    return metadata if isinstance(metadata, Mapping) else {}


def key_of(obj: Mapping[str, Any]) -> ObjectKey:
    md = meta(obj)
    return ObjectKey(str(md.get("namespace") or ""), str(md.get("name", "")))


def controller_owner(obj: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The ownerReference with ``controller: true`` (at most one exists by API validation)."""
    for ref in meta(obj).get("ownerReferences") or ():
        if ref.get("controller"):
            return ref  # type: ignore[no-any-return]
    return None


def strip_for_store(obj: Obj) -> Obj:
    """Drop ``metadata.managedFields`` (often the largest field) before caching, in place.

    client-go does this with a ``TransformFunc`` (controller-runtime
    ``TransformStripManagedFields``).
    """
    md = obj.get("metadata")
    if isinstance(md, dict):
        md.pop("managedFields", None)
    return obj


def get(data: Mapping[str, Any] | None, path: str, default: Any = None) -> Any:
    """`data["a"]["b"]…` for a dotted path of a stored object, `default` when any step is
    missing or None."""
    cur: Any = data
    for part in path.split("."):
        if not isinstance(cur, Mapping) or cur.get(part) is None:
            return default
        cur = cur[part]
    return cur
