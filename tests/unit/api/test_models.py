"""Models: lossless round trip of every example and upstream sample, tolerance of unknown
fields, parse_object dispatch, defaults, snake_case construction."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from nimop.api import KINDS, NIMCache, NIMService, NIMServiceSpec, as_models_read, parse_object
from nimop.api.common import Image
from nimop.api.validation import unknown_fields
from tests.unit.api.paths import documents, example_files, sample_files

FILES = example_files() + sample_files()


def test_there_are_examples_and_samples() -> None:
    assert len(example_files()) >= 15 and len(sample_files()) >= 6


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_round_trip_is_lossless(path: Path) -> None:
    docs = list(documents(path))
    assert docs
    for doc in docs:
        obj = parse_object(doc)
        # lossless up to the read every model makes: quantities in one form (`cpu: "4"` is 4)
        assert obj.to_dict() == as_models_read(doc)
        again = type(obj).model_validate_json(
            obj.model_dump_json(by_alias=True, exclude_unset=True)
        )
        assert again == obj
        assert unknown_fields(obj) == []


def test_examples_cover_every_kind() -> None:
    kinds = {d["kind"] for p in example_files() for d in documents(p)}
    assert kinds == set(KINDS)


def _service(**spec: Any) -> dict[str, Any]:
    base = {"image": {"repository": "nvcr.io/nim/x", "tag": "1"}}
    return {
        "apiVersion": "apps.nvidia.com/v1alpha1",
        "kind": "NIMService",
        "metadata": {"name": "a"},
        "spec": {**base, **spec},
    }


def test_unknown_fields_are_kept_and_reported() -> None:
    doc = _service(futureField={"x": 1}, expose={"service": {"port": 8000, "newKnob": True}})
    obj = parse_object(doc)
    assert obj.to_dict() == doc
    assert unknown_fields(obj) == ["spec.futureField", "spec.expose.service.newKnob"]


def test_parse_object_rejects_other_groups_and_kinds() -> None:
    with pytest.raises(ValueError, match="apiVersion"):
        parse_object({"apiVersion": "v1", "kind": "Pod"})
    with pytest.raises(ValueError, match="unknown kind"):
        parse_object({"apiVersion": "apps.nvidia.com/v1alpha1", "kind": "NemoTrainingJob"})


def test_parse_object_rejects_a_spec_without_image() -> None:
    doc = _service()
    del doc["spec"]["image"]
    with pytest.raises(ValidationError):
        parse_object(doc)


def test_upstream_defaults_apply_when_parsing() -> None:
    obj = parse_object(
        _service(
            expose={"service": {"type": "ClusterIP"}},
            multiNode={"parallelism": {"pipeline": 2}, "mpi": {}},
        )
    )
    assert isinstance(obj, NIMService)
    assert obj.spec.inference_platform == "standalone"
    assert obj.spec.expose and obj.spec.expose.service and obj.spec.expose.service.port == 8000
    assert obj.spec.multi_node and obj.spec.multi_node.backend_type == "lws"
    assert obj.spec.multi_node.mpi and obj.spec.multi_node.mpi.mpi_start_timeout == 300
    # defaults are not written back: the wire form stays what the user wrote
    assert "inferencePlatform" not in obj.to_dict()["spec"]


def test_models_build_with_snake_case_names() -> None:
    spec = NIMServiceSpec(
        image=Image(repository="nvcr.io/nim/x", tag="1"), auth_secret="ngc", replicas=2
    )
    assert spec.to_dict() == {
        "image": {"repository": "nvcr.io/nim/x", "tag": "1"},
        "authSecret": "ngc",
        "replicas": 2,
    }
    assert spec.image.image == "nvcr.io/nim/x:1"


def test_quantities_read_in_one_form() -> None:
    """YAML's float `0.5` is the quantity "0.5", read in Go's form (nimop.quantity)."""
    obj = parse_object(
        _service(resources={"limits": {"nvidia.com/gpu": 1, "memory": "16Gi", "cpu": 0.5}})
    )
    assert obj.to_dict()["spec"]["resources"]["limits"] == {
        "nvidia.com/gpu": 1,
        "memory": "16Gi",
        "cpu": "500m",
    }


def test_status_parses() -> None:
    doc = {
        "apiVersion": "apps.nvidia.com/v1alpha1",
        "kind": "NIMCache",
        "metadata": {"name": "c"},
        "spec": {
            "source": {
                "hf": {
                    "endpoint": "https://huggingface.co",
                    "namespace": "m",
                    "modelName": "x",
                    "authSecret": "a",
                    "modelPuller": "p",
                    "pullSecret": "s",
                }
            },
            "storage": {"pvc": {"create": True, "size": "1Gi"}},
        },
        "status": {
            "state": "Ready",
            "pvc": "c-pvc",
            "profiles": [{"name": "p1", "config": {"tp": "1"}}],
            "conditions": [
                {
                    "type": "NIM_CACHE_JOB_COMPLETED",
                    "status": "True",
                    "reason": "JobCompleted",
                    "message": "",
                    "lastTransitionTime": "2026-01-01T00:00:00Z",
                }
            ],
        },
    }
    obj = parse_object(doc)
    assert isinstance(obj, NIMCache) and obj.status and obj.status.pvc == "c-pvc"
    assert obj.to_dict() == doc
