"""The user docs stay true to the code: every condition reason the code can set is explained in
troubleshooting.md, every example a page shows exists and is applied by the tests, links
resolve, and README links every page."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.e2e.test_api_admission import EXAMPLES

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "docs"
FEATURE_PAGES = ("caching.md", "single-node.md", "multi-llm.md", "multi-node.md", "dra.md",
                 "kserve.md", "pipelines.md", "autoscaling-and-routes.md")
PAGES = ("getting-started.md", *FEATURE_PAGES, "operations.md", "troubleshooting.md",
         "security.md")
#: Call → index of its reason argument. `Problem` in nimop.api.validation is (path, reason, …).
REASON_ARG = {"problem": 0, "Problem": 0, "Cond": 2, "Readiness": 1}
VALIDATION = ROOT / "nimop" / "api" / "validation.py"


def _strings(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return []


def reasons_in(path: Path) -> set[str]:
    """Reason literals: arguments of problem()/Problem()/Problem.finding()/Cond()/Readiness(),
    `reason=` keywords and assignments to a variable named `reason`."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            index = 1 if (path == VALIDATION and name == "finding") else REASON_ARG.get(name)
            if index is not None and len(node.args) > index:
                found.update(_strings(node.args[index]))
            for kw in node.keywords:
                if kw.arg == "reason":
                    found.update(_strings(kw.value))
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "reason" for t in node.targets):
            found.update(_strings(node.value))
    return {r for r in found if re.fullmatch(r"[A-Z][A-Za-z]+", r)}


def code_reasons() -> set[str]:
    files = [*(ROOT / "nimop" / "render").rglob("*.py"),
             *(ROOT / "nimop" / "controllers").rglob("*.py"), VALIDATION]
    return set().union(*(reasons_in(p) for p in files))


def test_the_collector_finds_reasons() -> None:
    reasons = code_reasons()
    assert {"NIMCacheNotReady", "JobFailed", "DeploymentNotReady", "UnknownDependency",
            "ServiceFailed"} <= reasons


def test_every_reason_is_explained_in_troubleshooting() -> None:
    text = (DOCS / "troubleshooting.md").read_text()
    missing = sorted(r for r in code_reasons() if f"`{r}`" not in text)
    assert not missing, f"add these condition reasons to docs/troubleshooting.md: {missing}"


@pytest.mark.parametrize("page", PAGES)
def test_page_exists_and_its_links_resolve(page: str) -> None:
    path = DOCS / page
    text = path.read_text()
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if "://" in target:
            continue
        assert (path.parent / target).resolve().exists(), f"{page}: broken link {target}"


@pytest.mark.parametrize("page", (*FEATURE_PAGES, "getting-started.md"))
def test_examples_shown_are_applied_by_tests(page: str) -> None:
    text = (DOCS / page).read_text()
    shown = set(re.findall(r"api/examples/([\w.-]+\.yaml)", text))
    assert shown, f"{page} shows no example from api/examples"
    applied = {p.name for p in EXAMPLES}
    assert shown <= applied, f"{page}: {sorted(shown - applied)} are not applied by any test"


def test_readme_links_every_page() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = [p for p in PAGES if f"docs/{p}" not in readme]
    assert not missing, f"README.md does not link {missing}"


def _leaves(values: dict[str, object], prefix: str = "") -> list[str]:
    out = []
    for key, value in values.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value and key != "resources":
            out += _leaves(value, f"{path}.")
        else:
            out.append(path)
    return out


def test_every_chart_value_is_in_the_getting_started_table() -> None:
    """The Helm values table in getting-started.md names every value of the chart (a value
    added to values.yaml and left out of the docs fails here); `.x` abbreviates a sibling."""
    import yaml

    values = yaml.safe_load((ROOT / "deploy" / "helm" / "nimop" / "values.yaml").read_text())
    rows = [line for line in (DOCS / "getting-started.md").read_text().splitlines()
            if line.startswith("| `")]
    named = set()
    for row in rows:
        first = row.split("|")[1]
        last = ""
        for name in re.findall(r"`([\w.]+)`", first):
            full = last.rsplit(".", 1)[0] + name if name.startswith(".") else name
            named.add(full)
            last = full
    missing = [leaf for leaf in _leaves(values) if leaf not in named]
    assert not missing, f"chart values missing from docs/getting-started.md: {missing}"
