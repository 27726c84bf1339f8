"""What every controller needs at reconcile time, gathered in one object.

Built by `nimop.operator` for the kinds the apiserver serves at start: the API client (for
writes, and the rare read that has no informer, like a pod's log), one informer per kind of
the kind table (`nimop.api.kinds`), the framework's event recorder and a clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from nimop.api.kinds import Kind
from nimop.watch.client import KubeClient
from nimop.watch.events import EventRecorder
from nimop.watch.informer import Informer
from nimop.watch.objects import ResourceRef
from nimop.watch.store import Store


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Runtime:
    client: KubeClient
    informers: dict[Kind, Informer]
    events: EventRecorder
    now: Callable[[], str] = utc_now
    #: monotonic seconds, on the manager's clock (a test's fake clock moves it)
    monotonic: Callable[[], float] = time.monotonic
    #: namespaces watched (None: all)
    namespaces: tuple[str, ...] | None = None
    #: discovery serves `security.openshift.io/v1` SecurityContextConstraints (OpenShift)
    openshift_api: bool = False
    #: KServe's namespace (`KSERVE_NAMESPACE` or its controller's), whose
    #: `inferenceservice-config` the `KSERVE_CONFIG` informer caches
    kserve_namespace: str | None = None
    #: read NIM images' model-download protocol from their registry (`--image-inspection`)
    image_inspection: bool = True
    #: read a Ready NIM's served model from its `/v1/models` (`--served-model-probe`)
    served_model_probe: bool = True

    def served(self, kind: Kind) -> bool:
        return kind in self.informers

    def store(self, kind: Kind) -> Store:
        """The informer store of `kind`; an empty store when the kind is not served."""
        informer = self.informers.get(kind)
        return informer.store if informer is not None else Store()

    def resource(self, kind: Kind) -> ResourceRef:
        return self.informers[kind].resource

    def get(self, kind: Kind, namespace: str, name: str) -> dict[str, Any] | None:
        return self.store(kind).get_by_name(namespace, name)
