"""The dependency rule of DESIGN.md holds: render is pure, watch knows nothing of NIM, only
operator.py imports controllers (contracts declared in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_hold() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


def _render_imports(path: Path) -> set[str]:
    """The `nimop.render` modules `path` imports, at any depth (function-local ones too)."""
    import ast

    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(
                "nimop.render"):
            found.add(node.module)
            if node.module == "nimop.render":
                found.update(f"nimop.render.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("nimop.render."))
    return found


def test_render_modules_import_each_other_without_cycles() -> None:
    """`nimservice` dispatches to `kserve`/`multinode`/`standalone`; none of those may import
    `nimservice` back (a cycle once hidden by function-local imports)."""
    render = ROOT / "nimop" / "render"
    modules = {f"nimop.render.{p.stem}": p for p in render.glob("*.py") if p.stem != "__init__"}
    graph = {name: _render_imports(path) & set(modules) for name, path in modules.items()}
    state: dict[str, str] = {}

    def visit(name: str, trail: list[str]) -> None:
        if state.get(name) == "done":
            return
        assert state.get(name) != "open", f"import cycle: {' -> '.join([*trail, name])}"
        state[name] = "open"
        for dep in sorted(graph[name]):
            visit(dep, [*trail, name])
        state[name] = "done"

    for name in sorted(graph):
        visit(name, [])
