"""The customizer config.yaml against upstream's, key by key, for upstream's sample; and the
upstream bugs of §9 that concern it (7: wandb.entity ignored, 8: a panic without
trainingConfig.configMap) not reproduced."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from nimop.api import parse_object
from nimop.api.nemo_customizer import NemoCustomizer
from nimop.configdata import parse_values
from nimop.render.nemo_customizer_config import ConfigSources, customizer_config

HERE = Path(__file__).parent / "nemo_upstream"
SAMPLE = HERE / "nemocustomizer-sample.yaml"
UPSTREAM = yaml.safe_load((HERE / "nemocustomizer-config.upstream.yaml").read_text())
PASSTHROUGH = ("models", "customizationTargets", "customizationConfigTemplates")


def _sample() -> tuple[dict[str, Any], dict[str, dict[str, str]]]:
    docs = list(yaml.safe_load_all(SAMPLE.read_text()))
    cr = next(d for d in docs if d["kind"] == "NemoCustomizer")
    maps = {d["metadata"]["name"]: d["data"] for d in docs if d["kind"] == "ConfigMap"}
    return cr, maps


def _customizer(doc: dict[str, Any]) -> NemoCustomizer:
    obj = parse_object(doc)
    assert isinstance(obj, NemoCustomizer)
    return obj


def _sources(maps: dict[str, dict[str, str]]) -> ConfigSources:
    return ConfigSources(parse_values(maps.get("nemo-model-config")),
                         parse_values(maps.get("nemo-training-config")))


def _sample_config() -> dict[str, Any]:
    doc, maps = _sample()
    result = customizer_config(_customizer(doc), _sources(maps))
    assert result.problems == ()
    # what is mounted is the serialized form: compare that, parsed back
    parsed: dict[str, Any] = yaml.safe_load(result.to_yaml())
    return parsed


OURS = _sample_config()
SPEC_KEYS = sorted(UPSTREAM)


@pytest.mark.parametrize("key", SPEC_KEYS)
def test_top_level_key_matches_upstream(key: str) -> None:
    assert OURS.get(key) == UPSTREAM[key]


@pytest.mark.parametrize("key", sorted(UPSTREAM["training"]))
def test_training_key_matches_upstream(key: str) -> None:
    assert OURS["training"].get(key) == UPSTREAM["training"][key]


@pytest.mark.parametrize("key", PASSTHROUGH)
def test_model_config_keys_are_copied_as_upstream(key: str) -> None:
    _, maps = _sample()
    model_config = maps["nemo-model-config"]
    if key in model_config:
        assert OURS[key] == yaml.safe_load(model_config[key])
    else:
        assert key not in OURS


def test_the_fixture_is_upstreams_whole_config_sample() -> None:
    """Every target and template of upstream's sample, with its irregular entries (a string
    `version`, an option without `num_nodes`, a template without `prompt_template`)."""
    _, maps = _sample()
    targets = yaml.safe_load(maps["nemo-model-config"]["customizationTargets"])["targets"]
    templates = yaml.safe_load(
        maps["nemo-model-config"]["customizationConfigTemplates"])["templates"]
    assert len(targets) == 11 and len(templates) == 22
    assert sum(k.endswith("+A100") for k in templates) == 11
    assert targets["microsoft/phi-4@1.0"]["version"] == "1.0"
    assert "num_nodes" not in templates["meta/llama-3.1-8b-instruct@v1.0.0+L40"][
        "training_options"][0]
    assert "prompt_template" not in templates["nvidia/llama-3.2-nv-embedqa-1b@v2+L40"]
    assert {t["target"] for t in templates.values()} <= {
        f"{t['namespace']}/{t['name']}" for t in targets.values()}
    assert OURS["customizationConfigTemplates"]["templates"] == templates


def test_no_key_beyond_upstream() -> None:
    assert set(OURS) - set(UPSTREAM) - set(PASSTHROUGH) == set()
    assert set(OURS["training"]) == set(UPSTREAM["training"])


def _variant(**changes: Any) -> dict[str, Any]:
    doc, _ = _sample()
    for path, value in changes.items():
        cur = doc["spec"]
        *parents, last = path.split("__")
        for part in parents:
            cur = cur.setdefault(part, {})
        if value is None:
            cur.pop(last, None)
        else:
            cur[last] = value
    return doc


def _config(doc: dict[str, Any], **sources: Any) -> Any:
    _, maps = _sample()
    parsed = {k: None if v is None else parse_values(v) for k, v in sources.items()}
    src = _sources(maps) if not sources else ConfigSources(**parsed)
    return customizer_config(_customizer(doc), src)


def test_wandb_entity_is_used_not_null_upstream_bug_7() -> None:
    result = _config(_variant(wandb__entity="my-team", wandb__projectName="tuning"))
    assert result.content["wandb"] == {"project": "tuning", "entity": "my-team"}


def test_no_training_configmap_is_fine_upstream_bug_8() -> None:
    result = _config(_variant(trainingConfig__configMap=None))
    assert result.problems == ()
    assert "container_defaults" not in result.content["training"]
    assert result.content["training"]["image"] == UPSTREAM["training"]["image"]


def test_runai_sets_the_run_ai_executor() -> None:
    result = _config(_variant(scheduler__type="runai"))
    assert result.content["training"]["use_run_ai_executor"] is True


def test_hf_secret_shared_memory_scheduling() -> None:
    doc = _variant(
        modelDownloadJobs__hfSecret={"name": "hf", "key": "HF_TOKEN"},
        trainingConfig__sharedMemorySizeLimit="8Gi",
        trainingConfig__nodeSelector={"pool": "train"},
        trainingConfig__resources={"limits": {"nvidia.com/gpu": 1}},
    )
    content = _config(doc).content
    assert content["model_download_jobs"]["hfSecretName"] == "hf"
    assert content["model_download_jobs"]["hfSecretKey"] == "HF_TOKEN"
    training = content["training"]
    assert training["volumes"][1] == {"name": "dshm",
                                      "emptyDir": {"medium": "Memory", "sizeLimit": "8Gi"}}
    assert training["nodeSelector"] == {"pool": "train"}
    assert training["resources"] == {"limits": {"nvidia.com/gpu": 1}}


def test_default_model_pvc_name() -> None:
    doc = _variant(trainingConfig__modelPVC={"create": True, "size": "50Gi"})
    claim = _config(doc).content["training"]["volumes"][0]["persistentVolumeClaim"]
    assert claim == {"claimName": "nemocustomizer-sample-pvc", "readOnly": True}


def test_missing_configmaps_wait_rather_than_fail() -> None:
    _, maps = _sample()
    result = _config(_variant(), model_config=None, training_config=maps["nemo-training-config"])
    assert [(p.reason, p.failed) for p in result.problems] == [("ConfigMapNotFound", False)]
    assert "spec.modelConfig.name" in result.problems[0].message
    result = _config(_variant(), model_config=maps["nemo-model-config"], training_config=None)
    assert "spec.trainingConfig.configMap.name" in result.problems[0].message


def test_a_target_without_a_name_fails_with_the_entry_named() -> None:
    targets = "targets:\n  meta/x@1:\n    enabled: true\n"
    result = _config(_variant(), model_config={"customizationTargets": targets},
                     training_config={})
    [problem] = result.problems
    assert problem.reason == "InvalidModelConfig" and problem.failed
    assert "meta/x@1" in problem.message and "customizationTargets" in problem.message


def test_invalid_yaml_in_the_model_config_fails() -> None:
    result = _config(_variant(), model_config={"models": "a: [unclosed"}, training_config={})
    [problem] = result.problems
    assert problem.reason == "InvalidConfigMap" and problem.failed
    assert "models" in problem.message


def test_both_missing_configmaps_are_named_in_one_problem() -> None:
    [problem] = _config(_variant(), model_config=None, training_config=None).problems
    assert problem.reason == "ConfigMapNotFound"
    assert "spec.modelConfig.name" in problem.message
    assert "spec.trainingConfig.configMap.name" in problem.message
