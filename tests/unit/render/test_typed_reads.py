"""Renderers read the typed API models: no dotted-path or `spec.get` read of a CR spec comes back
into nimop/render (issue 14). An AST walk, so the rule holds without anyone remembering it.

What counts as an untyped read:
- a dotted-path getter: a function named `get` defined in, or imported into, a render module;
- `.get(...)` or `[...]` on a spec — a name or attribute called `spec` / `*_spec`, or the
  wire form of one (`wire(owner.spec).get(...)`);
- the camelCase copy of a spec an owner once carried (`owner.raw`).

`NIMCacheFacts.from_object` is the one exception: it turns *another* object, as an informer store
or a `--facts` file holds it (possibly partial), into cluster facts, and must accept anything.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

RENDER = Path(__file__).resolve().parents[3] / "nimop" / "render"
EXEMPT = {("facts.py", "from_object")}


def _is_spec(node: ast.expr) -> bool:
    """`spec`, `x.spec`, `foo_spec`, or `wire(<one of those>)`."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "wire":
        return bool(node.args) and _is_spec(node.args[0])
    name = node.id if isinstance(node, ast.Name) else (
        node.attr if isinstance(node, ast.Attribute) else "")
    return name == "spec" or name.endswith("_spec")


class _Finder(ast.NodeVisitor):
    def __init__(self, module: str) -> None:
        self.module = module
        self.function = ""
        self.found: list[str] = []

    def _report(self, node: ast.AST, what: str) -> None:
        if (self.module, self.function) not in EXEMPT:
            self.found.append(f"{self.module}:{getattr(node, 'lineno', 0)}: {what}")

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        if node.name == "get":
            self._report(node, "defines a dotted-path getter `get`")
        outer, self.function = self.function, node.name
        self.generic_visit(node)
        self.function = outer

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if any(alias.name == "get" for alias in node.names):
            self._report(node, f"imports a dotted-path getter `get` from {node.module}")

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "get" and _is_spec(func.value):
            self._report(node, f"`{ast.unparse(node)}` reads a spec by key")
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if isinstance(node.ctx, ast.Load) and _is_spec(node.value):
            self._report(node, f"`{ast.unparse(node)}` reads a spec by key")
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr == "raw":
            self._report(node, f"`{ast.unparse(node)}`: the owner's untyped spec")
        self.generic_visit(node)


def untyped_reads(path: Path) -> Iterator[str]:
    finder = _Finder(path.name)
    finder.visit(ast.parse(path.read_text(), str(path)))
    yield from finder.found


def test_no_renderer_reads_a_spec_by_key() -> None:
    found = [hit for path in sorted(RENDER.glob("*.py")) for hit in untyped_reads(path)]
    assert found == [], "read the typed model instead:\n" + "\n".join(found)


@pytest.mark.parametrize("source", [
    "from nimop.render.objects import get\n",
    "def get(data, path):\n    return data\n",
    "def f(owner):\n    return owner.spec.get('replicas')\n",
    "def f(spec):\n    return spec['multiNode']\n",
    "def f(owner):\n    return wire(owner.spec).get('labels')\n",
    "def f(entry):\n    return entry.container_spec.get('image')\n",
    "def f(owner):\n    return owner.raw\n",
])
def test_each_untyped_read_is_caught(tmp_path: Path, source: str) -> None:
    module = tmp_path / "renderer.py"
    module.write_text(source)
    assert list(untyped_reads(module)), f"not caught: {source!r}"


def test_typed_reads_pass(tmp_path: Path) -> None:
    module = tmp_path / "renderer.py"
    module.write_text("def f(owner, out):\n"
                      "    out['x'] = owner.spec.multi_node.parallelism.tensor\n"
                      "    return wire(owner.spec.resources).items(), out.get('x')\n")
    assert list(untyped_reads(module)) == []
