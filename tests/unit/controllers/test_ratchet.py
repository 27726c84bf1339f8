"""Validation ratcheting (nimop.controllers.ratchet): a CR stored under a looser schema lists,
in its status, what nimop's CRD — its own schema and CEL rules, evaluated by nimop.admission —
refuses, for every kind; the condition clears once the spec is fixed, and a CR that never broke
a rule gets none."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from nimop.admission import review
from nimop.api import KINDS
from nimop.controllers import ratchet
from tests.unit.controllers.harness import NS, running

ROOT = Path(__file__).resolve().parents[3]
INVALID = ROOT / "tests" / "e2e" / "invalid"
EXAMPLES = ROOT / "api" / "examples"
NEMO_KINDS = ["NemoCustomizer", "NemoDatastore", "NemoEntitystore", "NemoEvaluator",
              "NemoGuardrail"]  # fmt: skip


def _docs(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text()) if isinstance(d, dict)]


def example(kind: str) -> dict[str, Any]:
    for path in sorted(EXAMPLES.glob("*.yaml")):
        for doc in _docs(path):
            if doc.get("kind") == kind:
                doc["metadata"] = {"name": doc["metadata"]["name"], "namespace": NS}
                return doc
    raise AssertionError(f"no example of {kind}")


def nemo_breaking_a_rule(kind: str) -> dict[str, Any]:
    """A NeMo CR with `replicas` beside `scale.enabled`: a rule of nimop's NeMo CRDs."""
    doc = example(kind)
    doc["spec"] = {**doc["spec"], "replicas": 2,
                   "scale": {"enabled": True, "hpa": {"maxReplicas": 3}}}  # fmt: skip
    return doc


#: One object per kind that nimop's CRD refuses: single-object cases of the invalid corpus
#: for the NIM kinds, a NeMo rule for each NeMo kind.
BROKEN = {
    "NIMService": _docs(INVALID / "svc-hpa-min-above-max.yaml")[0],
    "NIMCache": _docs(INVALID / "cache-two-sources.yaml")[0],
    "NIMPipeline": _docs(INVALID / "pipeline-duplicate-names.yaml")[0],
    "NIMBuild": _docs(INVALID / "build-missing-image.yaml")[0],
    **{kind: nemo_breaking_a_rule(kind) for kind in NEMO_KINDS},
}


def test_every_kind_has_a_broken_case() -> None:
    assert set(BROKEN) == set(KINDS)


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_findings_are_the_crds_own_verdict(kind: str) -> None:
    doc = copy.deepcopy(BROKEN[kind])
    found = ratchet.findings(doc)
    assert found, f"nimop's CRD accepts the broken {kind}"
    assert list(found) == [e for e in review(copy.deepcopy(doc), strict=False).errors
                           if not e.startswith("metadata.")]  # fmt: skip


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_examples_break_nothing(kind: str) -> None:
    assert ratchet.findings(example(kind)) == ()


def test_condition_appears_only_when_needed_and_clears() -> None:
    (cond,) = ratchet.spec_valid(("spec.x: bad",), [])
    assert (cond.type, cond.status, cond.reason) == ("SpecValid", False, "StricterRule")
    assert ratchet.spec_valid((), []) == []
    (fixed,) = ratchet.spec_valid((), [{"type": "SpecValid", "status": "False"}])
    assert fixed.status is True and fixed.reason == "Valid"


def spec_valid(obj: dict[str, Any] | None) -> dict[str, Any] | None:
    for cond in ((obj or {}).get("status") or {}).get("conditions") or []:
        if cond["type"] == "SpecValid":
            return dict(cond)
    return None


async def test_every_kind_reports_what_its_stored_spec_breaks() -> None:
    """The in-memory API stores what it is given, as an apiserver with upstream's looser CRDs
    did: every kind's status then names what nimop's CRD refuses."""
    async with running() as op:
        for kind, doc in sorted(BROKEN.items()):
            await op.put({**copy.deepcopy(doc), "metadata": {"name": f"bad-{kind.lower()}"}})
        await op.advance(30)
        for kind, doc in sorted(BROKEN.items()):
            cond = spec_valid(op.get(kind, f"bad-{kind.lower()}"))
            assert cond is not None, f"{kind}: no SpecValid condition"
            assert (cond["status"], cond["reason"]) == ("False", "StricterRule"), kind
            assert cond["message"] == "; ".join(ratchet.findings(doc)), kind


async def test_fixed_spec_turns_the_condition_true_and_valid_crs_get_none() -> None:
    async with running() as op:
        bad = copy.deepcopy(BROKEN["NemoEntitystore"])
        await op.put({**bad, "metadata": {"name": "es"}})
        await op.put({**example("NemoEntitystore"), "metadata": {"name": "fine"}})
        await op.advance(10)
        assert spec_valid(op.get("NemoEntitystore", "es"))["status"] == "False"  # type: ignore[index]
        assert spec_valid(op.get("NemoEntitystore", "fine")) is None
        await op.edit("NemoEntitystore", "es", {"spec": {"replicas": None}})
        await op.advance(10)
        cond = spec_valid(op.get("NemoEntitystore", "es"))
        assert cond is not None and (cond["status"], cond["reason"]) == ("True", "Valid")


def test_findings_are_computed_once_per_distinct_spec(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many CRs stamped from one spec pay the CEL evaluation once; another spec pays again,
    and an edit that breaks a rule is seen although the cache holds the old spec's verdict."""
    reviews: list[str] = []
    real = ratchet.findings

    def counting(obj: Any) -> tuple[str, ...]:
        reviews.append(obj["metadata"]["name"])
        return real(obj)

    monkeypatch.setattr(ratchet, "findings", counting)
    monkeypatch.setattr(ratchet, "_cache", type(ratchet._cache)())
    good = example("NIMService")
    fleet = [{**copy.deepcopy(good), "metadata": {"name": f"svc-{i}", "namespace": NS,
                                                   "uid": f"u{i}", "generation": 1}}
             for i in range(5)]  # fmt: skip
    assert all(ratchet.cached_findings(obj) == () for obj in fleet)
    assert reviews == ["svc-0"]
    broken = copy.deepcopy(BROKEN["NIMService"])
    broken["metadata"] = {**fleet[0]["metadata"], "generation": 2}
    assert ratchet.cached_findings(broken) == real(copy.deepcopy(BROKEN["NIMService"]))
    assert ratchet.cached_findings(broken)
    assert reviews == ["svc-0", "svc-0"]
