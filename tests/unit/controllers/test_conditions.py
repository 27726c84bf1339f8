from __future__ import annotations

from nimop.controllers.conditions import Cond, merge, ready_failed


def test_transition_time_changes_only_when_status_changes() -> None:
    first = merge(None, [Cond("Ready", False, "Waiting", "a")], generation=1, now="t1")
    same = merge(first, [Cond("Ready", False, "StillWaiting", "b")], generation=2, now="t2")
    flipped = merge(same, [Cond("Ready", True, "Ready", "c")], generation=2, now="t3")
    assert first[0]["lastTransitionTime"] == "t1"
    assert same[0]["lastTransitionTime"] == "t1"
    assert same[0]["reason"] == "StillWaiting" and same[0]["observedGeneration"] == 2
    assert flipped[0]["lastTransitionTime"] == "t3"


def test_unchanged_input_computes_an_identical_list() -> None:
    first = merge(None, ready_failed("NotReady", "Waiting", "m"), generation=3, now="t1")
    again = merge(first, ready_failed("NotReady", "Waiting", "m"), generation=3, now="t9")
    assert again == first


def test_conditions_not_mentioned_are_kept_in_order() -> None:
    existing = [
        {
            "type": "Custom",
            "status": "True",
            "reason": "X",
            "message": "",
            "lastTransitionTime": "t0",
        }
    ]
    merged = merge(existing, [Cond("Ready", True, "Ready")], generation=1, now="t1")
    assert [c["type"] for c in merged] == ["Custom", "Ready"]
    assert merged[0] == existing[0]


def test_failed_state_sets_upstream_condition_pair() -> None:
    conds = {c.type: c for c in ready_failed("Failed", "NIMCacheFailed", "cache broke")}
    assert conds["Ready"].status is False and conds["Ready"].reason == "Failed"
    assert conds["Failed"].status is True and conds["Failed"].reason == "NIMCacheFailed"


def test_long_messages_are_bounded() -> None:
    merged = merge(None, [Cond("Ready", False, "R", "x" * 5000)], generation=1, now="t")
    assert len(merged[0]["message"]) == 1024


def test_status_patch_removes_keys_at_any_depth_and_is_none_when_unchanged() -> None:
    from nimop.controllers.base import MANAGED_STATUS
    from nimop.watch.status import status_patch

    old = {
        "state": "Ready",
        "states": {"a": "Ready", "b": "Ready"},
        "model": {"name": "x"},
        "foreign": 1,
    }
    new = {"state": "Ready", "states": {"a": "Ready"}}
    assert status_patch(old, new, MANAGED_STATUS) == {"states": {"b": None}, "model": None}
    assert status_patch(new, dict(new), MANAGED_STATUS) is None
