"""The pinned-tool cache: keys that change with what is built, no rebuild of a cached binary,
and a refusal reported with the go command's words."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import tools
from tests.tools import GoTool, ToolBuildError, ensure, path_of


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NIMOP_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_key_names_the_version_and_hashes_repo_sources(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "main.go").write_text("package main\n")
    tool = GoTool("t", "example.com/t", "v1.2.3", source=src)
    before = tool.key
    assert before.startswith("t-v1.2.3-")
    (src / "main.go").write_text("package main\n// changed\n")
    assert tool.key != before
    plain = GoTool("t", "example.com/t", "v1.2.3")
    assert plain.key.startswith("t-v1.2.3-")
    assert GoTool("t", "example.com/t", "v1.2.3", ldflags="-X a=b").key != plain.key


def test_a_cached_binary_is_returned_without_building(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tool = GoTool("t", "example.com/t", "v1")
    target = path_of(tool)
    assert target.is_relative_to(cache)
    target.parent.mkdir(parents=True)
    target.write_text("#!/bin/sh\n")
    target.chmod(0o755)

    def no_build(*args: object) -> None:
        raise AssertionError("rebuilt a cached tool")

    monkeypatch.setattr(tools, "_build", no_build)
    assert ensure(tool) == target


def test_a_refused_module_is_an_error_with_the_go_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOPROXY", "off")
    monkeypatch.setenv("GOFLAGS", "-mod=mod")
    tool = GoTool("nope", "example.invalid/nope", "v0.0.1")
    with pytest.raises(ToolBuildError, match=r"go get example.invalid/nope@v0.0.1 failed"):
        ensure(tool)
    assert not path_of(tool).exists()
