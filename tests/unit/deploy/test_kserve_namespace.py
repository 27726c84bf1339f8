"""KServe's namespace as an install setting: the chart's `kserveNamespace` value and the
kustomize base's `KSERVE_NAMESPACE` variable, through the real helm and kustomize, reach the
variable the operator reads (nimop.controllers.kserve_config)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from nimop.controllers import kserve_config
from nimop.deploygen import objects as o
from tests.unit.deploy.helmcli import CHART, helm, template, values_args
from tests.unit.deploy.test_helm_chart import env
from tests.unit.deploy.test_kustomize_knobs import kustomize

pytestmark = pytest.mark.tools


def test_the_install_sets_the_variable_the_operator_reads() -> None:
    assert o.KSERVE_ENV == kserve_config.NAMESPACE_ENV


def test_unset_by_default_so_kserves_namespace_is_looked_up(tmp_path: Path) -> None:
    assert env(template({}, tmp_path))[o.KSERVE_ENV] == ""


def test_the_value_becomes_the_variable(tmp_path: Path) -> None:
    assert env(template({"kserveNamespace": "kserve"}, tmp_path))[o.KSERVE_ENV] == "kserve"
    watched = {"kserveNamespace": "kserve", "watchNamespaces": ["team-a", "kserve"]}
    assert env(template(watched, tmp_path))[o.KSERVE_ENV] == "kserve"


@pytest.mark.parametrize(("values", "message"), [
    ({"kserveNamespace": "kserve", "watchNamespaces": ["team-a"]},
     'kserveNamespace "kserve" must be one of watchNamespaces'),
    ({"kserveNamespace": "KServe_NS"}, "kserveNamespace"),
])  # fmt: skip
def test_a_namespace_nimop_cannot_read_fails_the_install(
    values: dict[str, Any], message: str, tmp_path: Path
) -> None:
    result = helm("template", "nimop", str(CHART), *values_args(values, tmp_path), check=False)
    assert result.returncode != 0
    assert message in result.stderr, result.stderr


def test_kustomize_sets_it_with_a_patch(tmp_path: Path) -> None:
    patch = {"apiVersion": "apps/v1", "kind": "Deployment",
             "metadata": {"name": o.NAME, "namespace": o.NAMESPACE},
             "spec": {"template": {"spec": {"containers": [{"name": "manager", "env": [
                 {"name": o.KSERVE_ENV, "value": "kserve"}]}]}}}}  # fmt: skip
    (tmp_path / "kserve-namespace.yaml").write_text(yaml.safe_dump(patch))
    docs = kustomize({"patches": [{"path": "kserve-namespace.yaml"}]}, tmp_path)
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    variables = deployment["spec"]["template"]["spec"]["containers"][0]["env"]
    assert {"name": o.KSERVE_ENV, "value": "kserve"} in variables
    assert [v["name"] for v in variables].count(o.KSERVE_ENV) == 1
