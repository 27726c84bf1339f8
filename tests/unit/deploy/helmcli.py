"""Run the pinned, cached `helm` binary (tests.tools) on the generated chart."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml

from tests.tools import ensure
from tests.tools.catalog import HELM

ROOT = Path(__file__).resolve().parents[3]
CHART = ROOT / "deploy" / "helm" / "nimop"


def helm(*args: str, env: dict[str, str] | None = None, check: bool = True,
         timeout: float = 300) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(ensure(HELM)), *args], capture_output=True, text=True,
                            timeout=timeout, env=env, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"helm {' '.join(args)} failed:\n{result.stderr}")
    return result


def values_args(values: dict[str, Any], tmp: Path) -> list[str]:
    path = tmp / f"values-{abs(hash(yaml.safe_dump(values)))}.yaml"
    path.write_text(yaml.safe_dump(values))
    return ["-f", str(path)]


def template(values: dict[str, Any], tmp: Path, *, release: str = "nimop",
             namespace: str = "ops") -> list[dict[str, Any]]:
    out = helm("template", release, str(CHART), "-n", namespace, *values_args(values, tmp)).stdout
    return [d for d in yaml.safe_load_all(out) if d]
