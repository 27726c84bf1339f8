"""What a served workload's spec has, whichever kind it is: the fields NIMService and the five
NeMo kinds declare alike (image, command, replicas, scaling, metrics, the Service and routes,
pod identity).

The renderers that build those children once for both families (`render.exposure`,
`render.workload`, `render.standalone`) read a spec through :class:`WorkloadSpec`, so mypy checks
each field they touch against both `NIMServiceSpec` and `NemoSpec` without a shared base class
(which would reorder the generated CRDs' fields and descriptions). Fields only one family has
(NIMService's proxy, storage and legacy Ingress; NeMo's `runtimeClass` spelling) stay with the
renderer of that family, which passes the result in.
"""

from __future__ import annotations

from typing import Protocol

from nimop.api.common import Autoscaling, Image, Metrics
from nimop.api.core import core_v1
from nimop.api.expose import ExposeService, Router


class WorkloadExpose(Protocol):
    """`spec.expose` of either family: the Service and the router (Ingress, Gateway routes)."""

    @property
    def service(self) -> ExposeService | None: ...

    @property
    def router(self) -> Router | None: ...


class WorkloadSpec(Protocol):
    """The spec fields of a kind that runs a served workload (NIMService, the NeMo kinds)."""

    @property
    def annotations(self) -> dict[str, str] | None: ...

    @property
    def args(self) -> list[str] | None: ...

    @property
    def command(self) -> list[str] | None: ...

    @property
    def env(self) -> list[core_v1.EnvVar] | None: ...

    @property
    def expose(self) -> WorkloadExpose | None: ...

    @property
    def group_id(self) -> int | None: ...

    @property
    def image(self) -> Image: ...

    @property
    def labels(self) -> dict[str, str] | None: ...

    @property
    def metrics(self) -> Metrics | None: ...

    @property
    def replicas(self) -> int | None: ...

    @property
    def scale(self) -> Autoscaling | None: ...

    @property
    def user_id(self) -> int | None: ...

    @property
    def affinity(self) -> core_v1.Affinity | None: ...

    @property
    def node_selector(self) -> dict[str, str] | None: ...

    @property
    def tolerations(self) -> list[core_v1.Toleration] | None: ...


__all__ = ["WorkloadExpose", "WorkloadSpec"]
