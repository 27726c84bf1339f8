"""What nimop checks a NeMo spec names (nimop.controllers.nemo_refs): the Secrets, existing
PVCs and endpoint URLs of upstream's customizer sample, which URL hosts count as in-cluster,
and every NeMo example in api/examples carrying what its CRs name (else `make demo` and the
e2e tests that apply them would stay NotReady)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from nimop.api import kinds, parse_object
from nimop.controllers.nemo_refs import endpoints, in_cluster, named
from tests.e2e.nemo_prereqs import SAMPLE_SECRETS
from tests.unit.controllers.harness import ROOT

SAMPLE = ROOT / "tests" / "unit" / "render" / "nemo_upstream" / "nemocustomizer-sample.yaml"
EXAMPLES = sorted((ROOT / "api" / "examples").glob("nemo-*.yaml"))
UPSTREAM_SAMPLES = [SAMPLE, *sorted((ROOT / "tests" / "e2e" / "samples" / "nemo").glob("*.yaml"))]


def _customizer() -> dict[str, Any]:
    return next(d for d in yaml.safe_load_all(SAMPLE.read_text()) if d["kind"] == "NemoCustomizer")


def test_customizer_sample_names_its_secrets_with_field_and_key() -> None:
    refs = named(parse_object(_customizer()))
    assert [(r.kind.kind, r.name, r.field, r.key) for r in refs] == [
        ("Secret", "customizer-pg-existing-secret", "spec.databaseConfig.credentials.secretName",
         "password"),
        ("Secret", "wandb-secret", "spec.wandb.secretName", "apiKey"),
        ("Secret", "wandb-secret", "spec.wandb.secretName", "encryptionKey"),
        ("Secret", "ngc-api-secret", "spec.modelDownloadJobs.ngcAPISecret.name", "NGC_API_KEY"),
    ]  # the model PVC is created (create: true); pull secrets are not required to exist


def test_existing_model_pvc_and_env_secret_refs_are_named() -> None:
    doc = _customizer()
    doc["spec"]["trainingConfig"]["modelPVC"] = {"create": False}
    doc["spec"]["env"] = [{"name": "A", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
                          {"name": "B", "valueFrom": {"secretKeyRef": {
                              "name": "o", "key": "k", "optional": True}}}]  # fmt: skip
    refs = named(parse_object(doc))
    assert ("Secret", "s", "spec.env[0] (A)", "k") in [
        (r.kind.kind, r.name, r.field, r.key) for r in refs]
    assert "o" not in {r.name for r in refs}  # optional: the pod starts without it
    pvc = [r for r in refs if r.kind == kinds.PVC]
    assert [(p.name, p.field) for p in pvc] == [
        ("nemocustomizer-sample-pvc", "spec.trainingConfig.modelPVC.name")]


def test_customizer_sample_endpoints_in_cluster() -> None:
    found = [(e.field, e.kind.kind if e.kind else None, name, ns)
             for e, _, name, ns in endpoints(_customizer())]
    assert found == [
        ("spec.datastore.endpoint", "NemoDatastore", "nemodatastore-sample", "nemo"),
        ("spec.entitystore.endpoint", "NemoEntitystore", "nemoentitystore-sample", "nemo"),
        ("spec.mlflow.endpoint", None, "mlflow-tracking", "nemo"),
    ]


@pytest.mark.parametrize(("url", "expected"), [
    ("http://ds.nemo.svc:8000/v1/hf", ("ds", "nemo")),
    ("https://ds.nemo.svc.cluster.local", ("ds", "nemo")),
    ("minio.nemo.svc:9000", ("minio", "nemo")),
    ("http://platform-datastore:8000", ("platform-datastore", "team")),
    ("minio:9000", ("minio", "team")),
    ("http://localhost:8000", None),
    ("https://integrate.api.nvidia.com/v1", None),
    ("http://10.0.0.7:8000", None),
    ("https://argo.example.com:2746", None),
])  # fmt: skip
def test_which_urls_are_in_cluster(url: str, expected: tuple[str, str] | None) -> None:
    assert in_cluster(url, "team") == expected


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_examples_carry_what_their_crs_name(path: Path) -> None:
    docs = [d for d in yaml.safe_load_all(path.read_text()) if d]
    have = {(d["kind"], d["metadata"]["name"]): d for d in docs}
    crs = [d for d in docs if d["kind"].startswith("Nemo")]
    assert crs
    for doc in crs:
        for ref in named(parse_object(doc)):
            obj = have.get((ref.kind.kind, ref.name))
            assert obj is not None, f"{path.name}: {ref.kind.kind} {ref.name} ({ref.field})"
            if ref.key:
                assert ref.key in {**obj.get("data", {}), **obj.get("stringData", {})}, (
                    f"{path.name}: Secret {ref.name} lacks {ref.key}")


@pytest.mark.parametrize("path", UPSTREAM_SAMPLES, ids=[p.name for p in UPSTREAM_SAMPLES])
def test_e2e_prerequisites_hold_every_secret_upstream_samples_name(path: Path) -> None:
    """The Secrets the e2e tests create before applying upstream's samples (written out by
    hand in tests/e2e/nemo_prereqs.py) are exactly those the samples name, with their keys."""
    doc = next(d for d in yaml.safe_load_all(path.read_text())
               if d and d["kind"].startswith("Nemo"))  # fmt: skip
    refs = [r for r in named(parse_object(doc)) if r.kind == kinds.SECRET]
    table = SAMPLE_SECRETS[doc["metadata"]["name"]]
    assert {r.name for r in refs} == set(table)
    for ref in refs:
        assert not ref.key or ref.key in table[ref.name], (ref.name, ref.key)
