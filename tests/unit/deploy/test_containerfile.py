"""The Containerfile builds the image the Deployment expects: multi-stage with locked
dependencies, no build tools in the final stage, non-root, read-only-root friendly, exec-form
entrypoint (signals reach Python), OCI labels. No container engine is needed: it is parsed."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
BUILD_TOOLS = re.compile(r"\b(apt-get|apt|apk|yum|dnf|gcc|g\+\+|make|build-essential|pip|uv|"
                         r"poetry|cargo|git)\b")


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, op: str) -> list[str]:
        return [arg for o, arg in self.instructions if o == op]


def parse(text: str) -> tuple[dict[str, str], list[Stage]]:
    """Global ARGs and the stages, with line continuations joined and comments dropped."""
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    args: dict[str, str] = {}
    stages: list[Stage] = []
    for line in joined.splitlines():
        if not line.strip():
            continue
        op, _, rest = line.strip().partition(" ")
        op = op.upper()
        if op == "FROM":
            parts = rest.split()
            base = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), m.group(0)), parts[0])
            name = parts[2] if len(parts) > 2 and parts[1].upper() == "AS" else None
            stages.append(Stage(base, name))
        elif not stages and op == "ARG":
            key, _, value = rest.partition("=")
            args[key.strip()] = value.strip()
        else:
            stages[-1].instructions.append((op, rest.strip()))
    return args, stages


ARGS, STAGES = parse((ROOT / "Containerfile").read_text())
FINAL = STAGES[-1]


def test_multi_stage_builds_a_wheel_with_the_locked_requirements() -> None:
    assert len(STAGES) >= 2
    builder = next(s for s in STAGES if s.name == "builder")
    run = " ".join(builder.all("RUN"))
    assert "pip wheel" in run
    assert "--constraint requirements.lock" in run or "-r requirements.lock" in run
    assert any("requirements.lock" in c for c in builder.all("COPY"))


def test_final_stage_is_slim_python_without_build_tools() -> None:
    assert FINAL.base.endswith("python:3.11-slim") or "distroless" in FINAL.base
    for run in FINAL.all("RUN"):
        words = shlex.split(run)
        assert words[:2] == ["rm", "-rf"], f"unexpected RUN in the final stage: {run}"
    copies = FINAL.all("COPY")
    assert copies and all(c.startswith("--from=builder") for c in copies), copies


def test_final_stage_removes_pip_and_the_builder_drops_it_from_the_venv() -> None:
    assert any("pip*" in r for r in FINAL.all("RUN"))
    builder = next(s for s in STAGES if s.name == "builder")
    assert "pip uninstall --yes pip" in " ".join(builder.all("RUN"))


def test_build_tools_appear_only_in_the_builder() -> None:
    for run in FINAL.all("RUN"):
        tools = {m for m in BUILD_TOOLS.findall(run) if m != "pip"}
        assert not tools, f"final stage runs {tools}"


def test_runs_as_non_root_65532() -> None:
    (user,) = FINAL.all("USER")
    uid, _, gid = user.partition(":")
    assert uid == "65532" and gid in ("", "65532")
    dep = yaml.safe_load_all((ROOT / "deploy" / "base" / "deployment.yaml").read_text())
    pod = next(d for d in dep if d)["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsUser"] == int(uid)


def test_read_only_root_friendly() -> None:
    env = " ".join(FINAL.all("ENV"))
    assert "PYTHONDONTWRITEBYTECODE=1" in env
    assert "HOME=/tmp" in env and "TMPDIR=/tmp" in env
    assert not FINAL.all("VOLUME")


def test_exec_form_entrypoint_so_signals_reach_python() -> None:
    (entry,) = FINAL.all("ENTRYPOINT")
    assert json.loads(entry) == ["nimop", "run"]
    assert not FINAL.all("CMD")
    dep = yaml.safe_load_all((ROOT / "deploy" / "base" / "deployment.yaml").read_text())
    (ctr,) = next(d for d in dep if d)["spec"]["template"]["spec"]["containers"]
    assert "command" not in ctr, "the Deployment must not wrap the entrypoint"
    assert all(arg.startswith("--") for arg in ctr["args"]), "args are `nimop run` flags"


def test_oci_labels() -> None:
    labels = " ".join(FINAL.all("LABEL"))
    for key in ("title", "description", "version", "source", "licenses"):
        assert f"org.opencontainers.image.{key}=" in labels, key


def test_build_context_is_an_allowlist() -> None:
    for name in (".containerignore", ".dockerignore"):
        lines = (ROOT / name).read_text().splitlines()
        assert "*" in lines and "!nimop/" in lines and "!requirements.lock" in lines, name
