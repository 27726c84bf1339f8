"""Every object nimop renders for every sample and API example is accepted by a real apiserver
(server-side dry-run, with the external CRDs — LWS, KServe, Gateway API, InferencePool,
ServiceMonitor — and our own CRDs installed). This is what catches a wrong field name or shape
that the golden files would faithfully preserve."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from nimop.offline import load_documents
from nimop.render import render_nimcache, render_nimpipeline, render_nimservice
from tests.unit.render.cases import Case, cases, golden_facts

ROOT = Path(__file__).resolve().parents[2]
FAKE_UID = "00000000-0000-4000-8000-000000000001"
RENDERERS = {
    "NIMCache": render_nimcache,
    "NIMService": render_nimservice,
    "NIMPipeline": render_nimpipeline,
}


@pytest.fixture(scope="module")
def our_crds(cluster: Any) -> set[str]:
    """Install api/crds; returns the nimop kinds whose CRD the apiserver accepted (a pipeline's
    NIMServices can only be dry-run when the NIMService CRD is installed)."""
    served = set()
    for path in sorted((ROOT / "api" / "crds").glob("*.yaml")):
        crd = yaml.safe_load(path.read_text())
        applied = cluster.kubectl(
            "apply", "--server-side", "--force-conflicts", "-f", str(path), check=False
        )
        if applied.returncode == 0:
            served.add(crd["spec"]["names"]["kind"])
    cluster.kubectl("wait", "--for=condition=Established", "crd", "--all", "--timeout=60s")
    return served


def rendered_objects(case: Case) -> list[dict[str, Any]]:
    """Everything `nimop render` would output for the case, with owner uids set so
    ownerReferences are exercised too; pipelines expand into their NIMServices' children."""
    docs = load_documents([case.path])
    facts = golden_facts(docs)
    out: list[dict[str, Any]] = []
    queue = list(docs)
    while queue:
        doc = queue.pop(0)
        render = RENDERERS.get(str(doc.get("kind")))
        if render is None:
            out.append(doc)
            continue
        doc = {**doc, "metadata": {**doc["metadata"], "uid": FAKE_UID}}
        result = render(doc, facts)
        out += result.objects
        queue += [o for o in result.objects if o["kind"] == "NIMService"]
    return out


@pytest.mark.parametrize("case", cases(), ids=lambda c: c.id)
def test_rendered_objects_pass_server_dry_run(
    case: Case, cluster: Any, namespace: str, our_crds: set[str]
) -> None:
    objects = [
        o
        for o in rendered_objects(case)
        if o["apiVersion"] != "apps.nvidia.com/v1alpha1" or o["kind"] in our_crds
    ]
    for obj in objects:
        obj["metadata"]["namespace"] = namespace
    result = cluster.kubectl(
        "create",
        "--dry-run=server",
        "-f",
        "-",
        input=yaml.safe_dump_all(objects, sort_keys=False),
        check=False,
    )
    assert result.returncode == 0, f"{case.id}:\n{result.stderr}"
