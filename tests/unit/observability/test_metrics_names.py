"""Metric names and labels as controller-runtime and client-go expose them, so dashboards and
alerts written for Go operators work unchanged."""

from __future__ import annotations

from prometheus_client import generate_latest

from nimop.watch import metrics as m

#: name -> label names, from controller-runtime (pkg/internal/controller/metrics,
#: pkg/metrics/workqueue.go, pkg/metrics/client_go_adapter.go) and client-go.
CONTROLLER_RUNTIME = {
    "controller_runtime_reconcile_total": ("controller", "result"),
    "controller_runtime_reconcile_errors_total": ("controller",),
    "controller_runtime_terminal_reconcile_errors_total": ("controller",),
    "controller_runtime_reconcile_panics_total": ("controller",),
    "controller_runtime_reconcile_time_seconds": ("controller",),
    "controller_runtime_max_concurrent_reconciles": ("controller",),
    "controller_runtime_active_workers": ("controller",),
    "workqueue_depth": ("name", "controller"),
    "workqueue_adds_total": ("name", "controller"),
    "workqueue_retries_total": ("name", "controller"),
    "workqueue_queue_duration_seconds": ("name", "controller"),
    "workqueue_work_duration_seconds": ("name", "controller"),
    "rest_client_requests_total": ("code", "method", "host"),
    "rest_client_request_duration_seconds": ("verb", "host"),
    "leader_election_master_status": ("name",),
}


def families() -> dict[str, tuple[str, ...]]:
    out = {}
    for family in m.REGISTRY.collect():
        name = f"{family.name}_total" if family.type == "counter" else family.name
        metric = next((m for m in m.REGISTRY._names_to_collectors.values()
                       if getattr(m, "_name", None) == family.name), None)  # fmt: skip
        out[name] = tuple(getattr(metric, "_labelnames", ()))
    return out


def test_names_and_labels_match_controller_runtime() -> None:
    found = families()
    for name, labels in CONTROLLER_RUNTIME.items():
        assert name in found, name
        assert found[name] == labels, (name, found[name])


def test_panics_counter_exists_at_zero_for_each_controller() -> None:
    m.init_controller("panicky")
    text = generate_latest(m.REGISTRY).decode()
    assert 'controller_runtime_reconcile_panics_total{controller="panicky"} 0.0' in text
