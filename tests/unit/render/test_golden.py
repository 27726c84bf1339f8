"""Golden tests: every sample and API example renders to its checked-in YAML.

Update the goldens after an intended change with `make golden`
(= `NIMOP_UPDATE_GOLDEN=1 .venv/bin/pytest tests/unit/render -q`) and review the diff.
"""

from __future__ import annotations

import os

import pytest

from nimop.offline import render_documents
from tests.unit.render.cases import Case, cases, golden_facts, load

UPDATE = os.environ.get("NIMOP_UPDATE_GOLDEN") == "1"


def render_case(case: Case) -> str:
    docs = load(case)
    return "---\n".join(render_documents(docs, golden_facts(docs)))


@pytest.mark.parametrize("case", cases(), ids=lambda c: c.id)
def test_render_matches_golden(case: Case) -> None:
    text = render_case(case)
    if UPDATE:
        case.golden.parent.mkdir(parents=True, exist_ok=True)
        case.golden.write_text(text)
    assert case.golden.exists(), f"no golden for {case.id}; run `make golden`"
    assert text == case.golden.read_text(), f"{case.id} differs from its golden; `make golden`"


@pytest.mark.parametrize("case", cases(), ids=lambda c: c.id)
def test_render_is_deterministic(case: Case) -> None:
    assert render_case(case) == render_case(case)
