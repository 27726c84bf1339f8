"""`metav1.Condition` bookkeeping, as pure functions over the status dicts we patch.

`lastTransitionTime` changes only when a condition's `status` changes (apimachinery's
`meta.SetStatusCondition`), so an unchanged status computes to an identical dict and the
controller writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Condition = dict[str, Any]

#: Condition messages are bounded like the apiserver bounds them (32 KiB); we keep them short.
MAX_MESSAGE = 1024


@dataclass(frozen=True)
class Cond:
    """A condition we want, before the bookkeeping fields are filled in."""

    type: str
    status: bool
    reason: str
    message: str = ""


def merge(
    existing: Sequence[Mapping[str, Any]] | None,
    wanted: Iterable[Cond],
    *,
    generation: int,
    now: str,
) -> list[Condition]:
    """The new condition list: `wanted` conditions set (keeping lastTransitionTime when the
    status did not change), other existing conditions kept as they were."""
    by_type = {str(c.get("type")): dict(c) for c in existing or ()}
    order = [str(c.get("type")) for c in existing or ()]
    for cond in wanted:
        by_type[cond.type] = _set(by_type.get(cond.type), cond, generation, now)
        if cond.type not in order:
            order.append(cond.type)
    return [by_type[t] for t in order]


def _set(old: Mapping[str, Any] | None, cond: Cond, generation: int, now: str) -> Condition:
    status = "True" if cond.status else "False"
    changed = old is None or old.get("status") != status
    since = now if old is None or changed else old.get("lastTransitionTime", now)
    return {
        "type": cond.type,
        "status": status,
        "reason": cond.reason,
        "message": cond.message[:MAX_MESSAGE],
        "observedGeneration": generation,
        "lastTransitionTime": since,
    }


def find(conditions: Sequence[Mapping[str, Any]] | None, kind: str) -> Mapping[str, Any] | None:
    return next((c for c in conditions or () if c.get("type") == kind), None)


def is_true(obj: Mapping[str, Any] | None, kind: str) -> bool:
    cond = find(((obj or {}).get("status") or {}).get("conditions"), kind)
    return bool(cond and cond.get("status") == "True")


def ready_failed(state: str, reason: str, message: str) -> list[Cond]:
    """The upstream condition pair (§0 C8) for a NIMService-like state:
    Ready → Ready=True, Failed=False; NotReady → Ready=False, Failed=False;
    Failed → Ready=False(reason Failed), Failed=True(reason)."""
    if state == "Ready":
        return [Cond("Ready", True, reason, message), Cond("Failed", False, "Ready")]
    if state == "Failed":
        return [Cond("Ready", False, "Failed", message), Cond("Failed", True, reason, message)]
    return [Cond("Ready", False, reason, message), Cond("Failed", False, "Ready", message)]
