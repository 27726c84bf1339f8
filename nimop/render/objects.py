"""The envelope of every child: apiVersion/kind/metadata, the standard labels and the
controller ownerReference (§0 C2, C6).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nimop.render.names import label_value
from nimop.render.owners import Owner
from nimop.render.result import Manifest

MANAGED_BY = "nimop"


def standard_labels(owner: Owner[Any], part_of: str) -> dict[str, str]:
    """C2 standard labels, with `managed-by: nimop` (children are found by this label)."""
    return {
        "app.kubernetes.io/name": label_value(owner.name),
        "app.kubernetes.io/instance": label_value(owner.name),
        "app.kubernetes.io/part-of": part_of,
        "app.kubernetes.io/managed-by": MANAGED_BY,
    }


def merge_maps(*maps: Mapping[str, str] | None) -> dict[str, str]:
    """Merge string maps; a *later* map wins. Keys keep first-seen order (stable output)."""
    out: dict[str, str] = {}
    for m in maps:
        for k, v in (m or {}).items():
            out[str(k)] = str(v)
    return out


def owner_references(owner: Owner[Any]) -> list[dict[str, Any]]:
    """The controller ownerReference (C6); none when the CR has no uid yet (offline rendering)."""
    if not owner.uid:
        return []
    return [{
        "apiVersion": owner.api_version, "kind": owner.kind, "name": owner.name,
        "uid": owner.uid, "controller": True, "blockOwnerDeletion": True,
    }]


def metadata(
    owner: Owner[Any],
    name: str,
    labels: Mapping[str, str] | None = None,
    annotations: Mapping[str, str] | None = None,
    *,
    owned: bool = True,
) -> dict[str, Any]:
    """Child metadata in the owner's namespace; empty label/annotation maps are omitted."""
    meta: dict[str, Any] = {"name": name, "namespace": owner.namespace}
    if labels:
        meta["labels"] = dict(labels)
    if annotations:
        meta["annotations"] = dict(annotations)
    refs = owner_references(owner) if owned else []
    if refs:
        meta["ownerReferences"] = refs
    return meta


def manifest(api_version: str, kind: str, meta: dict[str, Any], **body: Any) -> Manifest:
    """A child object with apiVersion/kind first and None-valued top-level fields dropped."""
    obj: Manifest = {"apiVersion": api_version, "kind": kind, "metadata": meta}
    obj.update({k: v for k, v in body.items() if v is not None})
    return obj
