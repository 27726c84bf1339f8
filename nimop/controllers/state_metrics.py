"""Upstream's status gauges: how many custom resources of a kind are in each ``status.state``.

NVIDIA's operator exports ``nimService_status_total``, ``nimCache_status_total`` and
``nimPipeline_status_total`` (``internal/controller/metrics.go``): gauges with one label,
``status``, whose value ``all`` is the number of objects of the kind, every other value the
number whose ``status.state`` equals it (``Unknown`` when the state is empty), and every state
the kind can report pre-created at 0. nimop keeps those names, that label and those values, so
the dashboards and alerts written for upstream work unchanged. The NeMo kinds get the names
upstream defines for them (``nemo_datastore_status_total``, …) once their CRDs are part of
nimop's kind table.

What differs, on purpose: upstream recomputes a gauge by listing every object after each
reconcile, so a state that no object is in any more (one outside the pre-created list) keeps
its last count, the NeMo gauges are defined but never registered, and its NeMo Datastore
refresh writes its total into the NIMPipeline gauge. Here the counts are taken at scrape time
from the informer stores the controllers already hold — no API request, never stale, and a
state nobody is in any more disappears instead of lingering.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from nimop.controllers.runtime import Runtime
from nimop.watch.informer import InformerState
from nimop.watch.metrics import REGISTRY

__all__ = ["GAUGES", "STATE_GAUGES", "StateGauge", "bind"]

UNKNOWN = "Unknown"
ALL = "all"
_NEMO_STATES = ("Failed", "Ready", "NotReady", UNKNOWN)


@dataclass(frozen=True)
class StateGauge:
    """One upstream gauge: the kind it counts, its name and the states pre-created at 0."""

    kind: str
    name: str
    help: str
    states: tuple[str, ...]


def _nemo(kind: str, metric: str, noun: str) -> StateGauge:
    return StateGauge(
        kind, metric, f"Total number of Nemo {noun} with specific status value.", _NEMO_STATES
    )


STATE_GAUGES = (
    StateGauge(
        "NIMCache",
        "nimCache_status_total",
        "Total number of NimCaches with specific status value.",
        ("Failed", "InProgress", "Ready", "NotReady", "PVC-Created", "Pending", "Started", UNKNOWN),
    ),
    StateGauge(
        "NIMService",
        "nimService_status_total",
        "Total number of NimServices with specific status value.",
        ("Failed", "Ready", "Pending", "NotReady", UNKNOWN),
    ),
    StateGauge(
        "NIMPipeline",
        "nimPipeline_status_total",
        "Total number of NimPipelines with specific status value.",
        ("Failed", "Ready", "NotReady", UNKNOWN),
    ),
    _nemo("NemoDatastore", "nemo_datastore_status_total", "Datastores"),
    _nemo("NemoEvaluator", "nemo_evaluator_status_total", "Evaluators"),
    _nemo("NemoEntitystore", "nemo_entitystore_status_total", "Entitystores"),
    _nemo("NemoCustomizer", "nemo_customizer_status_total", "Customizers"),
    _nemo("NemoGuardrail", "nemo_guardrail_status_total", "Guardrails"),
)


def count_states(gauge: StateGauge, states: list[str]) -> dict[str, int]:
    """The gauge's samples for objects in ``states`` (``""`` = no state yet): ``all``, the
    pre-created states at 0, and every state some object is in."""
    counts = Counter(state or UNKNOWN for state in states)
    return {ALL: len(states), **dict.fromkeys(gauge.states, 0), **counts}


class StateCollector(Collector):
    """Reads the bound runtime's informer stores on every scrape.

    The scrape runs on a worker thread; a store snapshot (``Store.objects``) is one C-level
    copy of a dict's values, which the event loop cannot interleave with.
    """

    def __init__(self) -> None:
        self._runtime: Runtime | None = None

    def bind(self, rt: Runtime) -> None:
        """Count the objects of ``rt`` from now on (the operator rebuilds its runtime when the
        served APIs change)."""
        self._runtime = rt

    def describe(self) -> Iterator[GaugeMetricFamily]:
        for gauge in STATE_GAUGES:
            yield GaugeMetricFamily(gauge.name, gauge.help, labels=("status",))

    def collect(self) -> Iterator[GaugeMetricFamily]:
        rt = self._runtime
        if rt is None:
            return
        # only while the runtime runs: a stopped operator (or a finished test) reports nothing
        served = {
            kind.kind: kind
            for kind, informer in rt.informers.items()
            if informer.state is InformerState.RUNNING
        }
        for gauge in STATE_GAUGES:
            kind = served.get(gauge.kind)
            if kind is None:
                continue
            objects = rt.store(kind).objects()
            states = [str((obj.get("status") or {}).get("state") or "") for obj in objects]
            family = GaugeMetricFamily(gauge.name, gauge.help, labels=("status",))
            for status, value in count_states(gauge, states).items():
                family.add_metric((status,), value)
            yield family


GAUGES = StateCollector()
REGISTRY.register(GAUGES)


def bind(rt: Runtime) -> None:
    """Export the status gauges of the kinds ``rt`` serves."""
    GAUGES.bind(rt)
