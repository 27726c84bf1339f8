"""Compare two CRD schemas path by path (type, enum, default, required-ness).

Used by the compatibility test: every property path of an upstream CRD must exist in ours
with a compatible type, the same enum and default, and the same required-ness — unless the
difference is listed in docs/compatibility.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

BEGIN = "<!-- BEGIN schema-differences -->"
END = "<!-- END schema-differences -->"


@dataclass(frozen=True, order=True)
class Difference:
    kind: str
    path: str
    aspect: str  # missing | type | enum | default | required


def openapi_schema(crd: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    return schema


def load_crd(path: Path) -> dict[str, Any]:
    for doc in yaml.safe_load_all(path.read_text()):
        if doc and doc.get("kind") == "CustomResourceDefinition":
            return dict(doc)
    raise ValueError(f"no CRD in {path}")


def _type(node: dict[str, Any]) -> str:
    if node.get("x-kubernetes-int-or-string"):
        return "int-or-string"
    return str(node.get("type", "any"))


def _children(node: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], bool]]:
    required = set(node.get("required", []))
    for name, child in node.get("properties", {}).items():
        yield f".{name}", child, name in required
    if isinstance(node.get("items"), dict):
        yield "[]", node["items"], False
    if isinstance(node.get("additionalProperties"), dict):
        yield "{}", node["additionalProperties"], False


def _required(node: dict[str, Any], is_required: bool) -> bool:
    """Required with a default is never missing after defaulting: same as optional."""
    return is_required and "default" not in node


def compare(kind: str, upstream: dict[str, Any], ours: dict[str, Any]) -> list[Difference]:
    """Every upstream path whose counterpart in ours is missing or incompatible."""
    out: list[Difference] = []

    def walk(path: str, up: dict[str, Any], our: dict[str, Any]) -> None:
        if _type(up) != _type(our):
            out.append(Difference(kind, path, "type"))
            return
        if sorted(map(str, up.get("enum", []))) != sorted(map(str, our.get("enum", []))):
            out.append(Difference(kind, path, "enum"))
        if up.get("default") != our.get("default"):
            out.append(Difference(kind, path, "default"))
        ours_children = {p: (c, r) for p, c, r in _children(our)}
        for sub, child, req in _children(up):
            if sub not in ours_children:
                if not our.get("x-kubernetes-preserve-unknown-fields"):
                    out.append(Difference(kind, path + sub, "missing"))
                continue
            our_child, our_req = ours_children[sub]
            if _required(child, req) != _required(our_child, our_req):
                out.append(Difference(kind, path + sub, "required"))
            walk(path + sub, child, our_child)

    walk("", upstream, ours)
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
