"""The kustomize knobs users reach for, through the real kustomize (the one in the control
plane's kubectl): `images:` swaps the operator image (a mirror by digest), `namespace:` moves the
Namespace, every namespaced object and the bindings' subjects, and the ServiceMonitor still
selects the metrics Service beside it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.cluster import assets, config

pytestmark = pytest.mark.tools
ROOT = Path(__file__).resolve().parents[3]
DIGEST = "sha256:" + "cd" * 32


def kustomize(overlay: dict[str, Any], tmp_path: Path) -> list[dict[str, Any]]:
    layout = config.default_layout()
    kubectl = assets.binary("kubectl", layout)
    if not os.access(kubectl, os.X_OK):
        assets.ensure_built(layout)  # the control plane build (make test runs it first)
    base = os.path.relpath(ROOT / "deploy" / "base", tmp_path)
    overlay = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
               "resources": [base], "components": [f"{base}/servicemonitor"], **overlay}
    (tmp_path / "kustomization.yaml").write_text(yaml.safe_dump(overlay))
    out = subprocess.run([str(kubectl), "kustomize", str(tmp_path)],
                         capture_output=True, text=True, check=True, timeout=120).stdout
    return [d for d in yaml.safe_load_all(out) if d and d["kind"] != "CustomResourceDefinition"]


def test_images_and_namespace_move_everything_together(tmp_path: Path) -> None:
    docs = kustomize({"namespace": "team-ops", "images": [
        {"name": "ghcr.io/nimop/nimop", "newName": "mirror.local/nimop", "digest": DIGEST}]},
        tmp_path)
    by_kind = {d["kind"]: d for d in docs}
    assert by_kind["Namespace"]["metadata"]["name"] == "team-ops"
    for doc in docs:
        if doc["kind"] not in ("Namespace", "ClusterRole", "ClusterRoleBinding"):
            assert doc["metadata"]["namespace"] == "team-ops", doc["kind"]
        for subject in doc.get("subjects", []):
            assert subject["namespace"] == "team-ops", doc["kind"]
    container = by_kind["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == f"mirror.local/nimop@{DIGEST}"
    monitor, service = by_kind["ServiceMonitor"], by_kind["Service"]
    assert monitor["metadata"]["namespace"] == service["metadata"]["namespace"]
    assert "namespaceSelector" not in monitor["spec"]
    assert monitor["spec"]["selector"]["matchLabels"].items() <= \
        service["metadata"]["labels"].items()


def test_base_pins_the_release_tag(tmp_path: Path) -> None:
    from nimop.deploygen import objects as o

    docs = kustomize({}, tmp_path)
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    assert deployment["metadata"]["namespace"] == o.NAMESPACE
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == o.IMAGE
