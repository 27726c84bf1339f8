"""The create-only apply nimop's no-adoption rule sends, against the current control plane:
every child kind, built-in and custom (LeaderWorkerSet), is created by it when absent and
refuses it, unchanged, when present. The oldest supported apiserver runs the same check
(tests/e2e/test_old_apiserver.py)."""

from __future__ import annotations

from typing import Any

from .create_only import BUILT_IN, LWS, verdicts


async def test_a_create_only_apply_creates_the_absent_and_refuses_the_present(
    cluster: Any, namespace: str
) -> None:
    kinds = [*BUILT_IN, LWS]
    assert await verdicts(cluster.kubeconfig, namespace, kinds) == {
        res.kind: (True, True, True) for res, _ in kinds
    }
