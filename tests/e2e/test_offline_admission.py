"""The offline verdict (`nimop render`'s schema and CEL check, nimop.admission) equals the
apiserver's: on the invalid corpus (tests/e2e/invalid, all rejected), the hostile corpus
(tests/e2e/hostile, mostly admitted, handled by the operator) and every example, a real
apiserver with nimop's CRDs accepts exactly what offline admission accepts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from nimop.admission import review
from tests.cluster import Cluster
from tests.e2e.test_api_admission import (  # the same corpora and CRD fixture
    EXAMPLES,
    INVALID,
    SAMPLES,
    _dry_run_create,
    _nim_docs,
    crds,  # noqa: F401
)

HOSTILE = sorted((Path(__file__).parent / "hostile").glob("*.yaml"))
CORPUS = INVALID + HOSTILE + EXAMPLES + SAMPLES


def _ours(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [d for d in docs if str(d.get("apiVersion", "")).startswith("apps.nvidia.com/")]


def offline_verdict(path: Path) -> list[str]:
    docs = _ours(_nim_docs(path))
    if path in INVALID and len(docs) == 2:
        return review(docs[1], old=docs[0]).errors
    return [e for d in docs for e in review(d).errors]


def apiserver_verdict(cluster: Cluster, namespace: str, path: Path) -> str:
    docs = _nim_docs(path)
    if path not in INVALID or len(docs) != 2:
        return _dry_run_create(cluster, namespace, _ours(docs))
    original, update = docs
    cluster.kubectl("create", "-n", namespace, "-f", "-", input=yaml.safe_dump(original))
    result = cluster.kubectl("apply", "--server-side", "--force-conflicts", "-n", namespace,
                             "-f", "-", input=yaml.safe_dump(update), check=False)  # fmt: skip
    return "" if result.returncode == 0 else result.stderr


@pytest.mark.usefixtures("crds")  # nimop's CRDs installed and established
@pytest.mark.parametrize("path", CORPUS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_offline_verdict_equals_the_apiservers(
    cluster: Cluster, namespace: str, path: Path
) -> None:
    server = apiserver_verdict(cluster, namespace, path)
    offline = offline_verdict(path)
    assert bool(offline) == bool(server), (
        f"{path.name}: apiserver {'rejects' if server else 'accepts'}, offline "
        f"{'rejects' if offline else 'accepts'}\napiserver: {server}\noffline: {offline}"
    )
