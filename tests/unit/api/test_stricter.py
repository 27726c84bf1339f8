"""Rules nimop adds over upstream, re-checked on stored objects (nimop.api.stricter) and
reported as a SpecValid condition by the NIMService status."""

from __future__ import annotations

from nimop.api.stricter import violations
from nimop.controllers.nimservice_status import spec_valid


def test_each_stricter_rule_names_the_field_and_the_fix() -> None:
    spec = {
        "scale": {"hpa": {"minReplicas": 3, "maxReplicas": 2}},
        "expose": {"router": {"eppConfig": {"containerSpec": {}}}},
        "storage": {"pvc": {"create": True}},
    }
    found = violations(spec)
    assert len(found) == 3
    assert found[0].startswith("spec.scale.hpa.minReplicas (3) exceeds")
    assert "exactly one of config and configMapRef" in found[1]
    assert "storage.pvc.size is required" in found[2]


def test_go_zero_values_and_valid_specs_break_nothing() -> None:
    assert violations({"scale": {"hpa": {"minReplicas": 1, "maxReplicas": 0}}}) == []
    assert violations({"scale": {"hpa": {"minReplicas": 1, "maxReplicas": 4}}}) == []
    assert violations({}) == []


def test_condition_appears_only_when_needed_and_clears() -> None:
    bad = {"spec": {"scale": {"hpa": {"minReplicas": 3, "maxReplicas": 2}}}}
    (cond,) = spec_valid(bad, {})
    assert (cond.type, cond.status, cond.reason) == ("SpecValid", False, "StricterRule")
    assert spec_valid({"spec": {}}, {}) == []
    was = {"conditions": [{"type": "SpecValid", "status": "False"}]}
    (fixed,) = spec_valid({"spec": {}}, was)
    assert fixed.status is True
