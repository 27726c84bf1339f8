"""Whose object is it: the rule that keeps ``ChildSync`` from taking over a stranger.

A child name can collide with an object someone else made (a user's own Service, a PVC named
``<name>-pvc``, another CR's child). Helm and cert-manager refuse to adopt such an object, and
so does nimop: an existing object is adopted only when its *controller* ownerReference already
has the owner's UID (e.g. the children NVIDIA's operator created for the same CR). Anything
else gets no write at all, and the owner reports a ``ChildConflict`` naming the object, its
owner and the fix.

Seeing the stranger costs no read at steady state. An object missing from the (label-selected)
informer store is created with a *create-only* server-side apply: the apply carries a
``metadata.uid`` no live object has. A create ignores it (the apiserver assigns the UID and
server-side apply does not track ``metadata.uid`` as an owned field), while an object that
already exists refuses the change of its immutable UID, so the apiserver itself closes the race
between "not in the cache" and "created". Only then is the object read (one GET) to find who
owns it. A plain ``POST`` would give the same signal but would record the fields under an
``Update`` manager, so fields nimop later stops setting would never be removed by server-side
apply.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import ConflictError, InvalidError, KubeError, TerminalError
from .objects import Obj, ObjectKey, controller_owner, meta

if TYPE_CHECKING:
    from .sync import SyncResult

__all__ = [
    "CREATE_ONLY_UID",
    "ChildConflict",
    "ChildConflictError",
    "create_only",
    "exists_error",
    "owned_by",
]

#: The UID a create-only apply carries; no object has it (UIDs are random v4 UUIDs).
CREATE_ONLY_UID = "00000000-0000-0000-0000-00000000c0de"


def create_only(desired: Obj) -> Obj:
    """``desired`` as an apply that can only create: it fails on any existing object."""
    return {**desired, "metadata": {**desired["metadata"], "uid": CREATE_ONLY_UID}}


def exists_error(exc: KubeError) -> bool:
    """Did a create-only apply fail because the object already exists?"""
    if not isinstance(exc, (InvalidError, ConflictError)):
        return False
    text = f"{exc.message} {exc.body}".lower()
    return "uid" in text or exc.reason == "AlreadyExists"


def owned_by(obj: Mapping[str, Any], owner_uid: str) -> bool:
    """True when ``obj``'s controller ownerReference points at ``owner_uid``."""
    ref = controller_owner(obj)
    return ref is not None and ref.get("uid") == owner_uid


@dataclass(frozen=True)
class ChildConflict:
    """A desired child whose name is taken by an object this owner does not control."""

    kind: str
    key: ObjectKey
    holder: str  # who controls it, in words: "is controlled by …" / "has no controller owner"

    @classmethod
    def of(cls, kind: str, live: Mapping[str, Any]) -> ChildConflict:
        ref = controller_owner(live)
        if ref is None:
            holder = "has no controller owner"
        else:
            holder = f"is controlled by {ref.get('kind')} {ref.get('name')} (uid {ref.get('uid')})"
        md = meta(live)
        return cls(kind, ObjectKey(md.get("namespace") or "", str(md["name"])), holder)

    def message(self, owner: Mapping[str, Any]) -> str:
        kind, name = owner.get("kind", "owner"), meta(owner).get("name")
        return (
            f"{self.kind} {self.key} already exists and {self.holder}, not this {kind}: nimop "
            f"does not take over objects it did not create. Fix: delete or "
            f"rename that {self.kind}, or give this {kind} another name than {name!r}"
        )


class ChildConflictError(TerminalError):
    """Raised by ``ChildSync.sync`` after all other writes when some children could not be
    created because their names are taken; retrying without a change cannot help. ``result``
    says what the sync did write."""

    def __init__(self, owner: Mapping[str, Any], result: SyncResult) -> None:
        self.result = result
        self.conflicts = result.conflicts
        super().__init__("; ".join(c.message(owner) for c in result.conflicts))
