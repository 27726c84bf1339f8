"""Drift detection: does the live object already contain everything we want?

The comparison is a *subset* check of the desired manifest against the live object, so what the
server adds (defaults such as ``imagePullPolicy``, ``status``, ``metadata.uid``) and what other
managers own (HPA-managed ``replicas``, which the desired manifest simply omits) never count as
drift. Only a field we set that now differs does - a manual edit to revert.

Lists of objects are matched by their merge key when every desired item has one (``name``,
``uid``, ``containerPort``...), as server-side apply treats ``listType=map``; extra live items
(a sidecar injected by a webhook) are then not drift. Other lists must match item by item.
Quantities compare by value ("1000m" == "1"), as the apiserver canonicalises them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import orjson

from nimop import quantity

__all__ = ["MERGE_KEYS", "diff_paths", "is_subset", "manifest_hash", "merge_key"]

MERGE_KEYS = ("name", "uid", "containerPort", "port", "mountPath", "devicePath", "type", "key",
              "ip", "topologyKey")  # fmt: skip

_MAX_QUANTITY = Decimal(2**63 - 1)


def manifest_hash(manifest: Mapping[str, Any]) -> str:
    """A stable short hash of a manifest (sorted keys), to notice fields we stopped setting."""
    return hashlib.sha256(orjson.dumps(manifest, option=orjson.OPT_SORT_KEYS)).hexdigest()[:20]


def is_subset(desired: Any, live: Any) -> bool:
    return not diff_paths(desired, live, limit=1)


def diff_paths(desired: Any, live: Any, path: str = "", *, limit: int = 20) -> list[str]:
    """Paths where ``desired`` is not contained in ``live`` (at most ``limit``), for logs."""
    out: list[str] = []
    _diff(desired, live, path, out, limit)
    return out


def _empty(value: Any) -> bool:
    """None, [], {} or a map of only such values: the apiserver stores none of them."""
    if isinstance(value, Mapping):
        return all(_empty(v) for v in value.values())
    return value is None or (isinstance(value, list) and not value)


def _diff(desired: Any, live: Any, path: str, out: list[str], limit: int) -> None:
    if len(out) >= limit:
        return
    if isinstance(desired, Mapping):
        if not isinstance(live, Mapping):
            if not (_empty(desired) and live is None):
                out.append(path or ".")
            return
        for key, value in desired.items():
            sub = f"{path}.{key}"
            if key not in live:
                if not _empty(value):
                    out.append(sub)
            else:
                _diff(value, live[key], sub, out, limit)
    elif isinstance(desired, list):
        _diff_list(desired, live, path, out, limit)
    elif not _scalar_equal(desired, live):
        out.append(path or ".")


def _diff_list(desired: list[Any], live: Any, path: str, out: list[str], limit: int) -> None:
    if not isinstance(live, list):
        if not (not desired and live is None):
            out.append(path)
        return
    key = merge_key(desired)
    if key is None:
        if len(desired) != len(live):
            out.append(path)
            return
        for i, (d, v) in enumerate(zip(desired, live, strict=True)):
            _diff(d, v, f"{path}[{i}]", out, limit)
        return
    by_key = {item.get(key): item for item in live if isinstance(item, Mapping)}
    for item in desired:
        sub = f"{path}[{key}={item[key]}]"
        if item[key] not in by_key:
            out.append(sub)
        else:
            _diff(item, by_key[item[key]], sub, out, limit)


def merge_key(items: Sequence[Any]) -> str | None:
    """The key that identifies each item of a list of objects (unique in every item), or None
    for a list compared as a whole - how server-side apply tells map lists from atomic ones."""
    if not items or not all(isinstance(i, Mapping) for i in items):
        return None
    for key in MERGE_KEYS:
        values = [i.get(key) for i in items]
        if all(v is not None and not isinstance(v, Mapping | list) for v in values) and len(
            set(values)
        ) == len(values):
            return key
    return None


def _scalar_equal(desired: Any, live: Any) -> bool:
    if desired == live and type(desired) is type(live):
        return True
    if isinstance(desired, bool) or isinstance(live, bool):
        return False
    if isinstance(desired, int | float) and isinstance(live, int | float):
        return desired == live
    if isinstance(desired, str | int | float) and isinstance(live, str):
        a, b = _quantity(desired), _quantity(live)
        return a is not None and a == b
    return False


def _quantity(value: str | int | float) -> Decimal | None:
    amount = quantity.exact_value(str(value))
    # The apiserver stores a quantity beyond int64 as int64's maximum (resource.Quantity
    # clamps); compare the same way, or such a value would count as drift on every reconcile.
    return None if amount is None else min(amount, _MAX_QUANTITY)
