"""Grants held although no request sends them (`Permission.held`): each has its reason, the
reasons are in docs/security.md, and only the kinds of grant that can be held are. Which grants
are sent is derived from the audit log by tests/e2e/test_rbac_verbs.py."""

from __future__ import annotations

from pathlib import Path

from nimop.permissions import PERMISSIONS

SECURITY_MD = (Path(__file__).resolve().parents[3] / "docs" / "security.md").read_text()


def test_every_held_reason_is_documented() -> None:
    held = [p for p in PERMISSIONS if p.held]
    assert held, "the table holds nothing it never sends?"
    for p in held:
        assert p.held in SECURITY_MD, f"{p.group}/{p.resources}: reason not in docs/security.md"


def test_only_checks_made_for_nimop_and_upgrade_paths_are_held() -> None:
    """A held grant is one the apiserver checks on nimop's behalf — a Role nimop creates
    (escalation prevention) or an admission plugin's check — or one only an operator upgrade
    can make nimop send; never a verb an edit of a custom resource leads to."""
    for p in PERMISSIONS:
        if p.held:
            assert (p.why.startswith("Escalation prevention") or "admission plugin" in p.why
                    or "upgraded operator" in p.held), p  # fmt: skip
