"""Whose object is it: the rule that keeps ``ChildSync`` from taking over a stranger.

A child name can collide with an object someone else made (a user's own Service, a PVC named
``<name>-pvc``, another CR's child). Helm and cert-manager refuse to adopt such an object, and
so does nimop: an existing object is adopted only when its *controller* ownerReference already
has the owner's UID (e.g. the children NVIDIA's operator created for the same CR). Anything
else gets no write at all, and the owner reports a ``ChildConflict`` naming the object, its
owner and the fix.

Seeing the stranger costs no read at steady state. An object missing from the (label-selected)
informer store is read once (GET) before it is created — only on the creation path. That GET is
what controller-runtime's ``CreateOrUpdate`` and Helm do too. Two signals that would save the
GET do not work: a "create-only" server-side apply carrying a ``metadata.uid`` (tried on the
real apiserver: it refuses a create whose body names a UID, ``409 uid mismatch``), and a plain
``POST`` failing with AlreadyExists (it would record the fields under an ``Update`` manager, so
server-side apply would never remove a field nimop later stops setting). The window between
the GET and the create is not closed: an object created in those milliseconds would be taken.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import TerminalError
from .objects import ObjectKey, controller_owner, meta

if TYPE_CHECKING:
    from .sync import SyncResult

__all__ = ["ChildConflict", "ChildConflictError", "owned_by"]


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
