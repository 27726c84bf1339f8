"""Renderers are pure: they import only the standard library and nimop.api (DESIGN.md), and
they do not touch clocks, randomness, the environment or files."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

RENDER = Path(__file__).resolve().parents[3] / "nimop" / "render"
IMPURE = {"time", "datetime", "random", "secrets", "uuid", "os", "subprocess", "socket",
          "pathlib", "io", "shutil"}


def imported_modules(path: Path) -> set[str]:
    mods = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            mods |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            mods.add(node.module)
    return mods


def test_render_imports_only_stdlib_and_api() -> None:
    for path in sorted(RENDER.glob("*.py")):
        for mod in imported_modules(path):
            top = mod.split(".")[0]
            if top == "nimop":
                assert mod.startswith(("nimop.render", "nimop.api")), (path.name, mod)
            else:
                assert top in sys.stdlib_module_names or top == "__future__", (path.name, mod)
                assert top not in IMPURE, (path.name, mod)
