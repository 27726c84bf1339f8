"""`nimop render` for CI: exit codes, findings on stderr, unknown fields, `--namespace`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from nimop.cli import main

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "api" / "examples"
MULTI_NODE = EXAMPLES / "multi-node.yaml"


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "crs.yaml"
    path.write_text(text)
    return str(path)


SERVICE = """\
apiVersion: apps.nvidia.com/v1alpha1
kind: NIMService
metadata: {name: llm%s}
spec:
  image: {repository: nvcr.io/nim/meta/llama-3.2-1b-instruct, tag: "1.12.0"}
  authSecret: ngc-api-secret
  storage: {emptyDir: {}}
  expose: {service: {port: 8000}}
"""


def test_a_valid_example_renders_and_exits_zero(capsys: Any) -> None:
    assert main(["render", "-f", str(EXAMPLES / "standalone-basic.yaml")]) == 0
    out = capsys.readouterr()
    assert "Deployment" in {d["kind"] for d in yaml.safe_load_all(out.out) if d}
    assert "error" not in out.err


def test_a_failed_problem_exits_one_unless_exit_zero(capsys: Any) -> None:
    assert main(["render", "-f", str(MULTI_NODE)]) == 1
    err = capsys.readouterr().err
    assert "error: NIMService" in err and "Failed LeaderWorkerSetAPIMissing" in err
    assert main(["render", "-f", str(MULTI_NODE), "--exit-zero"]) == 0
    assert "Failed LeaderWorkerSetAPIMissing" in capsys.readouterr().err  # still reported


def test_a_bad_field_type_is_an_error_naming_the_field(tmp_path: Path, capsys: Any) -> None:
    text = SERVICE % "" + "  replicas: two\n---\n" + SERVICE % "-good"
    assert main(["render", "-f", write(tmp_path, text)]) == 1
    out = capsys.readouterr()
    assert "NIMService default/llm: spec.replicas" in out.err
    kinds = {(d["kind"], d["metadata"]["name"]) for d in yaml.safe_load_all(out.out) if d}
    assert ("Deployment", "llm-good") in kinds  # one bad CR does not stop the others
    assert ("Deployment", "llm") not in kinds


def test_unknown_fields_are_errors_as_kubectl_validate_strict(tmp_path: Path, capsys: Any) -> None:
    path = write(tmp_path, SERVICE % "" + "  router: {ingress: {}}\n")
    assert main(["render", "-f", path]) == 1
    err = capsys.readouterr().err
    assert (
        'error: NIMService default/llm: strict decoding error: unknown field "spec.router"' in err
    )
    assert main(["render", "-f", path, "--validate", "warn"]) == 0
    assert 'warning: NIMService default/llm: unknown field "spec.router"' in capsys.readouterr().err
    assert main(["render", "-f", path, "--validate=ignore"]) == 0
    assert "spec.router" not in capsys.readouterr().err


def test_namespace_fills_in_and_a_mismatch_is_an_error(tmp_path: Path, capsys: Any) -> None:
    path = write(tmp_path, SERVICE % "")
    assert main(["render", "-f", path, "--namespace", "team-a"]) == 0
    docs = [d for d in yaml.safe_load_all(capsys.readouterr().out) if d]
    assert {d["metadata"].get("namespace") for d in docs} == {"team-a"}
    other = write(tmp_path, (SERVICE % "").replace("{name: llm}", "{name: llm, namespace: b}"))
    assert main(["render", "-f", other, "-n", "team-a"]) == 1
    assert "metadata.namespace 'b' does not match --namespace 'team-a'" in capsys.readouterr().err


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(SERVICE % ""))
    assert main(["render", "-f", "-"]) == 0
    assert "kind: Deployment" in capsys.readouterr().out


def test_a_cel_rule_rejects_replicas_with_autoscaling(tmp_path: Path, capsys: Any) -> None:
    text = SERVICE % "" + "  replicas: 2\n  scale: {enabled: true, hpa: {maxReplicas: 3}}\n"
    assert main(["render", "-f", write(tmp_path, text)]) == 1
    out = capsys.readouterr()
    assert "spec.scale.enabled and spec.replicas are mutually exclusive" in out.err
    assert "kind: Deployment" not in out.out  # an invalid CR is not rendered


def test_native_images_come_from_the_facts_never_a_registry(tmp_path: Path, capsys: Any) -> None:
    """Offline, a service without a NIMCache renders the legacy layout unless `--facts` lists
    its image under `nativeImages`; then it renders as the operator would."""
    crs = write(tmp_path, SERVICE % "")

    def main_container() -> dict[str, Any]:
        docs = [d for d in yaml.safe_load_all(capsys.readouterr().out) if d]
        dep = next(d for d in docs if d["kind"] == "Deployment")
        ctr: dict[str, Any] = dep["spec"]["template"]["spec"]["containers"][0]
        return ctr

    def layout(ctr: dict[str, Any]) -> tuple[list[str], str | None]:
        env = {e["name"]: e.get("value") for e in ctr["env"]}
        mounts = [m["mountPath"] for m in ctr["volumeMounts"] if m["name"] == "model-store"]
        return mounts, env.get("NIM_ENGINE_MODEL_PATH")

    assert main(["render", "-f", crs]) == 0
    assert layout(main_container()) == (["/model-store"], None)
    facts = tmp_path / "facts.yaml"
    facts.write_text("nativeImages: [nvcr.io/nim/meta/llama-3.2-1b-instruct:1.12.0]\n")
    assert main(["render", "-f", crs, "--facts", str(facts)]) == 0
    assert layout(main_container()) == (["/model"], "/model/llm")
