"""Prometheus metrics, named as client-go and controller-runtime name them.

Existing dashboards for Go operators work unchanged: ``workqueue_*`` from
``pkg/internal/metrics/workqueue.go``, ``controller_runtime_*`` from
``pkg/internal/controller/metrics/metrics.go`` (with ``controller_runtime_reconcile_panics_total``:
a reconciler raising something that is no framework error — a bug, what a Go panic is),
``rest_client_*`` from client-go's metrics (labels ``code``, ``method``, ``host``) and
``leader_election_master_status``. They live in one
framework registry (:data:`REGISTRY`) that the manager serves on ``/metrics``. Label sets are
pre-created at zero (``init_controller``) so ``rate()`` works before the first error, as
controller-runtime's ``initMetrics`` does.
"""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    gc_collector,
    platform_collector,
    process_collector,
)

__all__ = ["REGISTRY", "init_controller"]

REGISTRY = CollectorRegistry(auto_describe=True)
process_collector.ProcessCollector(registry=REGISTRY)
platform_collector.PlatformCollector(registry=REGISTRY)
gc_collector.GCCollector(registry=REGISTRY)

# controller-runtime: prometheus.ExponentialBuckets(10e-9, 10, 12)
_QUEUE_BUCKETS = tuple(1e-8 * 10**k for k in range(12))
# controller-runtime reconcile_time_seconds buckets (5 ms .. 60 s).
_RECONCILE_BUCKETS = (
    0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8,
    0.9, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30,
    40, 50, 60,
)  # fmt: skip
_Q = ("name", "controller")

WORKQUEUE_DEPTH = Gauge("workqueue_depth", "Current depth of workqueue", _Q, registry=REGISTRY)
WORKQUEUE_ADDS = Counter(
    "workqueue_adds", "Total number of adds handled by workqueue", _Q, registry=REGISTRY
)
WORKQUEUE_QUEUE_DURATION = Histogram(
    "workqueue_queue_duration_seconds",
    "How long in seconds an item stays in workqueue before being requested",
    _Q,
    buckets=_QUEUE_BUCKETS,
    registry=REGISTRY,
)
WORKQUEUE_WORK_DURATION = Histogram(
    "workqueue_work_duration_seconds",
    "How long in seconds processing an item from workqueue takes",
    _Q,
    buckets=_QUEUE_BUCKETS,
    registry=REGISTRY,
)
WORKQUEUE_UNFINISHED = Gauge(
    "workqueue_unfinished_work_seconds",
    "Seconds of work in progress not yet observed by work_duration",
    _Q,
    registry=REGISTRY,
)
WORKQUEUE_LONGEST = Gauge(
    "workqueue_longest_running_processor_seconds",
    "Seconds the longest running processor for workqueue has been running",
    _Q,
    registry=REGISTRY,
)
WORKQUEUE_RETRIES = Counter(
    "workqueue_retries", "Total number of retries handled by workqueue", _Q, registry=REGISTRY
)

RECONCILE_TOTAL = Counter(
    "controller_runtime_reconcile",
    "Total number of reconciliations per controller",
    ("controller", "result"),
    registry=REGISTRY,
)
RECONCILE_ERRORS = Counter(
    "controller_runtime_reconcile_errors",
    "Total number of reconciliation errors per controller",
    ("controller",),
    registry=REGISTRY,
)
RECONCILE_TERMINAL_ERRORS = Counter(
    "controller_runtime_terminal_reconcile_errors",
    "Total number of terminal reconciliation errors per controller",
    ("controller",),
    registry=REGISTRY,
)
RECONCILE_PANICS = Counter(
    "controller_runtime_reconcile_panics",
    "Total number of reconciliation panics per controller",
    ("controller",),
    registry=REGISTRY,
)
RECONCILE_TIME = Histogram(
    "controller_runtime_reconcile_time_seconds",
    "Length of time per reconciliation per controller",
    ("controller",),
    buckets=_RECONCILE_BUCKETS,
    registry=REGISTRY,
)
MAX_CONCURRENT = Gauge(
    "controller_runtime_max_concurrent_reconciles",
    "Maximum number of concurrent reconciles per controller",
    ("controller",),
    registry=REGISTRY,
)
ACTIVE_WORKERS = Gauge(
    "controller_runtime_active_workers",
    "Number of currently used workers per controller",
    ("controller",),
    registry=REGISTRY,
)

