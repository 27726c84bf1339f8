"""Wiring: settings → manager → informers for the kinds this cluster serves → the NIMCache,
NIMService, NIMPipeline and NIMBuild controllers → run until SIGTERM.

Optional APIs (LeaderWorkerSet, KServe, Gateway API, ServiceMonitor, DRA, InferencePool) are
discovered at start. When one of them — or nimop's own CRDs — appears or goes away later, the
operator rebuilds its informers and controllers in-process, so a CR that was waiting for
`LeaderWorkerSetAPIMissing` works as soon as the CRD is installed, without a restart.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

import anyio
import structlog

from nimop.api import kinds
from nimop.controllers import (
    kserve_config,
    nemo_customizer,
    nemo_datastore,
    nemo_entitystore,
    nemo_evaluator,
    nemo_guardrail,
    nimbuild,
    nimcache,
    nimpipeline,
    nimservice,
    state_metrics,
)
from nimop.controllers.facts import SCC_GVK
from nimop.controllers.runtime import Runtime
from nimop.watch import Controller, LeadershipLost, Manager, WatchSettings, configure_logging
from nimop.watch.informer import Informer

log = structlog.get_logger("nimop.operator")

Builder = Callable[..., Controller]
CONTROLLERS: dict[kinds.Kind, Builder] = {
    kinds.NIMCACHE: nimcache.build,
    kinds.NIMSERVICE: nimservice.build,
    kinds.NIMPIPELINE: nimpipeline.build,
    kinds.NIMBUILD: nimbuild.build,
    kinds.NEMOENTITYSTORE: nemo_entitystore.build,
    kinds.NEMODATASTORE: nemo_datastore.build,
    kinds.NEMOGUARDRAIL: nemo_guardrail.build,
    kinds.NEMOEVALUATOR: nemo_evaluator.build,
    kinds.NEMOCUSTOMIZER: nemo_customizer.build,
}
#: APIs whose arrival or removal rebuilds the operator: the kind table's, and OpenShift's SCCs
#: (which turn the SCC Roles and `openshift.io/required-scc` annotations on).
_RELEVANT = {k.gvk for k in kinds.ALL} | {SCC_GVK}


def runtime_for(mgr: Manager, kserve_namespace: str | None = None) -> Runtime:
    """One shared informer per kind of the table the apiserver serves, and one on KServe's
    namespace for its `inferenceservice-config` (`KSERVE_NAMESPACE` when none is given)."""
    informers: dict[kinds.Kind, Informer] = {}
    for kind in kinds.ALL:
        ref = mgr.discovery.resource(*kind.gvk)
        if ref is not None:
            informers[kind] = mgr.informer(ref, label_selector=kind.selector)
    namespaces = tuple(mgr.settings.namespaces) or None
    kserve_namespace = kserve_namespace or os.environ.get(kserve_config.NAMESPACE_ENV) or None
    if kinds.ISVC in informers and kserve_namespace:
        if namespaces is None or kserve_namespace in namespaces:
            ref = mgr.discovery.require(*kinds.KSERVE_CONFIG.gvk)
            informers[kinds.KSERVE_CONFIG] = mgr.informer(ref, namespaces=[kserve_namespace])
        else:
            log.warning("KServe's namespace is not watched; its defaults are not read",
                        kserve_namespace=kserve_namespace)  # fmt: skip
    return Runtime(
        client=mgr.client,
        informers=informers,
        events=mgr.events(),
        monotonic=mgr.clock.now,
        namespaces=namespaces,
        openshift_api=mgr.discovery.resource(*SCC_GVK) is not None,
        kserve_namespace=kserve_namespace,
        image_inspection=mgr.settings.image_inspection,
        served_model_probe=mgr.settings.served_model_probe,
    )


def wire(mgr: Manager, rt: Runtime) -> list[str]:
    """Register the controllers whose primary kind is served; returns their names."""
    names = []
    for kind, build in CONTROLLERS.items():
        if not rt.served(kind):
            log.warning("CRD not installed; its controller waits for it", kind=kind.kind)
            continue
        controller = build(rt, workers=mgr.settings.workers)
        controller.resync_period = mgr.settings.resync_period
        controller.shutdown_timeout = mgr.settings.shutdown_timeout
        names.append(mgr.add_controller(controller).name)
    state_metrics.bind(rt)  # upstream's *_status_total gauges, counted from these stores
    return names


async def run(settings: WatchSettings) -> None:
    """Run the operator until SIGTERM/SIGINT, rebuilding it when relevant APIs change."""
    while await _run_once(settings):
        log.info("served APIs changed; rebuilding informers and controllers")


async def _run_once(settings: WatchSettings) -> bool:
    """One manager lifetime; True when it stopped because the served APIs changed."""
    async with Manager(settings) as mgr:
        kserve_ns = None
        if mgr.discovery.resource(*kinds.ISVC.gvk) is not None:
            kserve_ns = await kserve_config.find_namespace(mgr.client, settings.namespaces)
        rt = runtime_for(mgr, kserve_ns)
        log.info("starting", controllers=wire(mgr, rt), optional_apis=_optional_served(rt))
        changed = False

        def on_change(added: set[tuple[str, str, str]], removed: set[tuple[str, str, str]]) -> None:
            nonlocal changed
            if (added | removed) & _RELEVANT:
                changed = True
                mgr.stop()

        mgr.discovery.subscribe(on_change)
        await mgr.run()
        return changed


def _optional_served(rt: Runtime) -> list[str]:
    return sorted(k.kind for k in _optional(kinds.ALL) if rt.served(k))


def _optional(table: Iterable[kinds.Kind]) -> list[kinds.Kind]:
    return [k for k in table if k.optional]


def main(settings: WatchSettings | None = None) -> int:
    """Run until stopped; ``settings`` default to the ``NIMOP_*`` environment."""
    from nimop import __version__
    from nimop.watch.tracing import configure_tracing

    settings = settings or WatchSettings()
    configure_logging(settings.log_format, settings.log_level)
    provider = configure_tracing(__version__)
    try:
        anyio.run(run, settings)
    except LeadershipLost as exc:
        # Every reconcile was cancelled when the Lease was lost; exit non-zero so the pod is
        # restarted and rejoins as a follower (controller-runtime exits the same way).
        log.error("leadership lost; exiting", error=str(exc))
        return 1
    finally:
        if provider is not None:
            provider.shutdown()  # flush the spans still batched
    return 0
