"""Where the published API and the upstream samples live (all inside the repository; the
upstream CRDs' schema facts are in `upstream_facts.py`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[3]
API = REPO / "api"
EXAMPLES = API / "examples"
#: NVIDIA's sample CRs (config/samples of k8s-nim-operator), copied for the golden tests.
SAMPLES = REPO / "tests" / "golden" / "inputs" / "samples"
KINDS = {
    "NIMCache": "nimcaches",
    "NIMService": "nimservices",
    "NIMPipeline": "nimpipelines",
    "NIMBuild": "nimbuilds",
    "NemoEntitystore": "nemoentitystores",
    "NemoDatastore": "nemodatastores",
    "NemoGuardrail": "nemoguardrails",
    "NemoEvaluator": "nemoevaluators",
    "NemoCustomizer": "nemocustomizers",
}


def documents(path: Path) -> Iterator[dict[str, Any]]:
    """The nimop custom resources in a YAML file (other objects skipped)."""
    for doc in yaml.safe_load_all(path.read_text()):
        if doc and doc.get("apiVersion") == "apps.nvidia.com/v1alpha1":
            yield doc


def example_files() -> list[Path]:
    return sorted(EXAMPLES.glob("*.yaml"))


def sample_files() -> list[Path]:
    return sorted(SAMPLES.glob("*.yaml"))
