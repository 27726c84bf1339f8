"""nimop's rules that upstream's CRDs lack, checked again on the stored object.

Why: an object stored under upstream's looser schema stays as it is when nimop's CRDs are
installed, and validation ratcheting (Kubernetes ≥ 1.30) accepts every later update that leaves
the offending part unchanged — so the object keeps working, but nobody would learn that the
next edit of that part must fix it. The controllers report these as a `SpecValid=False`
condition naming the field and the fix (docs/migration.md "Stricter rules").

Each check mirrors a CEL rule of nimop.api that upstream's CRD does not have (the rows of
docs/compatibility.md "Validation differences"); they read raw dicts because they run on every
reconcile.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any


def violations(spec: Mapping[str, Any], at: str = "spec") -> list[str]:
    """Messages for each stricter rule the NIMService spec `spec` breaks (empty when none)."""
    return list(_service(spec, at))


def _service(spec: Mapping[str, Any], at: str) -> Iterator[str]:
    hpa = (spec.get("scale") or {}).get("hpa") or {}
    low, high = hpa.get("minReplicas"), hpa.get("maxReplicas") or 0
    if isinstance(low, int) and isinstance(high, int) and high > 0 and low > high:
        yield (
            f"{at}.scale.hpa.minReplicas ({low}) exceeds {at}.scale.hpa.maxReplicas ({high}): "
            "lower minReplicas or raise maxReplicas (the next change of scale.hpa must)"
        )
    epp = ((spec.get("expose") or {}).get("router") or {}).get("eppConfig")
    if isinstance(epp, Mapping) and ("config" in epp) == ("configMapRef" in epp):
        yield (
            f"{at}.expose.router.eppConfig needs exactly one of config and configMapRef: "
            "without one the endpoint picker has no configuration"
        )
    pvc = (spec.get("storage") or {}).get("pvc") or {}
    if pvc.get("create") is True and not pvc.get("size"):
        yield f"{at}.storage.pvc.size is required when storage.pvc.create is true, e.g. 50Gi"
