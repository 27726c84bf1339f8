"""Every pod nimop renders passes Pod Security `restricted`: each pod template of every golden
(the examples and NVIDIA's samples, as rendered: Deployment, LeaderWorkerSet, Job, the NIMBuild
pods, InferenceService predictors in both KServe modes, the endpoint picker) and of every CR
rendered on a vanilla, a rich and an OpenShift cluster (which adds the NIMCache probe pod).
The only exceptions are the ones docs/security.md documents, by field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.unit.deploy.test_permissions import renders
from tests.unit.render.cases import cases
from tests.unit.render.restricted import pod_specs, violations

GOLDEN = Path(__file__).resolve().parents[2] / "golden"

#: Documented in docs/security.md ("What cannot be restricted"): the CA-certificate init
#: container of `spec.proxy.certConfigMap` runs as root to rewrite the image's trust store.
CA_INIT = "initContainers update-ca-certificates:"
#: `spec.storage.hostPath`: restricted forbids hostPath volumes.
HOST_PATH = "volume "


def documented(finding: str, pod: dict[str, Any]) -> bool:
    if finding.startswith(CA_INIT):
        return True
    return finding.startswith(HOST_PATH) and "hostPath" in finding


def golden_objects() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(GOLDEN.glob("*/*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                out.append((f"{path.parent.name}/{path.name}", doc))
    return out


def test_the_walk_covers_every_kind_of_pod_nimop_renders() -> None:
    kinds = {obj["kind"] for _, obj in golden_objects() if list(pod_specs(obj))}
    rendered = {o["kind"] for case in cases() for _, r in renders(case) for o in r.objects}
    assert {"Deployment", "LeaderWorkerSet", "Job", "Pod", "InferenceService"} <= kinds | rendered


def _id(value: object) -> str:
    return value if isinstance(value, str) else ""


@pytest.mark.parametrize(("where", "obj"), golden_objects(), ids=_id)
def test_golden_pods_are_restricted(where: str, obj: dict[str, Any]) -> None:
    for path, pod in pod_specs(obj):
        found = [f for f in violations(pod) if not documented(f, dict(pod))]
        assert not found, f"{where} {obj['kind']}/{obj['metadata']['name']} {path}: {found}"


@pytest.mark.parametrize("case", cases(), ids=lambda c: c.id)
def test_rendered_pods_are_restricted_on_every_cluster(case: Any) -> None:
    for where, result in renders(case):
        for obj in result.objects:
            for path, pod in pod_specs(obj):
                found = [f for f in violations(pod) if not documented(f, dict(pod))]
                assert not found, f"{where} {obj['kind']}/{obj['metadata']['name']} {path}: {found}"


def test_the_checker_finds_what_restricted_forbids() -> None:
    pod = {
        "hostNetwork": True,
        "volumes": [{"name": "h", "hostPath": {"path": "/"}}],
        "securityContext": {"seccompProfile": {"type": "Unconfined"}},
        "containers": [
            {"name": "c", "securityContext": {"privileged": True, "runAsUser": 0,
                                              "capabilities": {"add": ["SYS_ADMIN"]}},
             "ports": [{"containerPort": 80, "hostPort": 80}]},
        ],
    }  # fmt: skip
    found = violations(pod)
    for text in ("hostNetwork", "volume h", "pod seccompProfile Unconfined", "privileged",
                 "allowPrivilegeEscalation", "drop lacks ALL", "capabilities.add",
                 "runAsNonRoot", "runAsUser: 0", "hostPort 80"):  # fmt: skip
        assert any(text in f for f in found), (text, found)
    good = {
        "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{"name": "c", "securityContext": {
            "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}}],
    }  # fmt: skip
    assert violations(good) == []
