"""What a renderer returns: the desired children, plus problems as data.

A renderer never raises for bad or unsatisfiable input; it returns a `Problem`
(`nimop.api.problem`) that the controller maps onto a condition (`Failed` when `failed`, else
`NotReady`).

Contract for the controller: when `problems` is non-empty the render is *incomplete* — apply what
is in `objects` if you like, but do not prune owned children that are missing from it (a missing
CRD or a NIMCache that is not ready yet must not tear down a running service).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nimop.api import kinds
from nimop.api.kinds import Kind
from nimop.api.problem import Problem

Manifest = dict[str, Any]


@dataclass(frozen=True)
class Child:
    """A child the renderer decided on: its row of the kind table and its name.

    Named even when the object itself could not be rendered yet (a NIMCache not Ready, a
    missing API), so status code looks up the live object without deciding the mode or the
    name again.
    """

    kind: Kind
    name: str


@dataclass(frozen=True)
class GeneratedSecret:
    """A Secret whose content needs randomness, so the controller creates it once (never updates).

    Used for the MPI SSH key of multi-node services (§4.2): `kind="ssh-rsa"` means "an RSA private
    key in PEM under `key`". Renderers only name it; pods mount it by that name.
    """

    name: str
    key: str
    kind: str = "ssh-rsa"


@dataclass(frozen=True)
class Rendered:
    """The desired children of one CR, in apply order (RBAC and storage before workloads), and
    the children status is computed from, by role:

    - `workload`: what runs the pods — a NIMService's Deployment, LeaderWorkerSet or
      InferenceService; a NIMCache's caching Job; a NIMBuild's build Pod;
    - `service`: the Service in front of the workload;
    - `exposure`: how it is reached from outside (Ingress, HTTPRoute, GRPCRoute);
    - `storage`: the PVC the model lives on (a NIMCache's, whether it creates it or not);
    - `probe`: a NIMCache's model-manifest probe Pod; a NIMBuild's local-manifest probe Pod;
    - `manifest`: the ConfigMap a NIMCache's model manifest is kept in (the controller writes
      it from the probe's log; the renderer names it, and reads it back through the facts).
    """

    objects: tuple[Manifest, ...] = ()
    problems: tuple[Problem, ...] = ()
    generated_secrets: tuple[GeneratedSecret, ...] = ()
    spec_hash: str = ""
    workload: Child | None = None
    service: Child | None = None
    exposure: tuple[Child, ...] = ()
    storage: Child | None = None
    probe: Child | None = None
    manifest: Child | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def keys(self) -> set[tuple[str, str, str]]:
        """`(apiVersion, kind, name)` of every desired child — diff against the owned set."""
        return {(o["apiVersion"], o["kind"], o["metadata"]["name"]) for o in self.objects}

    def named(self) -> Rendered:
        """Only the names (no objects, no problems): what status code needs about children
        when the render itself is not used (a CR that failed validation)."""
        return Rendered(workload=self.workload, service=self.service, exposure=self.exposure,
                        storage=self.storage, probe=self.probe, manifest=self.manifest)

    def exposed(self, kind: Kind) -> Child | None:
        """The exposure child of `kind` (the Ingress, say), if the render made one."""
        return next((c for c in self.exposure if c.kind == kind), None)

    def find(self, kind: str, name: str | None = None) -> Manifest | None:
        """The first desired child of `kind` (and `name`), for tests and status computation."""
        for obj in self.objects:
            if obj["kind"] == kind and (name is None or obj["metadata"]["name"] == name):
                return obj
        return None


class Collector:
    """Accumulates objects and problems while a renderer runs (keeps functions short)."""

    def __init__(self) -> None:
        self.objects: list[Manifest] = []
        self.problems: list[Problem] = []
        self.secrets: list[GeneratedSecret] = []
        self.workload: Child | None = None
        self.service: Child | None = None
        self.exposure: list[Child] = []
        self.storage: Child | None = None
        self.probe: Child | None = None
        self.manifest: Child | None = None

    def add(self, *objs: Manifest | None) -> None:
        self.objects.extend(o for o in objs if o is not None)

    def expose(self, *objs: Manifest | None) -> None:
        """Add exposure objects (Ingress, routes) and name them in the result."""
        for obj in objs:
            if obj is not None:
                self.add(obj)
                self.exposure.append(Child(_kind_of(obj), obj["metadata"]["name"]))

    def problem(self, reason: str, message: str, *, failed: bool = False) -> None:
        self.problems.append(Problem(reason, message, failed))

    def result(self, spec_hash: str) -> Rendered:
        """Deep-copied, so objects share no sub-structures (safe to mutate, no YAML aliases)."""
        objects = tuple(_copied(o) for o in self.objects)
        return Rendered(objects, tuple(self.problems), tuple(self.secrets), spec_hash,
                        self.workload, self.service, tuple(self.exposure), self.storage,
                        self.probe, self.manifest)


def _copied(value: Any) -> Any:
    """A deep copy of a manifest that shares nothing, not even within itself (so no YAML
    aliases): manifests are JSON trees, and walking only dicts and lists is ~3x faster than
    ``copy.deepcopy`` with its memo (every reconcile renders)."""
    kind = type(value)
    if kind is dict:
        return {k: _copied(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [_copied(v) for v in value]
    return value


def _kind_of(obj: Manifest) -> Kind:
    row = kinds.find(obj["apiVersion"], obj["kind"])
    if row is None:
        raise ValueError(f"{obj['apiVersion']} {obj['kind']} is not in nimop.api.kinds")
    return row
