"""The committed generated files (core types, CRDs, schemas, API reference) are up to date."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nimop.api import crdgen, gen_core
from tests.unit.api.paths import API, REPO


def test_generated_core_types_are_current() -> None:
    """Needs Go (always present in this project's CI) to locate the pinned OpenAPI schema."""
    if shutil.which("go") is None:
        pytest.fail("go is required to locate the Kubernetes OpenAPI schema (go mod download)")
    files = gen_core.render(gen_core.load_definitions(gen_core.module_dir()))
    assert gen_core.stale_files(gen_core.OUT_DIR, files) == [], "run: python -m nimop.api.gen_core"


def test_published_api_is_current() -> None:
    assert crdgen.write_published_api(API, check=True) == 0, "run: nimop crds"


def test_check_names_stale_and_leftover_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "api"
    assert crdgen.write_published_api(out, check=False) == 0
    assert crdgen.write_published_api(out, check=True) == 0
    crd = out / "crds" / "apps.nvidia.com_nimservices.yaml"
    crd.write_text(crd.read_text() + "# edited\n")
    (out / "schemas" / "old.json").write_text("{}")
    assert crdgen.write_published_api(out, check=True) == 1
    err = capsys.readouterr().err
    assert "apps.nvidia.com_nimservices.yaml" in err and "old.json" in err


def test_output_is_byte_deterministic(tmp_path: Path) -> None:
    first = {p.name: t for p, t in crdgen.published_files(tmp_path).items()}
    second = {p.name: t for p, t in crdgen.published_files(tmp_path).items()}
    assert first == second


def test_crds_have_status_subresource_and_columns() -> None:
    by_kind = {c["spec"]["names"]["kind"]: c for c in crdgen.crds()}
    assert set(by_kind) == {
        "NIMCache", "NIMService", "NIMPipeline", "NIMBuild", "NemoEntitystore", "NemoDatastore",
        "NemoGuardrail", "NemoEvaluator", "NemoCustomizer",
    }  # fmt: skip
    for crd in by_kind.values():
        version = crd["spec"]["versions"][0]
        assert version["subresources"] == {"status": {}}
        names = [c["name"] for c in version["additionalPrinterColumns"]]
        assert names[0] == "Status" and names[-1] == "Age"
    svc = [
        c["name"] for c in by_kind["NIMService"]["spec"]["versions"][0]["additionalPrinterColumns"]
    ]
    assert {"Ready", "Model"} <= set(svc)
    cache = [
        c["name"] for c in by_kind["NIMCache"]["spec"]["versions"][0]["additionalPrinterColumns"]
    ]
    assert cache == ["Status", "PVC", "Age"]
    for kind in ("NemoEntitystore", "NemoDatastore", "NemoGuardrail"):
        columns = by_kind[kind]["spec"]["versions"][0]["additionalPrinterColumns"]
        assert [c["name"] for c in columns] == ["Status", "Ready", "Endpoint", "Age"]
        assert by_kind[kind]["spec"]["names"]["categories"] == ["nim"]


def test_schema_is_structural() -> None:
    """No $ref, nullable anyOf or titles survive; every object declares its type."""

    def walk(node: object, path: str) -> None:
        if isinstance(node, dict):
            assert "$ref" not in node and "title" not in node, path
            if "anyOf" in node:
                assert node.get("x-kubernetes-int-or-string"), path
            if "properties" in node:
                assert node.get("type") == "object", path
            for key, value in node.items():
                walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}[{i}]")

    for crd in crdgen.crds():
        walk(crd["spec"]["versions"][0]["schema"], crd["metadata"]["name"])


def test_multinode_has_descriptions_for_explain() -> None:
    crd = next(c for c in crdgen.crds() if c["spec"]["names"]["kind"] == "NIMService")
    multi = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"][
        "properties"
    ]["multiNode"]
    assert "LeaderWorkerSet" in multi["description"]
    assert all(p.get("description") for p in multi["properties"].values())


def test_api_reference_is_in_docs() -> None:
    text = (REPO / "docs" / "api.md").read_text()
    assert (
        "### NimServiceMultiNodeConfig" in text and "spec.scale.enabled and spec.replicas" in text
    )


def test_field_rules_add_to_type_rules() -> None:
    """A field's own rules (immutability) must not replace the rules of its type."""
    crd = next(c for c in crdgen.crds() if c["spec"]["names"]["kind"] == "NIMService")
    spec = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    messages = " ".join(r["message"] for r in spec["x-kubernetes-validations"])
    assert "spec.draResources is immutable" in messages
    assert "spec.scale.enabled and spec.replicas are mutually exclusive" in messages
    cache = next(c for c in crdgen.crds() if c["spec"]["names"]["kind"] == "NIMCache")
    storage = cache["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"][
        "properties"
    ]["storage"]
    rules = [r["rule"] for r in storage["x-kubernetes-validations"]]
    assert "self == oldSelf" in rules and any(r.startswith("(has(self.pvc) &&") for r in rules)
