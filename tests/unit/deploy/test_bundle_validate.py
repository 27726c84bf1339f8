"""`deploy/olm` passes the checks of `operator-sdk bundle validate`'s default suite (errors and
warnings), and each check does fire on a bundle broken the way it guards against."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.unit.deploy.bundle_validate import validate

ROOT = Path(__file__).resolve().parents[3]
BUNDLE = ROOT / "deploy" / "olm"
CSV = Path("manifests/nimop.clusterserviceversion.yaml")
NIMCACHE_CRD = Path("manifests/apps.nvidia.com_nimcaches.yaml")

Doc = dict[str, Any]


def test_generated_bundle_has_no_errors_and_no_warnings() -> None:
    report = validate(BUNDLE)
    assert report.errors == []
    assert report.warnings == []


def test_csv_owns_every_crd_with_descriptors_and_an_example() -> None:
    csv = yaml.safe_load((BUNDLE / CSV).read_text().split("\n", 1)[1])
    owned = csv["spec"]["customresourcedefinitions"]["owned"]
    assert {o["kind"] for o in owned} == {
        "NIMCache", "NIMService", "NIMPipeline", "NIMBuild", "NemoEntitystore", "NemoDatastore",
        "NemoGuardrail", "NemoEvaluator", "NemoCustomizer",
    }  # fmt: skip
    for entry in owned:
        assert entry["specDescriptors"] and entry["statusDescriptors"], entry["kind"]
        assert entry["description"], entry["kind"]
    examples = json.loads(csv["metadata"]["annotations"]["alm-examples"])
    assert sorted(e["kind"] for e in examples) == sorted(o["kind"] for o in owned)
    install = csv["spec"]["install"]["spec"]
    dep = install["deployments"][0]["spec"]["template"]["spec"]
    env = {e["name"]: e for e in dep["containers"][0]["env"]}
    assert "olm.targetNamespaces" in env["NIMOP_NAMESPACES"]["valueFrom"]["fieldRef"]["fieldPath"]
    assert all("leases" not in r["resources"] for p in install["clusterPermissions"]
               for r in p["rules"])


def _edit_csv(change: Callable[[Doc], None]) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        path = root / CSV
        doc = yaml.load(path.read_text(), Loader=yaml.CSafeLoader)
        change(doc)
        path.write_text(yaml.dump(doc, Dumper=yaml.CSafeDumper))
    return apply


def _edit_crd(change: Callable[[Doc], None]) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        path = root / NIMCACHE_CRD
        doc = yaml.load(path.read_text(), Loader=yaml.CSafeLoader)
        change(doc)
        path.write_text(yaml.dump(doc, Dumper=yaml.CSafeDumper))
    return apply


def _ann(key: str, value: Any) -> Callable[[Doc], None]:
    return lambda d: d["metadata"]["annotations"].__setitem__(key, value)


def _spec(key: str, value: Any) -> Callable[[Doc], None]:
    def change(d: Doc) -> None:
        if value is None:
            d["spec"].pop(key)
        else:
            d["spec"][key] = value
    return change


def _foreign_example(d: Doc) -> None:
    examples = json.loads(d["metadata"]["annotations"]["alm-examples"])
    examples.append({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}})
    d["metadata"]["annotations"]["alm-examples"] = json.dumps(examples)


def _drop_examples_but_one(d: Doc) -> None:
    examples = json.loads(d["metadata"]["annotations"]["alm-examples"])
    d["metadata"]["annotations"]["alm-examples"] = json.dumps(examples[:1])


def _webhook_conversion(d: Doc) -> None:
    d["spec"]["conversion"] = {"strategy": "Webhook", "webhook": {
        "conversionReviewVersions": ["v1"], "clientConfig": {"url": "https://x"}}}


def _untyped_field(d: Doc) -> None:
    props = d["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    props["properties"]["bogus"] = {"description": "no type"}


def _extra_crd(root: Path) -> None:
    doc = yaml.safe_load((root / NIMCACHE_CRD).read_text())
    doc["metadata"]["name"] = "widgets.example.com"
    doc["spec"].update(group="example.com", names={**doc["spec"]["names"], "plural": "widgets"})
    (root / "manifests" / "widgets.yaml").write_text(yaml.safe_dump(doc))


def _duplicate_crd(root: Path) -> None:
    shutil.copy(root / NIMCACHE_CRD, root / "manifests" / "copy.yaml")


def _clashing_account(root: Path) -> None:
    sa = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "nimop"}}
    (root / "manifests" / "sa.yaml").write_text(yaml.safe_dump(sa))


def _huge(root: Path) -> None:
    chunks, seed = [], b"nimop"
    for _ in range(40000):  # 1.25 MiB of incompressible (but reproducible) bytes
        seed = hashlib.sha256(seed).digest()
        chunks.append(seed)
    blob = base64.b64encode(b"".join(chunks)).decode()
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"b": blob}}
    (root / "manifests" / "big.yaml").write_text(yaml.safe_dump(cm))


def _no_package(root: Path) -> None:
    path = root / "metadata" / "annotations.yaml"
    path.write_text(path.read_text().replace("bundle.package.v1", "bundle.pkg"))


BREAKAGES: dict[str, tuple[Callable[[Path], None], str, str]] = {
    "csv name": (_edit_csv(lambda d: d["metadata"].__setitem__("name", "Bad_Name")), "error",
                 "metadata.name"),
    "replaces": (_edit_csv(_spec("replaces", "Not Valid")), "error", "spec.replaces"),
    "version": (_edit_csv(_spec("version", "one")), "error", "spec.version"),
    "no install modes": (_edit_csv(_spec("installModes", None)), "error", "installModes"),
    "duplicate install modes": (_edit_csv(_spec("installModes", [
        {"type": "AllNamespaces", "supported": True}] * 2)), "error", "duplicates"),
    "none supported": (_edit_csv(_spec("installModes", [
        {"type": "AllNamespaces", "supported": False}])), "error", "no installMode"),
    "bad minKubeVersion": (_edit_csv(_spec("minKubeVersion", "1.x")), "error", "minKubeVersion"),
    "no minKubeVersion": (_edit_csv(_spec("minKubeVersion", None)), "warning", "minKubeVersion"),
    "alm-examples json": (_edit_csv(_ann("alm-examples", "[{")), "error", "not valid JSON"),
    "foreign example": (_edit_csv(_foreign_example), "error", "not an owned API"),
    "missing example": (_edit_csv(_drop_examples_but_one), "warning", "no alm-example"),
    "no annotations": (_edit_csv(lambda d: d["metadata"].__setitem__("annotations", {})),
                       "warning", "annotations"),
    "wrong csv apiVersion": (_edit_csv(lambda d: d.__setitem__("apiVersion", "v1")), "error",
                             "apiVersion"),
    "conversion webhook": (_edit_crd(_webhook_conversion), "error", "conversion webhook"),
    "untyped field": (_edit_crd(_untyped_field), "error", "type is required"),
    "two storage versions": (_edit_crd(lambda d: d["spec"]["versions"].append(
        {**d["spec"]["versions"][0], "name": "v1alpha2"})), "error", "storage version"),
    "duplicate versions": (_edit_crd(lambda d: d["spec"]["versions"].append(
        {**d["spec"]["versions"][0], "storage": False})), "error", "duplicate versions"),
    "owned crd missing": (lambda r: (r / NIMCACHE_CRD).unlink(), "error", "not in the bundle"),
    "unowned crd": (_extra_crd, "error", "not owned or required"),
    "duplicate crd": (_duplicate_crd, "error", "duplicate CRD"),
    "service account clash": (_clashing_account, "error", "clashes"),
    "bundle too big": (_huge, "error", "1 MiB"),
    "annotations key": (_no_package, "error", "package.v1"),
}


@pytest.mark.parametrize("name", sorted(BREAKAGES))
def test_each_check_fires(name: str, tmp_path: Path) -> None:
    root = tmp_path / "bundle"
    shutil.copytree(BUNDLE, root)
    breakage, level, needle = BREAKAGES[name]
    breakage(root)
    report = validate(root)
    found = report.errors if level == "error" else report.warnings
    assert any(needle in msg for msg in found), (found, report)
    if level == "warning":
        assert report.errors == []
