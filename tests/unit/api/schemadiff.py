"""Compare two CRD schemas path by path (type, enum, default, required-ness), as facts.

Used by the compatibility test: every property path of an upstream CRD must exist in ours
with a compatible type, the same enum and default, and the same required-ness — unless the
difference is listed in docs/compatibility.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.unit.api.upstream_facts import Facts

BEGIN = "<!-- BEGIN schema-differences -->"
END = "<!-- END schema-differences -->"


@dataclass(frozen=True, order=True)
class Difference:
    kind: str
    path: str
    aspect: str  # missing | type | enum | default | required


def _required(fact: dict[str, Any]) -> bool:
    """Required with a default is never missing after defaulting: same as optional."""
    return bool(fact["required"]) and "default" not in fact


def compare(kind: str, upstream: Facts, ours: Facts) -> list[Difference]:
    """Every upstream path whose counterpart in ours is missing or incompatible (the inputs
    are `schema_facts`: the committed upstream facts and our CRD's)."""
    out: list[Difference] = []
    below: dict[str, list[str]] = {}
    for path, fact in upstream.items():
        if fact["parent"] is not None:
            below.setdefault(fact["parent"], []).append(path)

    def walk(path: str) -> None:
        up, our = upstream[path], ours[path]
        if up["type"] != our["type"]:
            out.append(Difference(kind, path, "type"))
            return
        if up.get("enum", []) != our.get("enum", []):
            out.append(Difference(kind, path, "enum"))
        if up.get("default") != our.get("default"):
            out.append(Difference(kind, path, "default"))
        for sub in below.get(path, []):
            if sub not in ours:
                if not our.get("preserveUnknownFields"):
                    out.append(Difference(kind, sub, "missing"))
                continue
            if _required(upstream[sub]) != _required(ours[sub]):
                out.append(Difference(kind, sub, "required"))
            walk(sub)

    walk("")
    return sorted(out)


def documented(markdown: str) -> set[Difference]:
    """The rows of the machine-readable table in docs/compatibility.md."""
    if BEGIN not in markdown or END not in markdown:
        raise ValueError("docs/compatibility.md has no schema-differences section")
    body = markdown.split(BEGIN, 1)[1].split(END, 1)[0]
    rows: set[Difference] = set()
    for line in body.splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) < 4 or cells[0] in ("Kind", "") or set(cells[0]) <= {"-"}:
            continue
        rows.add(Difference(cells[0], cells[1], cells[2]))
    return rows
