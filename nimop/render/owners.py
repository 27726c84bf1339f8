"""The CR being rendered: `Owner` (its identity and typed spec) and the owner type of each
renderer family.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from nimop.api.core.meta_v1 import ObjectMeta
from nimop.api.nimbuild import NIMBuildSpec
from nimop.api.nimcache import NIMCacheSpec
from nimop.api.nimpipeline import NIMPipelineSpec
from nimop.api.nimservice import NIMServiceSpec
from nimop.api.resource import API_VERSION, CustomResource

SpecT = TypeVar("SpecT", covariant=True)
CRT = TypeVar("CRT", bound=CustomResource)


def parsed(model: type[CRT], cr: CRT | Mapping[str, Any]) -> CRT:
    """The API model of `cr`: the model itself, or a camelCase dict parsed once (tests and
    tools may pass what `kubectl get -o yaml` prints; renderers only ever read the model)."""
    return cr if isinstance(cr, model) else model.model_validate(cr)


class Resource(Protocol):
    """What identifies a parsed CR (every `nimop.api` kind is one)."""

    @property
    def kind(self) -> str: ...

    @property
    def api_version(self) -> str: ...

    @property
    def metadata(self) -> ObjectMeta: ...


@dataclass(frozen=True)
class Owner(Generic[SpecT]):
    """The CR being rendered: its identity (for names, ownerReferences and labels) and its
    typed spec. Covariant in the spec, so a function over `Owner[WorkloadSpec]` takes a
    NIMService's owner and a NeMo service's alike."""

    kind: str
    name: str
    namespace: str
    uid: str
    spec: SpecT
    api_version: str = API_VERSION

    @classmethod
    def of(cls, cr: Resource, spec: SpecT) -> Owner[SpecT]:  # type: ignore[misc]
        """`Owner.of(svc, svc.spec)`: the spec is passed on its own so it keeps its type."""
        meta = cr.metadata
        return cls(
            kind=cr.kind,
            name=meta.name or "",
            namespace=meta.namespace or "default",
            uid=meta.uid or "",
            spec=spec,
            api_version=cr.api_version or API_VERSION,
        )


ServiceOwner = Owner[NIMServiceSpec]
CacheOwner = Owner[NIMCacheSpec]
PipelineOwner = Owner[NIMPipelineSpec]
BuildOwner = Owner[NIMBuildSpec]
