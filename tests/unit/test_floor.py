"""One supported Kubernetes floor, stated the same everywhere: the OLM bundle's
minKubeVersion, the README, the install docs and the compatibility page."""

from __future__ import annotations

from pathlib import Path

from nimop.deploygen.olm import MIN_KUBE_VERSION

REPO = Path(__file__).resolve().parents[2]
MINOR = ".".join(MIN_KUBE_VERSION.split(".")[:2])


def test_the_bundle_declares_the_floor() -> None:
    csv = (REPO / "deploy" / "olm" / "manifests" / "nimop.clusterserviceversion.yaml").read_text()
    assert f"minKubeVersion: {MIN_KUBE_VERSION}" in csv


def test_the_docs_state_the_floor() -> None:
    for page in ("README.md", "docs/getting-started.md", "docs/compatibility.md"):
        text = (REPO / page).read_text()
        assert f"Kubernetes {MINOR} or newer" in text or f"{MINOR} and newer" in text, page


def test_the_tested_floor_is_the_declared_one() -> None:
    from tests.tools.kube_floor import FLOOR_VERSION

    assert FLOOR_VERSION.split(".")[:2] == MIN_KUBE_VERSION.split(".")[:2]
