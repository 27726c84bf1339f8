"""Optional APIs are discovered at runtime: a CR that needs a missing one says so, and works as
soon as the CRD is installed — without restarting the operator."""

from __future__ import annotations

import pytest

from tests.cluster import Cluster, seed
from tests.e2e.crs import nimservice, ready_condition, wait_state
from tests.operator_process import OperatorProcess
from tests.support import apply, eventually, get


@pytest.mark.disruptive
def test_service_monitor_api_installed_later_is_picked_up_without_restart(
    cluster: Cluster, namespace: str, operator: OperatorProcess
) -> None:
    crd = "servicemonitors.monitoring.coreos.com"
    cluster.kubectl("delete", "crd", crd, "--wait=true")
    pid = operator.proc.pid if operator.proc else None
    try:
        apply(
            cluster,
            namespace,
            nimservice("llm", metrics={"enabled": True, "serviceMonitor": {"interval": "30s"}}),
        )

        def missing() -> str | None:
            obj = get(cluster, "nimservice", "llm", namespace) or {}
            reason = ready_condition(obj).get("reason") if obj.get("status") else None
            failed = next(
                (
                    c
                    for c in (obj.get("status") or {}).get("conditions", [])
                    if c["type"] == "Failed"
                ),
                {},
            )
            return "yes" if "ServiceMonitorAPIMissing" in (reason, failed.get("reason")) else None

        eventually(missing, timeout=60, what="ServiceMonitorAPIMissing reported")
    finally:
        cluster.apply([seed.service_monitor_crd()])
        cluster.kubectl("wait", "--for=condition=Established", f"crd/{crd}", "--timeout=60s")
    wait_state(cluster, "nimservice", "llm", namespace, "Ready", timeout=120)
    assert eventually(
        lambda: get(cluster, "servicemonitor", "llm", namespace), what="ServiceMonitor"
    )
    assert operator.proc is not None and operator.proc.pid == pid and operator.proc.poll() is None