# client-go's names and labels (k8s.io/client-go/tools/metrics, as controller-runtime's
# client_go_adapter.go and component-base register them): method = HTTP method, host = the
# apiserver's host:port, code = HTTP status or "<error>" when no answer came.
REST_REQUESTS = Counter(
    "rest_client_requests",
    "Number of HTTP requests, partitioned by status code, method, and host.",
    ("code", "method", "host"),
    registry=REGISTRY,
)
#: client-go's buckets for its request and rate-limiter latency histograms.
CLIENT_GO_BUCKETS = (0.005, 0.025, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0)
REST_DURATION = Histogram(
    "rest_client_request_duration_seconds",
    "Request latency in seconds. Broken down by verb, and host.",
    ("verb", "host"),
    buckets=CLIENT_GO_BUCKETS,
    registry=REGISTRY,
)
REST_RATE_LIMITER_DURATION = Histogram(
    "rest_client_rate_limiter_duration_seconds",
    "Client side rate limiter latency in seconds. Broken down by verb, and host.",
    ("verb", "host"),
    buckets=CLIENT_GO_BUCKETS,
    registry=REGISTRY,
)
#: nimop's own: the same requests by Kubernetes verb and resource, which client-go's labels
#: cannot tell apart (how many writes went to Deployments, how many lists were relists).
API_REQUESTS = Counter(
    "nimop_api_requests",
    "API requests by Kubernetes verb, group/resource and status code (0 = no answer)",
    ("verb", "resource", "code"),
    registry=REGISTRY,
)

INFORMER_UP = Gauge(
    "nimop_informer_up",
    "1 while an informer's list/watch loop is healthy, 0 when it is dead or failing",
    ("resource", "namespace"),
    registry=REGISTRY,
)
INFORMER_SYNCED = Gauge(
    "nimop_informer_synced",
    "1 once an informer has completed its initial list",
    ("resource", "namespace"),
    registry=REGISTRY,
)
INFORMER_RELISTS = Counter(
    "nimop_informer_relists",
    "Lists performed by informers (initial list, 410 Gone, errors)",
    ("resource", "namespace"),
    registry=REGISTRY,
)
INFORMER_OBJECTS = Gauge(
    "nimop_informer_objects", "Objects held by an informer store", ("resource",), registry=REGISTRY
)
CONCURRENCY_LIMIT = Gauge(
    "nimop_concurrency_limit",
    "Reconciles the adaptive concurrency limit lets run at once in this process",
    registry=REGISTRY,
)

LEADER_STATUS = Gauge(
    "leader_election_master_status",
    "1 if this process is the leader of the named lease, 0 otherwise",
    ("name",),
    registry=REGISTRY,
)
LEADER_SLOWPATH = Counter(
    "leader_election_slowpath",
    "Lease renewals that needed a GET (the optimistic update failed)",
    ("name",),
    registry=REGISTRY,
)

_RESULTS = ("success", "error", "requeue", "requeue_after")


def init_controller(controller: str) -> None:
    """Pre-create every label set of a controller at zero (controller-runtime ``initMetrics``)."""
    for result in _RESULTS:
        RECONCILE_TOTAL.labels(controller, result)
    RECONCILE_ERRORS.labels(controller)
    RECONCILE_TERMINAL_ERRORS.labels(controller)
    RECONCILE_PANICS.labels(controller)
    ACTIVE_WORKERS.labels(controller).set(0)
    for metric in (WORKQUEUE_ADDS, WORKQUEUE_RETRIES):
        metric.labels(controller, controller)
    for gauge in (WORKQUEUE_DEPTH, WORKQUEUE_UNFINISHED, WORKQUEUE_LONGEST):
        gauge.labels(controller, controller).set(0)
