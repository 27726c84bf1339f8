"""Admission of nimop CRs by a real apiserver: the CRDs install, every example and upstream
sample is accepted, and every CR of the invalid corpus (tests/e2e/invalid) is rejected with a
message naming the field.

Corpus format: `# expect: <fragment>` lines (each must appear in the apiserver's error) and a
`# why:` line; one YAML document is a create; two documents mean "create the first, then the
update to the second must be rejected" (immutable fields).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.cluster import Cluster
from tests.unit.api.paths import sample_files

REPO = Path(__file__).resolve().parents[2]
CRDS = REPO / "api" / "crds"
EXAMPLES = sorted((REPO / "api" / "examples").glob("*.yaml"))
SAMPLES = sample_files()
INVALID = sorted((Path(__file__).parent / "invalid").glob("*.yaml"))
KINDS = ("nimcaches", "nimservices", "nimpipelines", "nimbuilds")


@pytest.fixture(scope="module")
def crds(cluster: Cluster) -> Cluster:
    """Our CRDs installed (server-side, as `nimop crds` publishes them) and established."""
    cluster.kubectl("apply", "--server-side", "--force-conflicts", "-f", str(CRDS))
    names = [f"crd/{k}.apps.nvidia.com" for k in KINDS]
    cluster.kubectl("wait", "--for=condition=Established", "--timeout=60s", *names)
    return cluster


@pytest.fixture(scope="module")
def scratch(crds: Cluster) -> Iterator[str]:
    """One namespace for the dry-run cases (nothing is persisted there)."""
    name = f"t-api-admission-{uuid.uuid4().hex[:6]}"
    crds.kubectl("create", "namespace", name)
    yield name
    crds.kubectl("delete", "namespace", name, "--wait=false", check=False)


def _nim_docs(path: Path) -> list[dict[str, Any]]:
    """The documents of a file with any namespace removed (tests choose the namespace)."""
    docs = [d for d in yaml.safe_load_all(path.read_text()) if d]
    for doc in docs:
        doc.get("metadata", {}).pop("namespace", None)
    return docs


def _dry_run_create(cluster: Cluster, namespace: str, docs: list[dict[str, Any]]) -> str:
    """Server-side dry-run create; returns the apiserver's error output ('' when accepted).

    `create`, not server-side apply: two upstream samples carry explicit nulls
    (`model:`/`storageClass:` with no value), which `create` prunes as the apiserver always
    did but server-side apply rejects, with upstream's CRDs as with ours.
    """
    text = yaml.safe_dump_all(docs)
    result = cluster.kubectl(
        "create", "-n", namespace, "--dry-run=server", "-f", "-", input=text, check=False
    )
    return "" if result.returncode == 0 else result.stderr + result.stdout


#: Upstream samples that upstream's own CRD rules reject (§9 item 48), with the fragment
#: the apiserver must report. Kept as samples because they are what users copy.
KNOWN_INVALID_SAMPLES = {
    "serving_kserve_standard_llm.yaml": (
        "spec.scale.enabled and spec.replicas are mutually exclusive"
    ),
}


@pytest.mark.parametrize("path", EXAMPLES + SAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_valid_resources_are_accepted(crds: Cluster, scratch: str, path: Path) -> None:
    error = _dry_run_create(crds, scratch, _nim_docs(path))
    expected = KNOWN_INVALID_SAMPLES.get(path.name) if path in SAMPLES else None
    if expected:
        assert expected in error
    else:
        assert error == ""


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_apply_server_side(crds: Cluster, scratch: str, path: Path) -> None:
    result = crds.kubectl(
        "apply", "--server-side", "--dry-run=server", "-n", scratch, "-f", str(path), check=False
    )
    assert result.returncode == 0, result.stderr


def _expectations(path: Path) -> list[str]:
    return re.findall(r"^# expect: (.+)$", path.read_text(), flags=re.MULTILINE)


def test_invalid_corpus_is_large_and_annotated() -> None:
    assert len(INVALID) >= 40
    for path in INVALID:
        assert _expectations(path), f"{path.name} has no '# expect:' line"
        assert re.search(r"^# why: .+", path.read_text(), flags=re.MULTILINE), path.name


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_resources_are_rejected(crds: Cluster, namespace: str, path: Path) -> None:
    docs = _nim_docs(path)
    if len(docs) == 1:
        error = _dry_run_create(crds, namespace, docs)
    else:
        original, update = docs
        crds.kubectl("create", "-n", namespace, "-f", "-", input=yaml.safe_dump(original))
        # Server-side apply needs no resourceVersion, so a concurrent status write by a running
        # operator cannot turn the expected rejection into a conflict.
        result = crds.kubectl(
            "apply",
            "--server-side",
            "--force-conflicts",
            "-n",
            namespace,
            "-f",
            "-",
            input=yaml.safe_dump(update),
            check=False,
        )
        error = "" if result.returncode == 0 else result.stderr
    assert error, f"{path.name} was accepted"
    for fragment in _expectations(path):
        assert fragment in error, f"{path.name}: {fragment!r} not in:\n{error}"


def test_explain_multinode_is_useful(crds: Cluster) -> None:
    def explain() -> str:
        return crds.kubectl("explain", "nimservice.spec.multiNode", check=False).stdout

    from tests.support import eventually

    text = eventually(
        lambda: explain() if "parallelism" in explain() else None, timeout=30, what="explain"
    )
    assert "LeaderWorkerSet" in text
    for field in ("backendType", "parallelism", "mpi", "ray", "computeDomain"):
        assert field in text
