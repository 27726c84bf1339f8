"""What a stored CR breaks of nimop's CRD: the `SpecValid` condition of validation ratcheting.

Why: an object stored under a looser schema (upstream's CRDs, or an older nimop's) stays as it
is when nimop's CRDs are installed, and the apiserver's validation ratcheting (Kubernetes ≥
1.30) accepts every later update that leaves the offending part unchanged. The object keeps
working, but nobody would learn that the next edit of that part must fix it. So every kind's
status says so: the stored spec is checked against the installed CRD's own schema and CEL
rules (nimop.admission, the same source as ``nimop crds``), and each finding is listed in
``SpecValid=False`` (reason ``StricterRule``) naming the field and the fix. Once fixed the
condition turns ``True``; an object that never broke a rule gets none, so ordinary statuses do
not change.

The CEL rules run in cel-python, which is slow (tens of milliseconds per object): findings
depend only on the kind and the spec, so they are cached by the spec's content, and CRs that
share a spec (a fleet stamped from one template, or one CR re-reconciled at the same
generation) pay once. (A worker thread would not make it cheaper — the interpreter holds the
GIL — and would hide the work from the in-memory API's `settle`.)
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from nimop.admission import review
from nimop.controllers import conditions
from nimop.watch.objects import meta

#: Distinct specs whose findings are kept (least recently used go first).
CACHE_SIZE = 20_000
_cache: OrderedDict[str, tuple[str, ...]] = OrderedDict()


def findings(obj: Mapping[str, Any]) -> tuple[str, ...]:
    """Why nimop's CRD would refuse `obj`'s spec if it were created now (empty when it would
    not): the schema's limits and the CEL rules, as the apiserver reports them."""
    md = meta(obj)
    doc = {"apiVersion": obj.get("apiVersion"), "kind": obj.get("kind"),
           "metadata": {"name": md.get("name"), "namespace": md.get("namespace")},
           "spec": obj.get("spec")}  # fmt: skip
    verdict = review(doc, strict=False)
    return tuple(e for e in verdict.errors if not e.startswith("metadata."))


def spec_key(obj: Mapping[str, Any]) -> str:
    """What the findings depend on — group/version, kind and spec — as one digest (the
    object's name and namespace are not part of it: metadata findings are dropped)."""
    content = [obj.get("apiVersion"), obj.get("kind"), obj.get("spec")]
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def cached_findings(obj: Mapping[str, Any]) -> tuple[str, ...]:
    """:func:`findings`, once per distinct spec."""
    key = spec_key(obj)
    hit = _cache.get(key)
    if hit is not None:
        _cache.move_to_end(key)
        return hit
    found = findings(obj)
    _cache[key] = found
    while len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)
    return found


def spec_valid(found: tuple[str, ...], current: list[Mapping[str, Any]]) -> list[conditions.Cond]:
    """The `SpecValid` condition to set: False with the findings; True once a CR that had it
    is fixed; none for a CR that never broke a rule."""
    if found:
        return [conditions.Cond("SpecValid", False, "StricterRule", "; ".join(found))]
    if conditions.find(current, "SpecValid"):
        return [conditions.Cond("SpecValid", True, "Valid")]
    return []


def with_spec_valid(obj: Mapping[str, Any], status: Mapping[str, Any], now: str) -> dict[str, Any]:
    """`status` with its `SpecValid` condition brought up to date."""
    current = list(status.get("conditions") or [])
    wanted = spec_valid(cached_findings(obj), current)
    if not wanted:
        return dict(status)
    generation = int(meta(obj).get("generation") or 0)
    merged = conditions.merge(current, wanted, generation=generation, now=now)
    return {**status, "conditions": merged}
