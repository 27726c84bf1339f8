"""Offline admission: what the apiserver would say about a nimop CR, without an apiserver.

:func:`review` applies the kind's CRD schema as the apiserver does (``schema.py``: pruning,
defaulting, types and limits, then the ``x-kubernetes-validations`` CEL rules, evaluated with
cel-python and Kubernetes' CEL libraries in ``celk8s.py``), plus the metadata checks every
object gets. The schema is the CRD's, which ``nimop crds`` also writes as package data, so the
offline verdict and the apiserver's come from one source (``tests/e2e/test_offline_admission.py``
compares them on the invalid corpus). Imports are lazy: ``nimop render`` pays for CEL only when
it validates.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["Verdict", "review"]

# k8s.io/apimachinery IsDNS1123Subdomain: the rule for a custom resource's name.
_LABEL_VALUE = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_DNS1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


@dataclass
class Verdict:
    """``errors``: why the apiserver would reject the object; ``unknown``: fields it drops;
    ``admitted``: the object as it would be stored (pruned and defaulted)."""

    errors: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    admitted: dict[str, Any] = field(default_factory=dict)


#: Written by `nimop crds` from the models (``nimop.api.crdgen``), checked for staleness with
#: the CRDs: the same schema the apiserver serves, without building it from the models.
SCHEMAS = Path(__file__).resolve().parent / "schemas"


@cache
def _schema(kind: str) -> dict[str, Any] | None:
    from nimop.api.registry import KINDS

    info = KINDS.get(kind)
    if info is None:
        return None
    schema: dict[str, Any] = json.loads((SCHEMAS / f"{info.plural}.json").read_text())
    return schema


def _metadata(doc: dict[str, Any]) -> list[str]:
    """ObjectMeta validation every object gets (apimachinery's ValidateObjectMeta subset)."""
    meta = doc.get("metadata")
    if not isinstance(meta, dict) or not (meta.get("name") or meta.get("generateName")):
        return ["metadata.name: Required value: name or generateName is required"]
    errors = []
    name = str(meta.get("name") or "")
    if name and (len(name) > 253 or _DNS1123.match(name) is None):
        errors.append(f'metadata.name: Invalid value: "{name}": a lowercase RFC 1123 subdomain '
                      "must consist of lower case alphanumeric characters, '-' or '.', and must "
                      "start and end with an alphanumeric character")  # fmt: skip
    for part in ("labels", "annotations"):
        entries = meta.get(part) or {}
        if isinstance(entries, dict):
            errors += [f"metadata.{part}: Invalid value: {k!r}: {p}" for k in entries
                       if (p := _qualified_name_problem(str(k)))]  # fmt: skip
    for value in (meta.get("labels") or {}).values():
        text = "" if value is None else str(value)
        if len(text) > 63:
            errors.append(f'metadata.labels: Invalid value: "{text}": must be no more than 63 '
                          "bytes")  # fmt: skip
        elif text and _LABEL_VALUE.match(text) is None:
            errors.append(f'metadata.labels: Invalid value: "{text}": a valid label must be an '
                          "empty string or consist of alphanumeric characters, '-', '_' or '.', "
                          "and must start and end with an alphanumeric character")  # fmt: skip
    return errors


def _qualified_name_problem(key: str) -> str | None:
    """apimachinery IsQualifiedName: ``[prefix/]name``, name <= 63, prefix a DNS subdomain."""
    prefix, _, name = key.rpartition("/")
    if prefix and (len(prefix) > 253 or _DNS1123.match(prefix) is None):
        return "prefix part must be a lowercase RFC 1123 subdomain"
    if not name or len(name) > 63 or _LABEL_VALUE.match(name) is None:
        return ("name part must consist of alphanumeric characters, '-', '_' or '.', and must "
                "start and end with an alphanumeric character (at most 63)")  # fmt: skip
    return None


#: An object that expands to more values than this through YAML aliases is refused before any
#: copy is made (a "billion laughs" document), as kubectl's YAML decoder refuses it.
MAX_EXPANDED = 100_000


def _expanded_size(value: Any, memo: dict[int, int]) -> int:
    """Values in ``value`` with shared (aliased) parts counted each time they appear."""
    if not isinstance(value, dict | list):
        return 1
    if id(value) in memo:
        return memo[id(value)]
    items = value.values() if isinstance(value, dict) else value
    memo[id(value)] = total = 1 + sum(_expanded_size(v, memo) for v in items)
    return total


def _aliasing(doc: dict[str, Any]) -> str | None:
    memo: dict[int, int] = {}
    size = _expanded_size(doc, memo)
    if size > MAX_EXPANDED and size > 10 * (len(memo) + 1):
        return (f"document contains excessive aliasing: it expands to {size} values. Fix: "
                "write the values out instead of YAML aliases")  # fmt: skip
    return None


def review(
    doc: dict[str, Any],
    *,
    old: dict[str, Any] | None = None,
    cel: bool = True,
    strict: bool = True,
) -> Verdict:
    """The apiserver's verdict on creating ``doc`` (or updating ``old`` to it). ``strict`` is
    the ``fieldValidation=Strict`` kubectl sends by default: unknown fields are errors (else
    they are only listed in ``unknown``, and pruned)."""
    from .schema import _ABSENT, Walk

    bomb = _aliasing(doc)
    if bomb is not None:
        return Verdict(errors=[bomb])
    schema = _schema(str(doc.get("kind")))
    if schema is None:
        return Verdict(errors=[f"kind {doc.get('kind')!r} is not served by nimop"])
    walk = Walk(cel=_cel_runner() if cel else None)
    admitted = walk.admit(doc, schema, _ABSENT if old is None else old)
    unknown = [f'strict decoding error: unknown field "{p}"' for p in walk.unknown] if strict \
        else []  # fmt: skip
    return Verdict(_metadata(doc) + unknown + walk.errors, walk.unknown, admitted)


def _cel_runner() -> Any:
    from .cel import run_rule

    return run_rule
