"""What a renderer returns: the desired children, plus problems as data.

A renderer never raises for bad or unsatisfiable input; it returns a `Problem`
(`nimop.api.problem`) that the controller maps onto a condition (`Failed` when `failed`, else
`NotReady`).

Contract for the controller: when `problems` is non-empty the render is *incomplete* — apply what
is in `objects` if you like, but do not prune owned children that are missing from it (a missing
CRD or a NIMCache that is not ready yet must not tear down a running service).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from nimop.api.problem import Problem

Manifest = dict[str, Any]


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
    """The desired children of one CR, in apply order (RBAC and storage before workloads)."""

    objects: tuple[Manifest, ...] = ()
    problems: tuple[Problem, ...] = ()
    generated_secrets: tuple[GeneratedSecret, ...] = ()
    spec_hash: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    def keys(self) -> set[tuple[str, str, str]]:
        """`(apiVersion, kind, name)` of every desired child — diff against the owned set."""
        return {(o["apiVersion"], o["kind"], o["metadata"]["name"]) for o in self.objects}

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

    def add(self, *objs: Manifest | None) -> None:
        self.objects.extend(o for o in objs if o is not None)

    def problem(self, reason: str, message: str, *, failed: bool = False) -> None:
        self.problems.append(Problem(reason, message, failed))

    def result(self, spec_hash: str) -> Rendered:
        """Deep-copied, so objects share no sub-structures (safe to mutate, no YAML aliases)."""
        objects = tuple(copy.deepcopy(o) for o in self.objects)
        return Rendered(objects, tuple(self.problems), tuple(self.secrets), spec_hash)
