"""The upstream CRDs' schema facts, derived once and committed: `tests/unit/api/upstream/*.json`.

The compatibility contract is NVIDIA's NIM Operator CRDs. The suite must pass in a fresh clone
with nothing beside it, so it does not read those CRDs: it reads the facts derived from them —
for every property path, its type, enum, default, required-ness and whether unknown fields are
kept — one JSON file per kind, for all nine upstream kinds.

Where the upstream CRDs come from: the NVIDIA/k8s-nim-operator repository, `config/crd/bases/`
(identical copies are in `bundle/manifests/` and `deployments/helm/k8s-nim-operator/crds/`), at
the commit recorded in each fact file's `source`. To refresh after an upstream release::

    git clone https://github.com/NVIDIA/k8s-nim-operator /tmp/nim-operator
    python -m tests.unit.api.upstream_facts /tmp/nim-operator/config/crd/bases \\
        --source "NVIDIA/k8s-nim-operator@<commit> config/crd/bases"

then run `tests/unit/api/test_compatibility.py` and update docs/compatibility.md's table.
`test_upstream_facts.py` checks the committed files' own consistency (every kind present, every
path's parent present, the digest of the facts matches).
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

FACTS = Path(__file__).resolve().parent / "upstream"
GROUP = "apps.nvidia.com"

#: The nine upstream kinds and their plurals (§0 C1).
UPSTREAM_KINDS = {
    "NIMCache": "nimcaches",
    "NIMService": "nimservices",
    "NIMPipeline": "nimpipelines",
    "NIMBuild": "nimbuilds",
    "NemoCustomizer": "nemocustomizers",
    "NemoDatastore": "nemodatastores",
    "NemoEntitystore": "nemoentitystores",
    "NemoEvaluator": "nemoevaluators",
    "NemoGuardrail": "nemoguardrails",
}

Facts = dict[str, dict[str, Any]]


def node_type(node: dict[str, Any]) -> str:
    if node.get("x-kubernetes-int-or-string"):
        return "int-or-string"
    return str(node.get("type", "any"))


def children(node: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], bool]]:
    """(path suffix, schema, required) of a node's properties, list items and map values."""
    required = set(node.get("required", []))
    for name, child in node.get("properties", {}).items():
        yield f".{name}", child, name in required
    if isinstance(node.get("items"), dict):
        yield "[]", node["items"], False
    if isinstance(node.get("additionalProperties"), dict):
        yield "{}", node["additionalProperties"], False


def schema_facts(schema: dict[str, Any]) -> Facts:
    """Every path of an OpenAPI v3 schema with what compatibility compares (pre-order)."""
    out: Facts = {}

    def visit(path: str, parent: str | None, node: dict[str, Any], required: bool) -> None:
        fact: dict[str, Any] = {"parent": parent, "type": node_type(node), "required": required}
        if "enum" in node:
            fact["enum"] = sorted(map(str, node["enum"]))
        if "default" in node:
            fact["default"] = node["default"]
        if node.get("x-kubernetes-preserve-unknown-fields"):
            fact["preserveUnknownFields"] = True
        out[path] = fact
        for suffix, child, req in children(node):
            visit(path + suffix, path, child, req)

    visit("", None, schema, False)
    return out


def crd_schema(crd: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    return schema


def load_crd(path: Path) -> dict[str, Any]:
    for doc in yaml.safe_load_all(path.read_text()):
        if doc and doc.get("kind") == "CustomResourceDefinition":
            return dict(doc)
    raise ValueError(f"no CustomResourceDefinition in {path}")


def digest(paths: Facts) -> str:
    text = json.dumps(paths, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def derive(crd: dict[str, Any], source: str) -> dict[str, Any]:
    """The fact file of one upstream CRD."""
    paths = schema_facts(crd_schema(crd))
    return {
        "kind": crd["spec"]["names"]["kind"],
        "plural": crd["spec"]["names"]["plural"],
        "version": crd["spec"]["versions"][0]["name"],
        "source": source,
        "sha256": digest(paths),
        "paths": paths,
    }


def fact_file(plural: str) -> Path:
    return FACTS / f"{plural}.json"


def load(kind: str) -> dict[str, Any]:
    """The committed facts of one upstream kind."""
    data: dict[str, Any] = json.loads(fact_file(UPSTREAM_KINDS[kind]).read_text())
    return data


def write_all(crd_dir: Path, source: str) -> list[Path]:
    FACTS.mkdir(exist_ok=True)
    written = []
    for plural in UPSTREAM_KINDS.values():
        crd = load_crd(crd_dir / f"{GROUP}_{plural}.yaml")
        out = fact_file(plural)
        out.write_text(json.dumps(derive(crd, source), indent=1, sort_keys=True) + "\n")
        written.append(out)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.unit.api.upstream_facts",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("crd_dir", type=Path, help="directory of upstream apps.nvidia.com_*.yaml")
    parser.add_argument("--source", required=True, help="where the CRDs came from (repo@commit)")
    args = parser.parse_args(argv)
    for path in write_all(args.crd_dir, args.source):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
