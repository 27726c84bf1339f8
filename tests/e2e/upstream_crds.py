"""Upstream's CRDs, as the migration test installs them (tests/e2e/test_migration.py).

The fixture ``upstream-crds.json`` beside this module is derived from the CRD YAML NVIDIA's
NIM Operator 3.x ships (``deployments/helm/k8s-nim-operator/crds/*.yaml`` in
NVIDIA/k8s-nim-operator, the files its Helm chart applies) by this module, so the test needs no
network: the schemas are kept exactly — structure, types, enums, defaults, required fields and
upstream's own ``x-kubernetes-validations`` — and only the ``description`` texts are dropped.

Regenerate from a directory holding those files:

    python -m tests.e2e.upstream_crds CRD_DIR   # e.g. deployments/helm/k8s-nim-operator/crds
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

FIXTURE = Path(__file__).with_name("upstream-crds.json")


def _without_descriptions(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_descriptions(v) for k, v in node.items() if k != "description"}
    if isinstance(node, list):
        return [_without_descriptions(v) for v in node]
    return node


def derive(source: Path) -> list[dict[str, Any]]:
    """Upstream's CRDs of the apps.nvidia.com group found in `source`, without descriptions."""
    crds = []
    for path in sorted(source.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition" and (
                doc["spec"]["group"] == "apps.nvidia.com"
            ):
                crds.append(_without_descriptions(doc))
    return sorted(crds, key=lambda c: str(c["metadata"]["name"]))


def write(crds: list[dict[str, Any]], target: Path = FIXTURE) -> None:
    """One CRD a line, so a regeneration diffs per CRD."""
    lines = ",\n".join(json.dumps(c, sort_keys=True, separators=(",", ":")) for c in crds)
    target.write_text(f"[\n{lines}\n]\n")


def load() -> list[dict[str, Any]]:
    """The fixture's CRDs (fresh copies: callers add Helm's labels)."""
    crds: list[dict[str, Any]] = json.loads(FIXTURE.read_text())
    return crds


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    crds = derive(Path(argv[0]))
    if not crds:
        print(f"no apps.nvidia.com CRDs in {argv[0]}", file=sys.stderr)
        return 1
    write(crds)
    print(f"wrote {len(crds)} CRDs to {FIXTURE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
