"""The OLM bundle passes operator-framework's own validators (the library `operator-sdk bundle
validate` runs, default suite plus the optional operatorframework suite, built once into the
cache by tests.tools), carries the fields OperatorHub expects, and claims `disconnected` only
when its image is pinned by digest."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from nimop.deploygen import objects as o
from nimop.deploygen.olm import MIN_KUBE_VERSION
from tests.tools import ensure
from tests.tools.catalog import BUNDLE_VALIDATE

pytestmark = pytest.mark.tools
ROOT = Path(__file__).resolve().parents[3]
BUNDLE = ROOT / "deploy" / "olm"
CSV = Path("manifests/nimop.clusterserviceversion.yaml")
DIGEST_IMAGE = "registry.example/nimop@sha256:" + "0f" * 32
DISCONNECTED = "features.operators.openshift.io/disconnected"


def validate(bundle: Path) -> subprocess.CompletedProcess[str]:
    minor = MIN_KUBE_VERSION.rsplit(".", 1)[0]
    return subprocess.run([str(ensure(BUNDLE_VALIDATE)), "-k8s-version", minor, str(bundle)],
                          capture_output=True, text=True, timeout=120, check=False)


def csv(bundle: Path) -> dict[str, Any]:
    return dict(yaml.safe_load((bundle / CSV).read_text()))


def build(tmp_path: Path, image: str) -> Path:
    out = tmp_path / "bundle"
    subprocess.run([sys.executable, "-m", "nimop.deploygen", "--root", str(ROOT),
                    "--bundle-image", image, "--bundle-output", str(out)],
                   check=True, timeout=120)
    return out


#: Warnings that are the validator's mistake, each with why. The deprecated-API check matches
#: RBAC rules by group and resource, but RBAC names no version: `events.k8s.io` events are
#: served as v1 (the operator's EventRecorder uses v1); only v1beta1 was removed in 1.25.
FALSE_POSITIVES = {
    "deprecated and removed in v1.25": '"ClusterServiceVersion.Spec.InstallStrategy.StrategySpec'
                                       '.Permissions[0].Rules[',
}


def unexpected(stdout: str) -> list[str]:
    lines = [line for line in stdout.splitlines() if line.startswith(("ERROR", "WARN"))]
    return [line for line in lines if not any(
        line.startswith("WARN") and key in line and where in line and "events" in line
        for key, where in FALSE_POSITIVES.items())]


def test_committed_bundle_passes_with_no_errors_and_no_warnings() -> None:
    result = validate(BUNDLE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert unexpected(result.stdout) == [], result.stdout


def test_a_broken_bundle_fails_naming_the_problem(tmp_path: Path) -> None:
    broken = build(tmp_path, o.IMAGE)
    doc = csv(broken)
    del doc["spec"]["installModes"]
    doc["metadata"]["annotations"]["capabilities"] = "Mostly Works"
    (broken / CSV).write_text(yaml.safe_dump(doc))
    result = validate(broken)
    assert result.returncode == 1
    assert "install modes not found" in result.stdout, result.stdout
    assert "\"Mostly Works\" is not a valid capabilities level" in result.stdout, result.stdout


def test_operatorhub_fields_are_present() -> None:
    annotations = csv(BUNDLE)["metadata"]["annotations"]
    for key in ("createdAt", "support", "repository", "containerImage", "capabilities",
                "categories", "description"):
        assert annotations.get(key), key
    features = {k for k in annotations if k.startswith("features.operators.openshift.io/")}
    assert {f"features.operators.openshift.io/{name}" for name in (
        "disconnected", "fips-compliant", "proxy-aware", "tls-profiles", "token-auth-aws",
        "token-auth-azure", "token-auth-gcp")} <= features


def test_tag_image_is_not_disconnected_and_digest_image_is(tmp_path: Path) -> None:
    tagged = csv(BUNDLE)
    assert ":" in tagged["spec"]["relatedImages"][0]["image"]
    assert tagged["metadata"]["annotations"][DISCONNECTED] == "false"
    pinned_dir = build(tmp_path, DIGEST_IMAGE)
    pinned = csv(pinned_dir)
    assert pinned["metadata"]["annotations"][DISCONNECTED] == "true"
    assert pinned["spec"]["relatedImages"] == [{"name": "nimop", "image": DIGEST_IMAGE}]
    assert pinned["metadata"]["annotations"]["containerImage"] == DIGEST_IMAGE
    deployment = pinned["spec"]["install"]["spec"]["deployments"][0]["spec"]
    assert deployment["template"]["spec"]["containers"][0]["image"] == DIGEST_IMAGE
    result = validate(pinned_dir)
    assert result.returncode == 0 and unexpected(result.stdout) == [], result.stdout


def test_metrics_service_selects_the_operator_pods() -> None:
    service = yaml.safe_load((BUNDLE / "manifests" / "nimop-metrics_v1_service.yaml").read_text())
    assert "namespace" not in service["metadata"]
    deployment = csv(BUNDLE)["spec"]["install"]["spec"]["deployments"][0]["spec"]
    pod_labels = deployment["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert service["spec"]["ports"][0]["targetPort"] == "metrics"
