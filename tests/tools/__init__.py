"""Build pinned Go tools from the Go module proxy into the shared cache, once.

Tests that need a real external tool (helm, an older kube-apiserver, a bundle validator) name it
as a `GoTool` and call `ensure(tool)`: the first call builds it (minutes), every later call
returns the cached binary. Nothing is downloaded prebuilt and nothing lands in the repository.

A tool is built inside a throw-away wrapper module that requires the tool's module at its exact
version (`go get module@version`) and builds one package of it. That works where `go install
module/cmd@version` does not: the module proxy refuses some modules' version lists (which `go
install` asks for), and a wrapper can carry `replace` directives the tool's own go.mod has but a
dependency's go.mod cannot pass on (e.g. Kubernetes' staging modules, see `go_mod_of`).
A tool may instead be a small `main` package kept in this repository (`source`): its files are
copied into the wrapper and the cache key includes their hash, so an edit rebuilds it.

Builds are serialised by a file lock per binary, built into a temporary directory and moved into
place only when complete, so parallel test sessions and an interrupted build are both safe.

    HELM = GoTool("helm", "helm.sh/helm/v3", "v3.22.0", package="helm.sh/helm/v3/cmd/helm")
    path = ensure(HELM)          # or: python -m tests.tools build helm
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tests.cluster.config import cache_root


class ToolBuildError(RuntimeError):
    """The Go toolchain or the module proxy refused to produce a tool; the message says which."""


@dataclass(frozen=True)
class GoTool:
    """One binary built from `module@version`.

    - `package`: the import path to build (default: the module itself).
    - `requires`: more `module@version` pins to `go get` alongside (e.g. a dependency to bump).
    - `replaces`: `go mod edit -replace` entries (`old` -> `new@version`).
    - `ldflags`: linker flags (version stamping); `tags`: build tags.
    - `source`: a directory of this repository holding a `main` package to build instead of
      `package`; its Go files are part of the cache key.
    - `env`: extra environment for the go command (e.g. GOTOOLCHAIN).
    """

    name: str
    module: str
    version: str
    package: str = ""
    requires: tuple[str, ...] = ()
    replaces: Mapping[str, str] = field(default_factory=dict)
    ldflags: str = "-s -w"
    tags: str = ""
    source: Path | None = None
    env: Mapping[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The cache directory name: name, version, and a hash of everything else that shapes
        the binary (flags, pins, repo-kept sources), so changing any of them rebuilds it."""
        digest = hashlib.sha256(repr((
            self.module, self.package, self.requires, sorted(self.replaces.items()),
            self.ldflags, self.tags, sorted(self.env.items()))).encode())
        if self.source is not None:
            for path in sorted(self.source.glob("*.go")):
                digest.update(path.name.encode() + b"\0" + path.read_bytes())
        return f"{self.name}-{self.version}-{digest.hexdigest()[:12]}"


def tools_dir() -> Path:
    return cache_root() / "tools"


def path_of(tool: GoTool) -> Path:
    """Where the binary is (or will be) cached."""
    return tools_dir() / tool.key / tool.name


def ensure(tool: GoTool) -> Path:
    """The cached binary, built first if missing. Raises ToolBuildError with the go output."""
    target = path_of(tool)
    if os.access(target, os.X_OK):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be building it right now
        if not os.access(target, os.X_OK):
            _build(tool, target)
    return target


def go_mod_of(module: str, version: str) -> str:
    """The text of `module@version`'s go.mod, from the proxy (to derive `replaces` from it)."""
    return Path(_download(module, version)["GoMod"]).read_text()


def module_dir(module: str, version: str) -> Path:
    """Where `module@version`'s source is unpacked in Go's module cache (fetched first if
    missing): manifests a module ships (CRDs, ConfigMaps, webhook configurations) are read from
    there at run time, never copied into this repository."""
    return Path(_download(module, version)["Dir"])


def _download(module: str, version: str) -> dict[str, str]:
    info: dict[str, str] = json.loads(
        _go(["mod", "download", "-json", f"{module}@{version}"], Path.cwd(), {}))
    return info


def _build(tool: GoTool, target: Path) -> None:
    print(f"building {tool.name} {tool.version} into {target.parent} ...", file=sys.stderr,
          flush=True)
    with tempfile.TemporaryDirectory(prefix=f".{tool.name}.", dir=target.parent) as tmp:
        work = Path(tmp)
        env = {"CGO_ENABLED": "0", "GOFLAGS": "-buildvcs=false", **tool.env}
        _go(["mod", "init", f"local/nimop-tool-{tool.name}"], work, env)
        for old, new in tool.replaces.items():
            _go(["mod", "edit", f"-replace={old}={new}"], work, env)
        _go(["get", f"{tool.module}@{tool.version}", *tool.requires], work, env)
        package = tool.package or tool.module
        if tool.source is not None:
            for path in tool.source.glob("*.go"):
                shutil.copy(path, work / path.name)
            _go(["mod", "tidy"], work, env)
            package = "."
        out = work / "out" / tool.name
        args = ["build", "-mod=mod", "-trimpath", "-ldflags", tool.ldflags, "-o", str(out)]
        _go([*args, *(["-tags", tool.tags] if tool.tags else []), package], work, env)
        out.replace(target)


def _go(args: list[str], cwd: Path, env: Mapping[str, str]) -> str:
    go = shutil.which("go")
    if go is None:
        raise ToolBuildError("the Go toolchain (`go`) is not on PATH; install Go to build tools")
    result = subprocess.run(
        ["nice", "-n", "10", go, *args], cwd=cwd, env={**os.environ, **env},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise ToolBuildError(f"go {' '.join(args)} failed in {cwd}:\n{result.stderr.strip()}")
    return result.stdout
